"""The resolver under abuse: a dead upstream, floods of queries, a supervisor killed outright.

Each test runs the real resolver (`cop run_filter`) on 127.0.0.1 and asks it with real sockets.
"""

from __future__ import annotations

import os
import re
import signal
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
