"""The resolver under abuse: a dead upstream, floods of queries, a supervisor killed outright.

Each test runs the real resolver (`cop run_filter`) on 127.0.0.1 and asks it with real sockets.
"""

from __future__ import annotations

import re
import socket
import time
from pathlib import Path

import dns.message
import dns.rcode

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
