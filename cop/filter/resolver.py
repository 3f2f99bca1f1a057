"""The family filter's DNS resolver: one asyncio loop per worker process, UDP and TCP.

The hot path (`Resolver.handle`) reads the question by hand (`wire.py`), looks the name and its
parents up in the mapped list table, applies the client's profile and answers a blocked name at
once, or replays an upstream answer from the cache with its TTLs lowered by its age. Only a cache
miss, a safe-search rewrite or a local record leaves it, for a coroutine. It never touches the
database: policy comes from the snapshot files, and statistics go to a `Recorder` that a thread
writes out in batches. dnspython builds only the rare answers of the slow paths, and is imported
there: a worker that never needs it starts faster and smaller (see run.py).
"""

from __future__ import annotations

import asyncio
import datetime
import logging
import os
import random
import signal
import socket
import struct
import threading
import time
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from cop.filter import safesearch, wire
from cop.filter.ratelimit import SLIP, ResponseLimit
from cop.filter.snapshot import (
    BLOCK_ILLEGAL,
    FIRST_BLOCK,
    CompiledProfile,
    Snapshot,
    current_name,
    from_document,
    load,
)
from cop.filter.table import wire_key

if TYPE_CHECKING:
    import dns.message

    from cop.filter.tls import TLSConfig

log = logging.getLogger(__name__)
Reply = Callable[[bytes], None]
# What `handle` cannot answer at once: (start, query, argument), run on the event loop.
Later = tuple[Callable[[Any, Any, Reply, bool], None], "wire.Query", Any]
MAX_TTL = 86400
NEGATIVE_TTL = 30  # an empty answer without an SOA to say how long it holds
UPSTREAM_TIMEOUT = 2.0
TCP_IDLE = 10.0
TYPE_ANY = 255
ZONE_TRANSFERS = {251, 252}
REWRITE_TTL = 300
FAILURE_LOG_INTERVAL = 10.0  # seconds between two log lines about the same upstream's failures
K = TypeVar("K")
Cached = tuple[bytes, int, bool]  # name key, type, DNSSEC OK


@dataclass(frozen=True)
class Config:
    snapshot_dir: Path
    upstreams: tuple[tuple[str, int], ...]
    block_ttl: int = 60
    cache_entries: int = 100_000
    # Answers kept ready to send per worker (0: none). Each costs about 300 bytes.
    answer_entries: int = 50_000
    # Response-rate limiting of UDP per client network (ratelimit.py); 0 responses a second: off.
    rrl_per_second: int = 0
    rrl_slip: int = 2
    rrl_ipv4_prefix: int = 24
    rrl_ipv6_prefix: int = 56


def _rewrite_tables() -> dict[tuple[bool, str], dict[bytes, bytes]]:
    tables = {}
    for safe in (False, True):
        for youtube in ("off", "moderate", "strict"):
            tables[(safe, youtube)] = {
                wire_key(name): wire_key(target)
                for name, target in safesearch.rewrites(safe, youtube).items()
            }
    return tables


REWRITES = _rewrite_tables()


def empty_snapshot() -> Snapshot:
    """Until a policy is compiled the resolver still enforces nothing but forwards; it never fails open
    on a loaded policy, because a broken new snapshot is refused and the previous one kept."""
    return from_document({"version": 0, "categories": ["illegal"], "default": {}}, None)


class Recorder:
    """What the parents' reports and the national counts need; kept in memory, flushed by a thread."""

    def __init__(self) -> None:
        self.activity: dict[tuple[int, str, int], int] = {}
        self.blocked: dict[tuple[int, str, str], int] = {}
        self.sites: dict[tuple[int, str, str, str], int] = {}
        self.preventive: dict[tuple[str, str], int] = {}
        self.log: list[tuple[int, float, str, int, bool, int]] = []
        # UDP threads count while the loop takes batches away.
        self.lock = threading.Lock()
        # Calendar facts of the current moment, worked out once rather than per query (a
        # `strftime` and a `fromtimestamp` cost as much as the rest of a blocked answer): the
        # UTC day and when it ends, and per time zone the local day and hour of a whole second.
        self._utc_day = ""
        self._utc_from = self._utc_until = 0.0
        self._local: dict[datetime.tzinfo, tuple[int, str, int]] = {}

    def record(
        self,
        snapshot: Snapshot,
        profile: CompiledProfile,
        key: bytes,
        qtype: int,
        reason: int,
        bit: int,
        now: float,
    ) -> None:
        blocked = reason >= FIRST_BLOCK
        if not profile.id:
            # A client no device binds (most queries): only a block is counted, anonymously.
            if blocked:
                categories = snapshot.categories  # `category_code`, written out
                category = categories[bit] if 0 <= bit < len(categories) else ""
                with self.lock:
                    if not self._utc_from <= now < self._utc_until:
                        self._new_utc_day(now)
                    counter = (self._utc_day, category)
                    self.preventive[counter] = self.preventive.get(counter, 0) + 1
            return
        with self.lock:
            if blocked:
                if not self._utc_from <= now < self._utc_until:
                    self._new_utc_day(now)
                counter = (self._utc_day, snapshot.category_code(bit))
                self.preventive[counter] = self.preventive.get(counter, 0) + 1
            second = int(now)
            local = self._local.get(profile.zone)
            if local is None or local[0] != second:
                # Offsets and their changes fall on whole seconds: within one second the local
                # day and hour cannot change.
                moment = datetime.datetime.fromtimestamp(second, profile.zone).timetuple()
                local = (second, time.strftime("%Y-%m-%d", moment), moment.tm_hour)
                self._local[profile.zone] = local
            day = local[1]
            hour_key = (profile.id, day, local[2])
            self.activity[hour_key] = self.activity.get(hour_key, 0) + 1
            name = _text(key)
            if blocked:
                category = snapshot.report_category(reason, bit)
                blocked_key = (profile.id, day, category)
                self.blocked[blocked_key] = self.blocked.get(blocked_key, 0) + 1
                site_key = (profile.id, day, name, category)
                self.sites[site_key] = self.sites.get(site_key, 0) + 1
            if now < profile.log_until:
                self.log.append((profile.id, now, name, qtype, blocked, reason))

    def _new_utc_day(self, now: float) -> None:
        # POSIX time has no leap seconds: every UTC day is 86,400 of them, from a multiple of it.
        start = now - now % 86400
        self._utc_day = time.strftime("%Y-%m-%d", time.gmtime(start))
        self._utc_from, self._utc_until = start, start + 86400

    def merge(self, other: Recorder) -> None:
        """Put back a batch that could not be written, so the next flush tries it again."""
        with self.lock:
            self._merge(other)

    def _merge(self, other: Recorder) -> None:
        _add_counts(self.activity, other.activity)
        _add_counts(self.blocked, other.blocked)
        _add_counts(self.sites, other.sites)
        _add_counts(self.preventive, other.preventive)
        self.log[:0] = other.log

    def take(self) -> Recorder:
        taken = Recorder()
        with self.lock:
            taken.activity, self.activity = self.activity, {}
            taken.blocked, self.blocked = self.blocked, {}
            taken.sites, self.sites = self.sites, {}
            taken.preventive, self.preventive = self.preventive, {}
            taken.log, self.log = self.log, []
        return taken


class FailureLog:
    """Upstream failures logged at a bounded rate: the first at once, then one count per interval.

    A dead upstream fails every forwarded query; a line per failure would flood the log (tens of
    thousands of lines in seconds) and hide everything else. Runs on the event loop only.
    """

    def __init__(self, interval: float = FAILURE_LOG_INTERVAL) -> None:
        self.interval = interval
        # upstream -> [start of the interval, failures not logged yet, the last problem]
        self.open: dict[str, list[Any]] = {}

    def failed(self, upstream: str, problem: BaseException, now: float) -> None:
        text = _describe(problem)
        state = self.open.get(upstream)
        if state is None:
            log.warning("upstream %s: %s", upstream, text)
            self.open[upstream] = [now, 0, text]
            return
        state[1] += 1
        state[2] = text
        self.flush(now)

    def flush(self, now: float) -> None:
        """Log the count of each interval that has ended; an interval without failures closes."""
        for upstream, state in list(self.open.items()):
            started, count, text = state
            if now - started < self.interval:
                continue
            if not count:
                del self.open[upstream]
                continue
            log.warning(
                "upstream %s: %s failures in the last %d s: %s", upstream, f"{count:,}", self.interval, text
            )
            self.open[upstream] = [now, 0, text]


def _describe(problem: BaseException) -> str:
    if isinstance(problem, TimeoutError):
        return "timeout"
    return str(problem) or problem.__class__.__name__


def _add_counts(mine: dict[K, int], theirs: dict[K, int]) -> None:
    for key, count in theirs.items():
        mine[key] = mine.get(key, 0) + count


def _text(key: bytes) -> str:
    labels = []
    position = 0
    while position < len(key):
        length = key[position]
        labels.append(key[position + 1 : position + 1 + length].decode("ascii", errors="replace"))
        position += length + 1
    return ".".join(labels)


class Decision:
    """What `handle` decided about a question it hands to the event loop, for the answer to finish:
    the snapshot and profile it was decided under, the table bits of the name asked, and why it
    passed (or, once the answer has been checked, why it is blocked)."""

    __slots__ = ("bit", "bits", "profile", "reason", "snapshot")

    def __init__(
        self, snapshot: Snapshot, profile: CompiledProfile, bits: int, reason: int, bit: int
    ) -> None:
        self.snapshot = snapshot
        self.profile = profile
        self.bits = bits
        self.reason = reason
        self.bit = bit


class Resolver:
    def __init__(self, config: Config, recorder: Recorder | None = None) -> None:
        self.config = config
        self.snapshot = empty_snapshot()
        self.snapshot_name = ""
        self.cache: dict[Cached, wire.Answer] = {}
        self.pending: dict[Cached, asyncio.Future[wire.Answer | None]] = {}
        # (client address or "", message without its ID) -> the rest of the answer and its facts:
        # (answer without its ID, snapshot, valid until, profile, name key, type, reason, category
        # bit, whether it is counted, the upstream answer, its cache key, where its records start).
        self.answers: dict[tuple[str, bytes], tuple[Any, ...]] = {}
        self.recorder = recorder
        self.loop: asyncio.AbstractEventLoop | None = None
        self.failures = FailureLog()
        self.limit = (
            ResponseLimit(
                config.rrl_per_second, config.rrl_slip, config.rrl_ipv4_prefix, config.rrl_ipv6_prefix
            )
            if config.rrl_per_second
            else None
        )
        self.supervisor = 0  # the pid of the supervising process, when there is one

    # -- policy -------------------------------------------------------------------------------

    def reload(self) -> bool:
        """Load the snapshot `current` names if it changed; a broken one is refused and logged."""
        name = current_name(self.config.snapshot_dir)
        if not name or name == self.snapshot_name:
            return False
        try:
            fresh = load(self.config.snapshot_dir, self.snapshot)
        except (OSError, ValueError, KeyError) as problem:
            log.error(
                "filter snapshot %s refused, keeping version %s: %s", name, self.snapshot.version, problem
            )
            return False
        self.snapshot, self.snapshot_name = fresh, name
        self.answers = {}
        log.info("filter snapshot version %s in force", fresh.version)
        return True

    # -- the hot path -------------------------------------------------------------------------

    def handle(self, data: bytes, address: str, tcp: bool, token: str = "") -> bytes | Later | None:
        """The answer to send now; or work for the event loop (`dispatch`); or None: send nothing.

        Runs in the UDP threads as well as on the loop, so it only reads shared state: the
        snapshot (swapped whole), the caches (dict operations are atomic) and the recorder (locked).
        `token` is a device token from outside the message (a DNS-over-HTTPS path).
        """
        snapshot = self.snapshot
        if not tcp:
            # The answer cache: the same question from the same kind of client, answered from the
            # upstream cache moments ago under the same snapshot, gets the same bytes again.
            answers_key = (address if snapshot.bound else "", data[2:])
            hit = self.answers.get(answers_key)
            if hit is not None and hit[1] is snapshot:
                now = time.time()
                tail: bytes | None = hit[0] if now < hit[2] else self._age(answers_key, hit, now)
                if tail is not None:
                    if self.recorder is not None and hit[8]:
                        self.recorder.record(snapshot, hit[3], hit[4], hit[5], hit[6], hit[7], now)
                    return data[:2] + tail
        parsed = wire.parse(data)
        if parsed.__class__ is not wire.Query:
            return None if parsed is None else wire.error(data, parsed)  # type: ignore[arg-type]
        query = parsed
        qtype = query.qtype
        if qtype > 250 or query.qclass != wire.CLASS_IN:
            if query.qclass != wire.CLASS_IN or qtype in ZONE_TRANSFERS:
                return wire.refused(query)
            if qtype == TYPE_ANY and not tcp:
                # RFC 8482: no large answers to ANY over UDP, where the source address may be forged.
                return wire.truncated(query)
        if token:
            query.token = token
        if query.token or snapshot.bound:
            profile = snapshot.profile_for(address, query.token)
        else:
            profile = snapshot.default
        suffixes = query.suffixes
        now = time.time()
        bits = snapshot.bits(query.key, suffixes, qtype)
        reason, bit = profile.decide(suffixes, bits, now)
        if reason >= FIRST_BLOCK:
            if self.recorder is not None:
                self.recorder.record(snapshot, profile, query.key, qtype, reason, bit, now)
            ede = wire.EDE_CENSORED if reason == BLOCK_ILLEGAL else wire.EDE_FILTERED
            # Always small (a question and one record): no truncation check needed.
            # Not kept in the answer cache: made from ready parts, a blocked answer costs little
            # more than a cache hit, and lists of millions would only churn the cache.
            return wire.blocked(query, profile.nxdomain, self.config.block_ttl, ede, snapshot.version)
        # Allowed so far; what the answer leads to may still block it (`_screen`), so it is
        # counted when the answer is known.
        if snapshot.local and query.key in snapshot.local:
            return (self._start_local, query, Decision(snapshot, profile, bits, reason, bit))
        # Safe search stays on during a pause: a pause lifts blocks, it does not unfilter search.
        if profile.safe_search or profile.youtube != "off":
            target = REWRITES[(profile.safe_search, profile.youtube)].get(query.key)
            if target is not None:
                return (self._start_rewrite, query, (target, Decision(snapshot, profile, bits, reason, bit)))
        cache_key = (query.key, qtype, query.do)
        answer = self.cache.get(cache_key)
        if answer is not None:
            age = int(now - answer.stored)
            if age < answer.ttl:
                screened = None
                # An answer without CNAMEs costs one test here while no list lists addresses.
                if answer.names or snapshot.has_addresses:
                    screened = self._screen(snapshot, profile, query, bits, answer, now)
                if screened is None:
                    message = wire.limit(query, wire.replay(query, answer, age), tcp)
                else:
                    reason, bit = screened
                    message = self._block(query, snapshot, profile, reason)
                if self.recorder is not None:
                    self.recorder.record(snapshot, profile, query.key, qtype, reason, bit, now)
                if not tcp and profile.simple:
                    # TTLs count down by whole seconds: the same bytes hold until the next one.
                    # A simple profile decides by the lists alone, so the same client gets the
                    # same verdict on this answer until then, blocked or not.
                    until = min(answer.stored + age + 1, answer.stored + answer.ttl)
                    # Where the records start in the answer, so that `_age` can lower their TTLs
                    # when the second is over (-1: a block, or a truncated answer, never changes).
                    body = -1 if screened is not None or message[2] & 0x02 else 10 + len(query.question)
                    counted = reason >= FIRST_BLOCK or profile.id != 0
                    entry = (message[2:], snapshot, until, profile, query.key, qtype, reason, bit, counted)
                    self._remember(answers_key, (*entry, answer, cache_key, body))
                return message
        return (self._forward, query, (cache_key, Decision(snapshot, profile, bits, reason, bit)))

    def _screen(
        self,
        snapshot: Snapshot,
        profile: CompiledProfile,
        query: wire.Query,
        bits: int,
        answer: wire.Answer,
        now: float,
    ) -> tuple[int, int] | None:
        """(reason, category bit) when an answer leads to a name or an address this client's
        profile blocks: a CNAME target, an A or AAAA address an address list lists.

        Each is decided as if it had been asked, together with the asked name (its `suffixes`
        and table `bits`): what a parent allowed by name, or a list excepted, stays allowed
        through its CNAMEs and addresses (as AdGuard Home and Pi-hole do for allowlisted
        questions), while the illegal list blocks whatever leads to it. Decided per client at
        replay, never stored with the answer: it depends on the profile and the snapshot.
        """
        suffixes = query.suffixes
        for key, target in answer.names:
            reason, bit = profile.decide(
                target + suffixes, snapshot.bits(key, target, query.qtype) | bits, now
            )
            if reason >= FIRST_BLOCK:
                return reason, bit
        if snapshot.has_addresses:
            for packed in answer.addresses:
                found = snapshot.address_bits(packed)
                if found:
                    reason, bit = profile.decide(suffixes, found | bits, now)
                    if reason >= FIRST_BLOCK:
                        return reason, bit
        return None

    def _block(self, query: wire.Query, snapshot: Snapshot, profile: CompiledProfile, reason: int) -> bytes:
        ede = wire.EDE_CENSORED if reason == BLOCK_ILLEGAL else wire.EDE_FILTERED
        return wire.blocked(query, profile.nxdomain, self.config.block_ttl, ede, snapshot.version)

    def _record(self, query: wire.Query, decision: Decision) -> None:
        if self.recorder is not None:
            self.recorder.record(
                decision.snapshot,
                decision.profile,
                query.key,
                query.qtype,
                decision.reason,
                decision.bit,
                time.time(),
            )

    def _remember(self, answers_key: tuple[str, bytes], entry: tuple[Any, ...]) -> None:
        answers = self.answers
        if len(answers) >= self.config.answer_entries:
            if not self.config.answer_entries:
                return
            answers.clear()  # cheaper than tracking age; the busy names come back at once
        answers[answers_key] = entry

    def _age(self, answers_key: tuple[str, bytes], hit: tuple[Any, ...], now: float) -> bytes | None:
        """The kept answer with its TTLs lowered to this second, when the upstream answer it was made
        from still stands in the cache: the bytes `handle` would make again from it, without
        reading the question and deciding it anew (same message, same client, same snapshot:
        the same verdict). None when it no longer stands: `handle` takes the long way."""
        answer: wire.Answer = hit[9]
        cache_key, body = hit[10], hit[11]
        if self.cache.get(cache_key) is not answer:
            return None
        age = int(now - answer.stored)
        if age >= answer.ttl:
            return None
        tail: bytes = hit[0]
        if body >= 0:
            tail = tail[:body] + answer.aged_body(age) + tail[body + len(answer.body) :]
        until = min(answer.stored + age + 1, answer.stored + answer.ttl)
        self.answers[answers_key] = (tail, *hit[1:2], until, *hit[3:])
        return tail

    def dispatch(self, work: Later, reply: Reply, tcp: bool) -> None:
        """Carry out on the event loop what `handle` could not answer at once."""
        start, query, argument = work
        try:
            start(query, argument, reply, tcp)
        except Exception:
            log.exception("query for %r could not be started", query.key)
            reply(wire.servfail(query))

    # -- upstream -----------------------------------------------------------------------------

    def _forward(self, query: wire.Query, work: tuple[Cached, Decision], reply: Reply, tcp: bool) -> None:
        cache_key, decision = work
        future = self.pending.get(cache_key)
        if future is None:
            assert self.loop is not None
            future = self.loop.create_future()
            self.pending[cache_key] = future
            task = self.loop.create_task(self._fetch(cache_key, future))
            task.add_done_callback(_log_failure)

        def done(finished: asyncio.Future[wire.Answer | None]) -> None:
            answer = finished.result() if not finished.cancelled() else None
            if answer is None:
                self._record(query, decision)
                reply(wire.servfail(query))
                return
            now = time.time()
            snapshot, profile = decision.snapshot, decision.profile
            screened = None
            if answer.names or snapshot.has_addresses:
                screened = self._screen(snapshot, profile, query, decision.bits, answer, now)
            if screened is None:
                message = wire.limit(query, wire.replay(query, answer, int(now - answer.stored)), tcp)
            else:
                decision.reason, decision.bit = screened
                message = self._block(query, snapshot, profile, decision.reason)
            self._record(query, decision)
            reply(message)

        future.add_done_callback(done)

    async def _fetch(self, cache_key: Cached, future: asyncio.Future[wire.Answer | None]) -> None:
        try:
            answer = await self.lookup(*cache_key)
        except Exception:  # a failure here must become SERVFAIL for the waiting clients, never a lost reply
            log.exception("upstream lookup failed")
            answer = None
        finally:
            self.pending.pop(cache_key, None)
        if not future.done():
            future.set_result(answer)

    async def lookup(self, key: bytes, qtype: int, do: bool) -> wire.Answer | None:
        """An answer from the cache or the upstream servers, in order; None when none answered."""
        cache_key = (key, qtype, do)
        cached = self.cache.get(cache_key)
        if cached is not None and time.time() - cached.stored < cached.ttl:
            return cached
        question_bytes = key + b"\x00" + struct.pack("!HH", qtype, wire.CLASS_IN)
        for host, port in self.config.upstreams:
            message_id = random.getrandbits(16)
            query = wire.question(key, qtype, message_id, do)
            try:
                raw = await self._udp(host, port, query, message_id)
                answer = wire.read_answer(raw, question_bytes, MAX_TTL, NEGATIVE_TTL, minimal=not do)
                if answer.truncated:
                    raw = await self._tcp(host, port, query)
                    answer = wire.read_answer(raw, question_bytes, MAX_TTL, NEGATIVE_TTL, minimal=not do)
            except (OSError, TimeoutError, ValueError, asyncio.IncompleteReadError) as problem:
                self.failures.failed(f"{host}:{port}", problem, time.monotonic())
                continue
            answer.stored = time.time()
            if answer.ttl > 0:
                self._store(cache_key, answer)
            return answer
        return None

    def _store(self, cache_key: Cached, answer: wire.Answer) -> None:
        cache = self.cache
        if len(cache) >= self.config.cache_entries:
            # Drop the oldest tenth: dicts keep insertion order, and old entries expire first anyway.
            for stale in list(cache)[: max(1, self.config.cache_entries // 10)]:
                del cache[stale]
        cache[cache_key] = answer

    async def _udp(self, host: str, port: int, query: bytes, message_id: int) -> bytes:
        assert self.loop is not None
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # A fresh socket per query: a random source port makes forged answers far harder to land.
        with socket.socket(family, socket.SOCK_DGRAM) as sock:
            sock.setblocking(False)
            sock.connect((host, port))
            await self.loop.sock_sendall(sock, query)
            deadline = self.loop.time() + UPSTREAM_TIMEOUT
            while True:
                remaining = deadline - self.loop.time()
                if remaining <= 0:
                    raise TimeoutError("no answer")
                raw = await asyncio.wait_for(self.loop.sock_recv(sock, 65535), remaining)
                if len(raw) >= 2 and raw[0] << 8 | raw[1] == message_id:
                    return raw

    async def _tcp(self, host: str, port: int, query: bytes) -> bytes:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), UPSTREAM_TIMEOUT)
        try:
            writer.write(struct.pack("!H", len(query)) + query)
            await writer.drain()
            length = struct.unpack("!H", await asyncio.wait_for(reader.readexactly(2), UPSTREAM_TIMEOUT))[0]
            return await asyncio.wait_for(reader.readexactly(length), UPSTREAM_TIMEOUT)
        finally:
            writer.close()

    # -- slow paths: dnspython builds these answers ---------------------------------------------

    def _start_local(self, query: wire.Query, decision: Decision, reply: Reply, tcp: bool) -> None:
        self._later(self._local(query, decision), reply, query, tcp, decision)

    def _start_rewrite(
        self, query: wire.Query, work: tuple[bytes, Decision], reply: Reply, tcp: bool
    ) -> None:
        target, decision = work
        self._later(self._rewrite(query, target, decision), reply, query, tcp, decision)

    def _later(
        self,
        work: Coroutine[Any, Any, bytes],
        reply: Reply,
        query: wire.Query,
        tcp: bool,
        decision: Decision,
    ) -> None:
        assert self.loop is not None
        task = self.loop.create_task(work)

        def done(finished: asyncio.Task[bytes]) -> None:
            if finished.cancelled():
                return
            self._record(query, decision)  # the work may have turned it into a block
            problem = finished.exception()
            if problem is not None:
                log.error("answer failed: %r", problem)
                reply(wire.servfail(query))
            else:
                reply(wire.limit(query, finished.result(), tcp))

        task.add_done_callback(done)

    def _response(self, query: wire.Query) -> dns.message.Message:
        import dns.flags
        import dns.message

        message = dns.message.make_response(
            dns.message.from_wire(query.id + b"\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00" + query.question)
        )
        message.flags |= dns.flags.RA
        if query.edns:
            message.use_edns(0, dns.flags.DO if query.do else 0, wire.UDP_OURS)
        message.id = int.from_bytes(query.id, "big")
        message.flags = (message.flags & ~0x0110) | (query.flags & 0x0110) | 0x8080
        return message

    async def _chase(
        self,
        message: dns.message.Message,
        target_key: bytes,
        query: wire.Query,
        decision: Decision,
    ) -> bool:
        """Append the target's own records (a CNAME chain ends in addresses, as clients expect).

        False, with the decision turned into a block, when the target's answer leads to a name
        or address the client's profile blocks (`_screen`).
        """
        import dns.message
        import dns.rcode
        import dns.rdatatype

        qtype, do = query.qtype, query.do
        if qtype == dns.rdatatype.CNAME:
            return True
        answer = await self.lookup(target_key, qtype, do)
        if answer is None:
            message.set_rcode(dns.rcode.SERVFAIL)
            return True
        snapshot = decision.snapshot
        if answer.names or snapshot.has_addresses:
            screened = self._screen(snapshot, decision.profile, query, decision.bits, answer, time.time())
            if screened is not None:
                decision.reason, decision.bit = screened
                return False
        fake = wire.Query()
        fake.id = b"\x00\x00"
        fake.question = target_key + b"\x00" + struct.pack("!HH", qtype, wire.CLASS_IN)
        upstream = dns.message.from_wire(wire.replay(fake, answer, int(time.time() - answer.stored)))
        message.answer.extend(upstream.answer)
        if not upstream.answer:
            message.authority.extend(upstream.authority)
        message.set_rcode(upstream.rcode())
        return True

    async def _rewrite(self, query: wire.Query, target_key: bytes, decision: Decision) -> bytes:
        # The rewrite target itself is not checked against the lists: it is one of the engines'
        # fixed filtered services (safesearch.py), on the same site as the name asked, which has
        # just passed; a list that lists the filtered service alone would only take safe search
        # away from a child. What the engine's answer leads to is checked as any upstream answer.
        import dns.name
        import dns.rrset

        message = self._response(query)
        owner = message.question[0].name
        target = dns.name.from_wire(target_key + b"\x00", 0)[0]
        message.answer.append(dns.rrset.from_text(owner, REWRITE_TTL, "IN", "CNAME", target.to_text()))
        if not await self._chase(message, target_key, query, decision):
            return self._block(query, decision.snapshot, decision.profile, decision.reason)
        return message.to_wire(max_size=65535)

    async def _local(self, query: wire.Query, decision: Decision) -> bytes:
        import dns.flags
        import dns.rdatatype
        import dns.rrset

        snapshot, profile = decision.snapshot, decision.profile
        message = self._response(query)
        message.flags |= dns.flags.AA
        owner = message.question[0].name
        records = snapshot.local[query.key]
        wanted = dns.rdatatype.to_text(dns.rdatatype.RdataType.make(query.qtype))
        cnames = [(value, ttl) for rtype, value, ttl in records if rtype == "CNAME"]
        if cnames:
            value, ttl = cnames[0]
            # A local alias of a blocked name is blocked as the name (the operator's own
            # addresses, A and AAAA records, are not checked: they are the operator's choice).
            target_key = wire_key(value)
            target = wire.suffixes(target_key)
            reason, bit = profile.decide(
                target + query.suffixes,
                snapshot.bits(target_key, target, query.qtype) | decision.bits,
                time.time(),
            )
            if reason >= FIRST_BLOCK:
                decision.reason, decision.bit = reason, bit
                return self._block(query, snapshot, profile, reason)
            message.answer.append(dns.rrset.from_text(owner, ttl, "IN", "CNAME", value + "."))
            if wanted != "CNAME" and not await self._chase(message, target_key, query, decision):
                return self._block(query, snapshot, profile, decision.reason)
            return message.to_wire(max_size=65535)
        matching = [(value, ttl) for rtype, value, ttl in records if rtype == wanted]
        if matching:
            rdatas = [f'"{value}"' if wanted == "TXT" else value for value, _ttl in matching]
            message.answer.append(
                dns.rrset.from_text_list(owner, min(ttl for _v, ttl in matching), "IN", wanted, rdatas)
            )
        return message.to_wire(max_size=65535)


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("filter task failed: %r", task.exception())


# -- sockets ----------------------------------------------------------------------------------


def bind_udp(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)  # workers share the port; the kernel spreads
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    sock.bind((host, port))
    return sock


def bind_tcp(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    if family == socket.AF_INET6:
        sock.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    sock.bind((host, port))
    sock.listen(256)
    sock.setblocking(False)
    return sock


def udp_loop(resolver: Resolver, sock: socket.socket, loop: asyncio.AbstractEventLoop) -> None:
    """Answer UDP queries on a blocking socket in a thread of its own.

    A blocking receive in a tight loop costs a fraction of an event-loop wake-up per packet, and
    the GIL is released while the thread waits in the kernel, so the loop still runs TCP clients,
    upstream queries and timers. Work the loop must do is handed to it with call_soon_threadsafe.
    """
    recvfrom = sock.recvfrom
    sendto = sock.sendto
    handle = resolver.handle
    hand_over = loop.call_soon_threadsafe
    dispatch = resolver.dispatch
    limit = resolver.limit.check if resolver.limit is not None else None
    clock = time.monotonic
    while True:
        try:
            data, address = recvfrom(4096)
        except OSError:
            if sock.fileno() < 0:
                return
            continue  # e.g. an ICMP error from an earlier send surfacing here
        try:
            result = handle(data, address[0], False)
        except Exception:  # one bad packet must never take the worker down
            log.exception("query from %s could not be answered", address[0])
            continue
        if result is None:
            continue
        # Response-rate limiting: answers larger than the question, and work for the loop (an
        # upstream answer will come), count against the client network's allowance.
        if limit is not None and (result.__class__ is not bytes or len(result) > len(data)):  # type: ignore[arg-type]
            verdict = limit(address[0], clock())
            if verdict:
                if verdict == SLIP:
                    _slip(sock, data, address)
                continue
        if result.__class__ is bytes:
            try:
                sendto(result, address)  # type: ignore[arg-type]
            except OSError:
                pass  # a full send buffer: the client will retry, as it would after a loss
        else:
            hand_over(dispatch, cast(Later, result), _udp_reply(sock, address), False)


def _slip(sock: socket.socket, data: bytes, address: tuple[str, int]) -> None:
    """A truncated reply (header, question, TC), no larger than the query: retry over TCP."""
    query = wire.parse(data)
    if isinstance(query, wire.Query):
        try:
            sock.sendto(wire.truncated(query), address)
        except OSError:
            pass


def _udp_reply(sock: socket.socket, address: tuple[str, int]) -> Reply:
    def send(answer: bytes) -> None:
        try:
            sock.sendto(answer, address)
        except OSError:
            pass

    return send


async def serve_tcp_client(
    resolver: Resolver, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, token: str = ""
) -> None:
    """RFC 7766: several queries per connection, answered in any order, closed when idle.

    `token` names the device for the whole connection (DNS over TLS: from the TLS server name).
    """
    peer = writer.get_extra_info("peername")
    address = peer[0] if peer else ""

    def send(answer: bytes) -> None:
        if not writer.is_closing():
            writer.write(struct.pack("!H", len(answer)) + answer)

    try:
        while True:
            header = await asyncio.wait_for(reader.readexactly(2), TCP_IDLE)
            length = struct.unpack("!H", header)[0]
            data = await asyncio.wait_for(reader.readexactly(length), TCP_IDLE)
            try:
                result = resolver.handle(data, address, True, token)
            except Exception:
                log.exception("TCP query from %s could not be answered", address)
                break
            if result is None:
                continue
            if result.__class__ is bytes:
                send(result)  # type: ignore[arg-type]
                await writer.drain()
            else:
                resolver.dispatch(result, send, True)  # type: ignore[arg-type]
    except (TimeoutError, asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def watch(resolver: Resolver, interval: float = 1.0) -> None:
    """Pick up a new snapshot within a second of it being written (loading it off the loop); log
    the counts of upstream failures whose interval ended; stop when the supervisor is gone."""
    while True:
        await asyncio.sleep(interval)
        if resolver.supervisor and os.getppid() != resolver.supervisor:
            # The supervisor is gone and the kernel did not say so (see supervisor.die_with).
            log.error("filter worker %d: supervisor %d gone; stopping", os.getpid(), resolver.supervisor)
            os.kill(os.getpid(), signal.SIGTERM)
        resolver.failures.flush(time.monotonic())
        name = current_name(resolver.config.snapshot_dir)
        if name and name != resolver.snapshot_name:
            await asyncio.to_thread(_reload_in_thread, resolver)


def _reload_in_thread(resolver: Resolver) -> None:
    # Loading builds a new Snapshot object; the swap itself is one assignment, atomic under the GIL.
    resolver.reload()


async def serve(
    resolver: Resolver,
    listen: list[tuple[str, int]],
    ready: Callable[[], None] | None = None,
    flush: Callable[[Recorder], None] | None = None,
    flush_every: float = 30.0,
    doh_listen: list[tuple[str, int]] | None = None,
    tls: TLSConfig | None = None,
) -> None:
    loop = asyncio.get_running_loop()
    resolver.loop = loop
    resolver.reload()
    servers = []
    from cop.filter import mmsg

    # A batch of queries per system call where the system has recvmmsg (Linux), else one at a time.
    receive = mmsg.udp_loop if mmsg.available() else udp_loop
    for host, port in listen:
        udp = bind_udp(host, port)
        threading.Thread(target=receive, args=(resolver, udp, loop), daemon=True, name="udp").start()
        servers.append(
            await asyncio.start_server(
                lambda r, w: serve_tcp_client(resolver, r, w), sock=bind_tcp(host, port), limit=70000
            )
        )
    if doh_listen:
        from cop.filter.doh import serve_doh_client

        for host, port in doh_listen:
            servers.append(
                await asyncio.start_server(
                    lambda r, w: serve_doh_client(resolver, r, w), sock=bind_tcp(host, port), limit=70000
                )
            )
    if tls is not None:
        from cop.filter.tls import start_listeners

        servers += await start_listeners(resolver, tls)
    tasks = [loop.create_task(watch(resolver))]
    if flush is not None and resolver.recorder is not None:
        tasks.append(loop.create_task(_flusher(resolver.recorder, flush, flush_every)))
    # SIGTERM (the supervisor stopping, or dying: supervisor.die_with) ends the worker after a
    # last flush, so that the counts of its last seconds are not lost.
    stopping = asyncio.Event()
    loop.add_signal_handler(signal.SIGTERM, stopping.set)
    if ready is not None:
        ready()
    log.info("filter resolver %d listening on %s", os.getpid(), listen)
    await stopping.wait()
    for task in tasks:
        task.cancel()
    if flush is not None and resolver.recorder is not None:
        try:
            await asyncio.to_thread(flush, resolver.recorder.take())
        except Exception:
            log.exception("filter statistics could not be written at stop")


async def _flusher(recorder: Recorder, flush: Callable[[Recorder], None], every: float) -> None:
    while True:
        await asyncio.sleep(every)
        batch = recorder.take()
        try:
            await asyncio.to_thread(flush, batch)
        except Exception:
            log.exception("filter statistics could not be written; retrying with the next batch")
            recorder.merge(batch)
