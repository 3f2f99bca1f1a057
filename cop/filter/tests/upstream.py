"""A small recursive-resolver stand-in on 127.0.0.1 for the tests: real sockets, UDP and TCP.

It answers from a fixed zone the way a recursive resolver would (whole CNAME chains, SOA in
negative answers, truncation over UDP when an answer does not fit), and counts what it was asked,
so tests can tell a cached answer from a forwarded one. Addresses are documentation ranges.
"""

from __future__ import annotations

import socket
import socketserver
import struct
import threading
from collections import Counter
from dataclasses import dataclass, field

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset

BIG_TXT = [f'"{"x" * 200} part {n}"' for n in range(12)]
RECORDS: dict[tuple[str, str], tuple[int, list[str]]] = {
    ("news.example.org", "A"): (300, ["192.0.2.10"]),
    ("news.example.org", "AAAA"): (300, ["2001:db8::10"]),
    ("www.news.example.org", "A"): (300, ["192.0.2.11"]),
    ("chain.example.org", "CNAME"): (300, ["mid.example.net."]),
    ("mid.example.net", "CNAME"): (300, ["end.example.com."]),
    ("end.example.com", "A"): (120, ["192.0.2.20"]),
    ("svc.example.org", "HTTPS"): (300, ['1 . alpn="h2,h3" ipv4hint=192.0.2.21']),
    ("_dns.svc.example.org", "SVCB"): (300, ['1 dns.example.org. alpn="dot"']),
    ("txt.example.org", "TXT"): (300, ['"v=spf1 -all"']),
    ("big.example.org", "TXT"): (300, BIG_TXT),
    ("medium.example.org", "TXT"): (300, BIG_TXT[:3]),
    ("nodata.example.org", "A"): (300, ["192.0.2.22"]),
    ("xn--bcher-kva.example", "A"): (300, ["192.0.2.30"]),
    ("short.example.org", "A"): (1, ["192.0.2.31"]),
    ("www.google.com", "A"): (300, ["192.0.2.50"]),
    ("forcesafesearch.google.com", "A"): (300, ["192.0.2.51"]),
    ("forcesafesearch.google.com", "AAAA"): (300, ["2001:db8::51"]),
    ("www.bing.com", "A"): (300, ["192.0.2.52"]),
    ("strict.bing.com", "A"): (300, ["192.0.2.53"]),
    ("safe.duckduckgo.com", "A"): (300, ["192.0.2.54"]),
    ("www.youtube.com", "A"): (300, ["192.0.2.55"]),
    ("restrict.youtube.com", "A"): (300, ["192.0.2.56"]),
    ("restrictmoderate.youtube.com", "A"): (300, ["192.0.2.57"]),
    ("play.games.example", "A"): (300, ["192.0.2.60"]),
    ("homework.school.example", "A"): (300, ["192.0.2.61"]),
    ("bad.illegal.example", "A"): (300, ["192.0.2.66"]),
    # Answers that lead somewhere a list blocks: a CNAME to a listed name, a chain of two to the
    # illegal list, an address an address list lists.
    ("to-games.example.org", "CNAME"): (300, ["cdn.games.example."]),
    ("cdn.games.example", "A"): (300, ["192.0.2.62"]),
    ("cdn.games.example", "AAAA"): (300, ["2001:db8::62"]),
    ("hop.example.org", "CNAME"): (300, ["hop.example.net."]),
    ("hop.example.net", "CNAME"): (300, ["bad.illegal.example."]),
    ("listed-address.example.org", "A"): (300, ["192.0.2.99"]),
    ("listed-address.example.org", "AAAA"): (300, ["2001:db8::99"]),
    ("glue.example.org", "A"): (300, ["192.0.2.70"]),
}
# Records some upstreams add to an answer: name servers in authority, their addresses in additional.
EXTRA: dict[str, tuple[list[str], list[str]]] = {
    "glue.example.org": (["ns1.example.org.", "ns2.example.org."], ["192.0.2.71", "192.0.2.72"]),
}
NEGATIVE_TTL = 60


def _soa(zone: str) -> dns.rrset.RRset:
    return dns.rrset.from_text(
        zone + ".",
        NEGATIVE_TTL,
        "IN",
        "SOA",
        f"ns.{zone}. hostmaster.{zone}. 1 3600 600 86400 {NEGATIVE_TTL}",
    )


def answer(query: dns.message.Message) -> dns.message.Message:
    response = dns.message.make_response(query)
    response.flags |= dns.flags.RA
    question = query.question[0]
    name = question.name.to_text(omit_final_dot=True).lower()
    rtype = dns.rdatatype.to_text(question.rdtype)
    # Follow CNAMEs as a recursive resolver does, collecting the chain.
    owner = question.name
    for _ in range(8):
        if (name, "CNAME") in RECORDS and rtype != "CNAME":
            ttl, values = RECORDS[(name, "CNAME")]
            response.answer.append(dns.rrset.from_text_list(owner, ttl, "IN", "CNAME", values))
            owner = dns.name.from_text(values[0])
            name = owner.to_text(omit_final_dot=True).lower()
            continue
        break
    if (name, rtype) in RECORDS:
        ttl, values = RECORDS[(name, rtype)]
        response.answer.append(dns.rrset.from_text_list(owner, ttl, "IN", rtype, values))
        if name in EXTRA:
            servers, glue = EXTRA[name]
            response.authority.append(dns.rrset.from_text_list(owner, 300, "IN", "NS", servers))
            for server, address in zip(servers, glue, strict=True):
                response.additional.append(dns.rrset.from_text(server, 300, "IN", "A", address))
    elif not any(key[0] == name for key in RECORDS):
        response.set_rcode(dns.rcode.NXDOMAIN)
        response.authority.append(_soa(".".join(name.split(".")[-2:])))
    else:
        response.authority.append(_soa(".".join(name.split(".")[-2:])))
    return response


@dataclass
class Upstream:
    host: str = "127.0.0.1"
    port: int = 0
    asked: Counter[tuple[str, str]] = field(default_factory=Counter)
    udp: socketserver.UDPServer | None = None
    tcp: socketserver.TCPServer | None = None

    def _respond(self, data: bytes, over_tcp: bool) -> bytes:
        query = dns.message.from_wire(data)
        question = query.question[0]
        self.asked[
            (question.name.to_text(omit_final_dot=True).lower(), dns.rdatatype.to_text(question.rdtype))
        ] += 1
        response = answer(query)
        size = 65535 if over_tcp else max(512, query.payload if query.edns >= 0 else 512)
        try:
            return response.to_wire(max_size=size)
        except dns.exception.TooBig:
            response.answer.clear()
            response.authority.clear()
            response.flags |= dns.flags.TC
            return response.to_wire()

    def start(self) -> Upstream:
        upstream = self

        class UdpHandler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                data, sock = self.request
                sock.sendto(upstream._respond(data, False), self.client_address)

        class TcpHandler(socketserver.StreamRequestHandler):
            def handle(self) -> None:
                length = struct.unpack("!H", self.rfile.read(2))[0]
                reply = upstream._respond(self.rfile.read(length), True)
                self.wfile.write(struct.pack("!H", len(reply)) + reply)

        socketserver.UDPServer.allow_reuse_address = True
        self.udp = socketserver.ThreadingUDPServer((self.host, 0), UdpHandler)
        self.port = self.udp.server_address[1]
        self.tcp = socketserver.ThreadingTCPServer((self.host, self.port), TcpHandler)
        for server in (self.udp, self.tcp):
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        for server in (self.udp, self.tcp):
            if server is not None:
                server.shutdown()
                server.server_close()


def free_port() -> int:
    """A port free for both UDP and TCP on 127.0.0.1."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", 0))
            port = int(udp.getsockname()[1])
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
