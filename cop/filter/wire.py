"""DNS wire format for the resolver's hot path, written by hand (RFC 1035, RFC 6891 EDNS0).

A general DNS library builds an object per record; reading one question and answering a blocked
name needs a few slices and one `struct` call, which is what this module does. The slow paths
(safe-search rewrites, local records) and the tests use dnspython.

Nothing here trusts its input: every length is checked before it is used, and the answer to a
message that cannot be understood is a bare 12-byte header, never longer than what was received.
"""

from __future__ import annotations

import struct

TYPE_A = 1
TYPE_NS = 2
TYPE_CNAME = 5
TYPE_SOA = 6
TYPE_TXT = 16
TYPE_AAAA = 28
TYPE_OPT = 41
TYPE_SVCB = 64
TYPE_HTTPS = 65
CLASS_IN = 1

NOERROR = 0
FORMERR = 1
SERVFAIL = 2
NXDOMAIN = 3
NOTIMP = 4
REFUSED = 5
BADVERS = 16

OPTION_ECS = 8
OPTION_EDE = 15
# The CPE-ID option that home routers add (dnsmasq's --add-cpe-id): carries a device's token.
OPTION_DEVICE = 65074

EDE_BLOCKED = 15  # blocked by the operator's policy
EDE_CENSORED = 16  # blocked because of an external requirement: the national illegal-content list
EDE_FILTERED = 17  # blocked as the client (a parent) asked

UDP_PLAIN = 512
UDP_OURS = 1232  # the size the DNS flag day 2020 settled on: no fragmentation on common paths

_HEADER = struct.Struct("!HHHHHH")
_U16 = struct.Struct("!H")
_U32 = struct.Struct("!I")
_RR_FIXED = struct.Struct("!HHIH")  # type, class, ttl, rdlength
_TYPE_CLASS = struct.Struct("!HH")


class Query:
    """One parsed question with what the answer depends on.

    No __init__: the defaults are class attributes and `parse` sets only what a message has,
    which halves the cost of making one per packet.
    """

    id = b""
    flags = 0
    question = b""  # the question section as sent (name in the client's case, type, class)
    key = b""  # the name in lower case, wire form, without the root label
    suffixes: list[bytes] = []  # noqa: RUF012 - keys of the name and its parents with two labels or more
    qtype = 0
    qclass = 0
    edns = False
    udp_size = UDP_PLAIN
    do = False
    token = ""
    subnet: tuple[int, bytes, int] | None = None  # family, address bytes, prefix


# Header flags of replies (RFC 1035 4.1.1, RFC 4035 3.2.2, RFC 6891 6.1.3). Every reply copies the
# ID, the opcode and RD. A reply to a message understood as a query (answers, blocked answers,
# SERVFAIL, REFUSED, truncated, BADVERS) sets RA, since this is a recursive resolver, and copies
# CD. A reply to a message that was not understood (FORMERR: malformed; NOTIMP: an opcode this
# resolver does not implement, whose other bits may mean something else) sets nothing more: no RA,
# CD, AD, AA or TC, since it says nothing about the query's content.


def error(data: bytes, rcode: int) -> bytes:
    """The answer to a message `parse` refused with `rcode`: never larger than the message it answers.

    FORMERR and NOTIMP get a bare header; BADVERS (an EDNS version other than 0) gets the question
    and an OPT record of version 0, which is where RCODE 16's upper bits go.
    """
    if rcode == BADVERS:
        return _badvers(data)
    flags = 0x8000 | (data[2] << 8 & 0x7900) | rcode
    return data[:2] + _U16.pack(flags) + b"\x00\x00\x00\x00\x00\x00\x00\x00"


def _badvers(data: bytes) -> bytes:
    # `parse` returns BADVERS only after it read the question and found one OPT record after it,
    # so the question's end is known to be inside the message; the OPT we send is 11 bytes, no
    # larger than the one received. RCODE 16 = 0x010 is 1 in the OPT's extended-RCODE byte and 0
    # in the header (RFC 6891 6.1.3); DO is not echoed, since nothing was answered.
    position = 12
    while data[position]:
        position += data[position] + 1
    end = position + 5
    flags = 0x8080 | (data[2] << 8 & 0x0100) | (data[3] & 0x10)
    opt = b"\x00\x00\x29" + _U16.pack(UDP_OURS) + _U32.pack(BADVERS >> 4 << 24) + b"\x00\x00"
    return data[:2] + _U16.pack(flags) + b"\x00\x01\x00\x00\x00\x00\x00\x01" + data[12:end] + opt


_ONE_QUESTION = b"\x00\x01\x00\x00\x00\x00"


def parse(data: bytes) -> Query | int | None:
    """A Query; an rcode to answer with `error`; or None when nothing must be sent back.

    Responses (QR set) and anything shorter than a header get no answer at all: answering them
    is how reflection loops and amplification start. This is the hottest function of the
    resolver, hence locals and one pass over the name.
    """
    size = len(data)
    if size < 12 or data[2] & 0x80:
        return None
    if data[2] & 0x78:  # an opcode other than QUERY
        return NOTIMP
    # One question, no answers, no authority, at most one additional record (OPT).
    if data[4:10] != _ONE_QUESTION or data[10] or data[11] > 1:
        return FORMERR
    # The name: labels of at most 63 bytes, at most 255 bytes in all, no compression in a question.
    # Lower-casing the rest of the message first is safe: length bytes are below 64, never A-Z.
    lowered = data[12:].lower()
    position = 0
    offsets = []
    try:
        length = lowered[0]
        while length:
            if length > 63:
                return FORMERR
            offsets.append(position)
            position += length + 1
            length = lowered[position]
    except IndexError:
        return FORMERR
    end = position + 17  # the root label, type and class, counted from the start of the message
    if position > 254 or end > size:
        return FORMERR
    query = Query()
    key = lowered[:position]
    query.key = key
    if offsets:
        offsets.pop()  # a top-level domain alone is never listed
    query.suffixes = [key[offset:] for offset in offsets]
    query.id = data[:2]
    query.flags = data[2] << 8 | data[3]
    query.qtype, query.qclass = _TYPE_CLASS.unpack_from(data, end - 4)
    query.question = data[12:end]
    if data[11]:
        result = _read_opt(data, end, query)
        if result is not None:
            return result
    elif end != size:
        return FORMERR
    return query


def _read_opt(data: bytes, start: int, query: Query) -> int | None:
    size = len(data)
    if start + 11 > size or data[start] != 0:
        return FORMERR
    rtype, udp_size, ttl, rdlength = _RR_FIXED.unpack_from(data, start + 1)
    if rtype != TYPE_OPT or start + 11 + rdlength != size:
        return FORMERR
    query.edns = True
    query.udp_size = max(UDP_PLAIN, udp_size)
    query.do = bool(ttl & 0x8000)
    if ttl >> 16 & 0xFF:  # EDNS version other than 0
        return BADVERS
    position = start + 11
    while position < size:
        if position + 4 > size:
            return FORMERR
        code, length = data[position] << 8 | data[position + 1], data[position + 2] << 8 | data[position + 3]
        value = data[position + 4 : position + 4 + length]
        if len(value) != length:
            return FORMERR
        if code == OPTION_DEVICE:
            try:
                query.token = value.decode("ascii").lower()
            except UnicodeDecodeError:
                return FORMERR
        elif code == OPTION_ECS and length >= 4:
            family, prefix = value[0] << 8 | value[1], value[2]
            query.subnet = (family, value[4:], prefix)
        position += 4 + length
    return None


def _opt(query: Query, ede: int = 0, text: bytes = b"") -> bytes:
    options = b""
    if ede:
        options = _U16.pack(OPTION_EDE) + _U16.pack(2 + len(text)) + _U16.pack(ede) + text
    return (
        b"\x00\x00\x29"
        + _U16.pack(UDP_OURS)
        + (b"\x00\x00\x80\x00" if query.do else b"\x00\x00\x00\x00")
        + _U16.pack(len(options))
        + options
    )


def _soa(ttl: int, serial: int) -> bytes:
    # A negative answer carries an SOA so that clients cache it for `ttl` only (RFC 2308).
    rdata = b"\x02ns\x06filter\x07invalid\x00\x0ahostmaster\x06filter\x07invalid\x00" + struct.pack(
        "!IIIII", serial & 0xFFFFFFFF, 3600, 600, 86400, ttl
    )
    return b"\xc0\x0c" + _RR_FIXED.pack(TYPE_SOA, CLASS_IN, ttl, len(rdata)) + rdata


def _flags(query: Query, rcode: int, authoritative: bool = False) -> int:
    # QR and RA set; RD and CD copied from the question.
    return 0x8080 | (query.flags & 0x0110) | (0x0400 if authoritative else 0) | rcode


_blocked_parts: dict[tuple[int, int], tuple[bytes, bytes, bytes]] = {}


def _parts(ttl: int, serial: int) -> tuple[bytes, bytes, bytes]:
    # The records of a blocked answer depend only on the TTL and the policy version: build them once.
    parts = _blocked_parts.get((ttl, serial))
    if parts is None:
        if len(_blocked_parts) > 64:
            _blocked_parts.clear()
        parts = (
            b"\xc0\x0c" + _RR_FIXED.pack(TYPE_A, CLASS_IN, ttl, 4) + b"\x00\x00\x00\x00",
            b"\xc0\x0c" + _RR_FIXED.pack(TYPE_AAAA, CLASS_IN, ttl, 16) + b"\x00" * 16,
            _soa(ttl, serial),
        )
        _blocked_parts[(ttl, serial)] = parts
    return parts


def blocked(query: Query, nxdomain: bool, ttl: int, ede: int, serial: int) -> bytes:
    """The answer for a blocked name: 0.0.0.0 or :: for A and AAAA, else no data; or NXDOMAIN."""
    a_record, aaaa_record, soa = _parts(ttl, serial)
    rd_cd = query.flags & 0x0110
    if not nxdomain and query.qtype == TYPE_A:
        head = _U16.pack(0x8080 | rd_cd) + (
            b"\x00\x01\x00\x01\x00\x00\x00\x01" if query.edns else b"\x00\x01\x00\x01\x00\x00\x00\x00"
        )
        tail = a_record
    elif not nxdomain and query.qtype == TYPE_AAAA:
        head = _U16.pack(0x8080 | rd_cd) + (
            b"\x00\x01\x00\x01\x00\x00\x00\x01" if query.edns else b"\x00\x01\x00\x01\x00\x00\x00\x00"
        )
        tail = aaaa_record
    else:
        rcode = NXDOMAIN if nxdomain else NOERROR
        head = _U16.pack(0x8080 | rd_cd | rcode) + (
            b"\x00\x01\x00\x00\x00\x01\x00\x01" if query.edns else b"\x00\x01\x00\x00\x00\x01\x00\x00"
        )
        tail = soa
    if query.edns:
        return query.id + head + query.question + tail + _opt(query, ede)
    return query.id + head + query.question + tail


def refused(query: Query) -> bytes:
    header = _HEADER.pack(0, _flags(query, REFUSED), 1, 0, 0, 1 if query.edns else 0)
    return query.id + header[2:] + query.question + (_opt(query) if query.edns else b"")


def servfail(query: Query) -> bytes:
    header = _HEADER.pack(0, _flags(query, SERVFAIL), 1, 0, 0, 1 if query.edns else 0)
    return query.id + header[2:] + query.question + (_opt(query) if query.edns else b"")


def limit(query: Query, message: bytes, tcp: bool) -> bytes:
    """The message, or over UDP when it does not fit the client's buffer, the truncated header."""
    if tcp:
        return message
    room = min(query.udp_size, UDP_OURS) if query.edns else UDP_PLAIN
    if len(message) <= room:
        return message
    return truncated(query, message[2] << 8 | message[3])


def truncated(query: Query, flags: int = 0) -> bytes:
    """Header and question with TC set: the client asks again over TCP."""
    flags = (flags or _flags(query, NOERROR)) | 0x0200
    header = _HEADER.pack(0, flags, 1, 0, 0, 1 if query.edns else 0)
    return query.id + header[2:] + query.question + (_opt(query) if query.edns else b"")


def question(name_key: bytes, qtype: int, message_id: int, do: bool) -> bytes:
    """A recursive query to an upstream server, with EDNS0 so that large answers come over UDP."""
    header = _HEADER.pack(message_id, 0x0100, 1, 0, 0, 1)
    opt = (
        b"\x00\x00\x29"
        + _U16.pack(UDP_OURS)
        + (b"\x00\x00\x80\x00" if do else b"\x00\x00\x00\x00")
        + b"\x00\x00"
    )
    return header + name_key + b"\x00" + _U16.pack(qtype) + _U16.pack(CLASS_IN) + opt


Target = tuple[bytes, list[bytes]]  # a name's key and the keys of it and its parents (`Query.suffixes`)


class Answer:
    """An upstream answer kept in the cache, ready to be replayed to any client with fresh TTLs.

    `names` and `addresses` are what the answer leads to, read once here so that replaying it
    to a client whose profile blocks one of them costs a few lookups, and nothing when there are
    none: the CNAME targets of the answer section, and its A and AAAA addresses.
    """

    __slots__ = (
        "_age",
        "_aged",
        "addresses",
        "body",
        "counts",
        "flags",
        "names",
        "stored",
        "truncated",
        "ttl",
        "ttl_offsets",
    )

    def __init__(self) -> None:
        self.flags = 0
        self.counts = (0, 0, 0)  # answer, authority, additional (the OPT record left out)
        self.body = b""  # the sections after the question, OPT left out
        self.ttl_offsets: list[tuple[int, int]] = []  # (offset in body, TTL as received)
        self.ttl = 0  # how long the answer may be kept
        self.stored = 0.0
        self.truncated = False
        self.names: tuple[Target, ...] = ()  # CNAME targets, in the order of the chain
        self.addresses: tuple[bytes, ...] = ()  # A and AAAA data: 4 or 16 bytes each
        self._aged = b""
        self._age = -1

    def aged_body(self, age: int) -> bytes:
        """The body with every TTL lowered by `age` seconds; rebuilt at most once a second."""
        if age <= 0:
            return self.body
        if age == self._age:
            return self._aged
        body = bytearray(self.body)
        for offset, ttl in self.ttl_offsets:
            _U32.pack_into(body, offset, max(0, ttl - age))
        self._aged, self._age = bytes(body), age
        return self._aged


def _skip_name(message: bytes, position: int) -> int:
    size = len(message)
    while True:
        if position >= size:
            raise ValueError("name runs past the end")
        length = message[position]
        if length == 0:
            return position + 1
        if length & 0xC0 == 0xC0:
            if position + 2 > size:
                raise ValueError("pointer runs past the end")
            return position + 2
        if length & 0xC0:
            raise ValueError("unknown label type")
        position += length + 1


def _read_key(message: bytes, position: int) -> bytes:
    """The key (`Query.key`) of a possibly compressed name in a message."""
    labels: list[bytes] = []
    size = 0
    try:
        for _hop in range(255):  # pointers can loop; a name has at most 127 labels
            length = message[position]
            if length & 0xC0 == 0xC0:
                position = (length & 0x3F) << 8 | message[position + 1]
                continue
            if length & 0xC0:
                raise ValueError("unknown label type")
            if not length:
                return b"".join(labels)
            label = message[position : position + length + 1]
            if len(label) != length + 1:
                raise ValueError("name runs past the end")
            size += length + 1
            if size > 254:
                raise ValueError("name longer than 255 bytes")
            labels.append(label.lower())
            position += length + 1
    except IndexError:
        raise ValueError("name runs past the end") from None
    raise ValueError("compression loop")


def suffixes(key: bytes) -> list[bytes]:
    """The keys of a name and of its parents with two labels or more, as `parse` makes them."""
    found = []
    position = 0
    while position < len(key):
        found.append(key[position:])
        position += key[position] + 1
    if found:
        found.pop()  # a top-level domain alone is never listed
    return found


def read_answer(
    message: bytes, expected_question: bytes, max_ttl: int, negative_ttl: int, minimal: bool = False
) -> Answer:
    """Check an upstream answer against the question asked and index it for the cache.

    `minimal` (for clients that do not ask for DNSSEC records) keeps of the authority section only
    the SOA that negative answers need and drops the additional section: nothing a stub resolver
    uses, only bytes that make an answer larger. Raises ValueError for anything malformed or
    answering another question.
    """
    if len(message) < 12:
        raise ValueError("shorter than a header")
    _id, flags, qdcount, ancount, nscount, arcount = _HEADER.unpack_from(message)
    if not flags & 0x8000 or qdcount != 1:
        raise ValueError("not an answer to one question")
    end = 12 + len(expected_question)
    # Only the name folds case: type 65 (HTTPS) is the byte "A", which lower() would turn into "a".
    if (
        message[12 : end - 4].lower() != expected_question[:-4]
        or message[end - 4 : end] != expected_question[-4:]
    ):
        raise ValueError("answers another question")
    answer = Answer()
    answer.flags = flags
    answer.truncated = bool(flags & 0x0200)
    rcode = flags & 0x000F
    position = end
    body = bytearray()
    kept = [0, 0, 0]
    ttls: list[int] = []
    negative = 0
    names: list[Target] = []
    addresses: list[bytes] = []
    for section, count in enumerate((ancount, nscount, arcount)):
        for _ in range(count):
            start = position
            position = _skip_name(message, position)
            if position + 10 > len(message):
                raise ValueError("record runs past the end")
            rtype, rclass, ttl, rdlength = _RR_FIXED.unpack_from(message, position)
            record_end = position + 10 + rdlength
            if record_end > len(message):
                raise ValueError("record data runs past the end")
            if rtype == TYPE_OPT or (minimal and (section == 2 or (section == 1 and rtype != TYPE_SOA))):
                position = record_end
                continue
            answer.ttl_offsets.append((len(body) + position - start + 4, ttl))
            if rtype == TYPE_SOA and section == 1 and rdlength >= 20:
                negative = min(ttl, _U32.unpack_from(message, record_end - 4)[0])
            elif section == 0:
                ttls.append(ttl)
                if rclass == CLASS_IN:
                    if rtype == TYPE_CNAME:
                        key = _read_key(message, position + 10)
                        names.append((key, suffixes(key)))
                    elif (rtype == TYPE_A and rdlength == 4) or (rtype == TYPE_AAAA and rdlength == 16):
                        addresses.append(message[position + 10 : record_end])
            body += message[start:record_end]
            kept[section] += 1
            position = record_end
    if position != len(message):
        raise ValueError("bytes after the last record")
    answer.counts = (kept[0], kept[1], kept[2])
    answer.body = bytes(body)
    answer.names = tuple(names)
    answer.addresses = tuple(addresses)
    if rcode not in (NOERROR, NXDOMAIN) or answer.truncated:
        answer.ttl = 0
    elif ancount and ttls:
        answer.ttl = min(min(ttls), max_ttl)
    else:
        answer.ttl = min(negative, max_ttl) if negative else negative_ttl
    return answer


def replay(query: Query, answer: Answer, age: int) -> bytes:
    """An upstream answer from the cache, for this client: its ID, its question's case, fresh TTLs."""
    an, ns, ar = answer.counts
    flags = 0x8080 | (query.flags & 0x0110) | (answer.flags & 0x000F)
    if query.do or query.flags & 0x0020:
        flags |= answer.flags & 0x0020  # AD only for a client that can make sense of it
    header = _HEADER.pack(0, flags, 1, an, ns, ar + (1 if query.edns else 0))
    message = query.id + header[2:] + query.question + answer.aged_body(age)
    if query.edns:
        message += _opt(query)
    return message
