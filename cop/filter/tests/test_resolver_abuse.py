"""The resolver under abuse: a dead upstream, floods of queries, a supervisor killed outright.

Each test runs the real resolver (`cop run_filter`) on 127.0.0.1 and asks it with real sockets.
"""

from __future__ import annotations

import os
import random
import re
import signal
import socket
import time
from pathlib import Path

import dns.flags
import dns.message
import dns.query
import dns.rcode
import pytest

from cop.filter.ratelimit import DROP, SEND, SLIP, ResponseLimit
from cop.filter.tests.running import start, write_snapshot
from cop.filter.tests.upstream import Upstream, free_port

NO_RRL = {"COP_FILTER_RRL_RESPONSES_PER_SECOND": "0"}


def _snapshot(directory: Path) -> None:
    write_snapshot(directory, 1, {"games": ["games.example"]}, default={})


def test_a_dead_upstream_gives_a_few_log_lines_with_a_count_not_one_per_query(tmp_path: Path) -> None:
    _snapshot(tmp_path)
    closed = Upstream(port=free_port())  # never started: nothing listens there, UDP gets refused
    log = tmp_path / "resolver.log"
    running = start(tmp_path, closed, workers=1, env={**NO_RRL, "COP_LOG_LEVEL": "INFO"}, log=log)
    try:
        queries = 0
        began = time.monotonic()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
            sock.settimeout(1)
            while time.monotonic() - began < 2:
                for n in range(50):
                    query = dns.message.make_query(f"n{queries + n}.example.org", "A").to_wire()
                    sock.sendto(query, ("127.0.0.1", running.port))
                queries += 50
                for _ in range(50):
                    try:
                        reply = dns.message.from_wire(sock.recv(4096))
                    except TimeoutError:
                        break
                    assert reply.rcode() == dns.rcode.SERVFAIL
        # The summary of the suppressed lines comes when the 10-second interval ends.
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline and "failures in the last 10 s" not in log.read_text():
            time.sleep(0.5)
    finally:
        running.stop()
    lines = [line for line in log.read_text().splitlines() if f":{closed.port}:" in line]
    assert queries >= 500
    assert 1 <= len(lines) <= 3, lines
    summary = [line for line in lines if "failures in the last 10 s" in line]
    assert summary, lines
    counted = int(re.search(r"([\d,]+) failures", summary[0]).group(1).replace(",", ""))  # type: ignore[union-attr]
    assert counted >= queries // 2
    assert "refused" in summary[0].lower()


def _alive(pid: int) -> bool:
    """Running, as opposed to gone or a zombie no one has reaped yet (in a container, often no one)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def _free(port: int) -> bool:
    """Whether sockets without SO_REUSEPORT can take the port, over UDP and TCP.

    A process's last threads may still be closing its sockets when its main thread shows as a zombie.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("127.0.0.1", port))
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", port))
    except OSError:
        return False
    return True


def test_workers_die_with_their_supervisor_even_after_kill_9(tmp_path: Path) -> None:
    _snapshot(tmp_path)
    upstream = Upstream().start()
    running = start(tmp_path, upstream, workers=2)
    workers: set[int] = set()
    try:
        supervisor = running.process.pid
        workers = {int(p) for p in Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()}
        assert len(workers) == 2
        running.process.send_signal(signal.SIGKILL)
        running.process.wait(5)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and (any(map(_alive, workers)) or not _free(running.port)):
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in workers)
        # The port is free: no old worker is left serving beside the workers of a new supervisor.
        assert _free(running.port)
    finally:
        running.stop()
        upstream.stop()
        for pid in workers:
            if _alive(pid):  # left behind by a failure above: never let it outlive the test
                os.kill(pid, signal.SIGKILL)


def _flood(port: int, sockets: int = 3, each: int = 3000) -> tuple[int, int, list[bytes]]:
    """Queries for a ~740-byte answer sent as fast as a few sockets can: (bytes sent, bytes back, replies).

    Without a limit the replies come to some fifteen times what was sent (the finding).
    """
    queries = []
    for n in range(each):
        query = dns.message.make_query("medium.example.org", "TXT", use_edns=0, payload=1232)
        query.id = n
        queries.append(query.to_wire())
    senders = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(sockets)]
    sent = 0
    replies: list[bytes] = []
    try:
        for sock in senders:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
            sock.setblocking(False)
        for n, wire in enumerate(queries):
            for sock in senders:
                sock.sendto(wire, ("127.0.0.1", port))
                sent += len(wire)
                if n % 100 == 99:
                    replies += _drain(sock)
        quiet_until = time.monotonic() + 1
        while time.monotonic() < quiet_until:
            for sock in senders:
                more = _drain(sock)
                if more:
                    replies += more
                    quiet_until = time.monotonic() + 1
            time.sleep(0.01)
    finally:
        for sock in senders:
            sock.close()
    return sent, sum(len(reply) for reply in replies), replies


def _drain(sock: socket.socket) -> list[bytes]:
    found = []
    while True:
        try:
            found.append(sock.recv(65535))
        except BlockingIOError:
            return found


def test_a_flood_from_one_network_gets_no_amplification_and_slipped_replies_send_clients_to_tcp(
    tmp_path: Path,
) -> None:
    _snapshot(tmp_path)
    upstream = Upstream().start()
    # The default settings, one worker (each worker keeps its own accounts).
    running = start(tmp_path, upstream, workers=1)
    try:
        began = time.monotonic()
        sent, received, raw = _flood(running.port)
        seconds = time.monotonic() - began
        question_size = len(
            dns.message.make_query("medium.example.org", "TXT", use_edns=0, payload=1232).to_wire()
        )
        full = [reply for reply in raw if dns.message.from_wire(reply).answer]
        slipped = [reply for reply in raw if dns.message.from_wire(reply).flags & dns.flags.TC]
        # A second's worth at once, then 50 a second (the default) for the network, whatever it sends.
        assert 50 <= len(full) <= 50 * (1 + seconds)
        # Beyond that, every other reply slips out truncated, and none is larger than the query.
        assert len(slipped) > len(full)
        assert all(len(reply) <= question_size for reply in slipped)
        assert received < sent  # was some fifteen times more
        # TCP is not limited: a real client told to retry gets its answer at once.
        query = dns.message.make_query("medium.example.org", "TXT")
        assert len(dns.query.tcp(query, "127.0.0.1", port=running.port, timeout=3).answer[0]) == 3
    finally:
        running.stop()
        upstream.stop()


def test_the_limit_counts_per_network_and_slips_every_second_reply_over_it() -> None:
    limit = ResponseLimit(10, slip=2)
    now = 1000.0
    # A /24 shares one allowance: ten answers at once, then nothing sent in full.
    verdicts = [limit.check(f"198.51.100.{n % 200}", now) for n in range(40)]
    assert verdicts[:10] == [SEND] * 10
    assert verdicts[10:] == [DROP, SLIP] * 15
    assert limit.check("198.51.101.1", now) == SEND  # the next /24 has its own
    # The allowance comes back at the rate: one response every tenth of a second.
    assert limit.check("198.51.100.7", now + 0.05) != SEND
    assert limit.check("198.51.100.7", now + 0.15) == SEND
    # IPv6 networks are /56: the low 72 bits do not matter.
    v6 = [limit.check(f"2001:db8:0:ff{n:02x}::{n:x}", now) for n in range(12)]
    assert v6.count(SEND) == 10
    assert limit.check("2001:db8:0:100::1", now) == SEND


def test_forged_sources_cannot_grow_the_table_nor_free_a_victim_from_its_limit() -> None:
    limit = ResponseLimit(20, slip=0, entries=1000)
    now = 1000.0
    for _ in range(20):
        assert limit.check("203.0.113.9", now) == SEND
    assert limit.check("203.0.113.9", now) == DROP
    rng = random.Random(3)
    for second in range(5):
        for _ in range(20_000):
            source = socket.inet_ntoa(rng.getrandbits(32).to_bytes(4, "big"))
            limit.check(source, now + second + rng.random())
            assert len(limit.sources) <= 1000 and len(limit.networks) <= 1000
        # The victim keeps being flooded too: its account stays in the table and stays over.
        for _ in range(40):
            limit.check("203.0.113.9", now + second + 0.99)
        assert limit.check("203.0.113.9", now + second + 0.99) == DROP


def test_the_rate_limit_settings_must_make_sense() -> None:
    with pytest.raises(ValueError):
        ResponseLimit(0)
    with pytest.raises(ValueError):
        ResponseLimit(10, ipv4_prefix=33)
