"""Running resolver workers: N processes that each bind the same port with SO_REUSEPORT.

The parent only starts workers, restarts one that dies, and stops them all on SIGTERM or SIGINT.
Workers also end when the parent dies without a word (`kill -9`, a crash): otherwise a new parent's
workers would serve beside the orphans, which keep an old configuration.
"""

from __future__ import annotations

import asyncio
import ctypes
import logging
import multiprocessing
import os
import signal
import sys
import time
from collections.abc import Callable
from types import FrameType
from typing import TYPE_CHECKING

from cop.filter.resolver import Config, Recorder, Resolver, serve

if TYPE_CHECKING:
    from cop.filter.tls import TLSConfig

log = logging.getLogger(__name__)
RESTART_PAUSE = 1.0
EARLY_DEATH = 5.0  # seconds
EARLY_DEATHS_TO_STOP = 3
STOP_WAIT = 25.0  # seconds for a worker's last flush: more than SQLite's lock timeout (20 s)
PR_SET_PDEATHSIG = 1  # linux/prctl.h


def parse_address(text: str, default_port: int = 53) -> tuple[str, int]:
    """`127.0.0.1:5300`, `[::1]:5300`, `::1` or `127.0.0.1` -> (host, port)."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":")
        return host, int(port) if port else default_port
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, int(port)
    return text, default_port


def die_with(supervisor: int) -> None:
    """Have the kernel send SIGTERM to this process when `supervisor`, its parent, dies (Linux).

    The parent may have died before this runs, and other systems have no such call: the watch
    loop of `serve` also compares the parent's pid with `supervisor` every second.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
                log.warning("filter worker: prctl failed (errno %d)", ctypes.get_errno())
        except (OSError, AttributeError) as problem:
            log.warning("filter worker: prctl unavailable: %s", problem)
    if os.getppid() != supervisor:
        raise SystemExit("filter worker: the supervisor is gone")


def run_worker(
    config: Config,
    listen: list[tuple[str, int]],
    flush: Callable[[Recorder], None] | None,
    flush_every: float,
    doh_listen: list[tuple[str, int]],
    tls: TLSConfig | None = None,
    supervisor: int = 0,
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if supervisor:
        die_with(supervisor)
    resolver = Resolver(config, Recorder() if flush is not None else None)
    resolver.supervisor = supervisor
    try:
        asyncio.run(
            serve(resolver, listen, flush=flush, flush_every=flush_every, doh_listen=doh_listen, tls=tls)
        )
    except OSError as problem:  # e.g. the port is taken: say which, and leave
        tls_listen = list(tls.dot_listen + tls.doh_listen) if tls else []
        log.error("filter worker cannot listen on %s: %s", listen + doh_listen + tls_listen, problem)
        raise SystemExit(2) from None


def supervise(
    config: Config,
    listen: list[tuple[str, int]],
    workers: int,
    flush: Callable[[Recorder], None] | None,
    flush_every: float,
    doh_listen: list[tuple[str, int]] | None = None,
    tls: TLSConfig | None = None,
) -> None:
    context = multiprocessing.get_context("fork")
    stopping = False

    def start() -> multiprocessing.process.BaseProcess:
        process = context.Process(
            target=run_worker,
            args=(config, listen, flush, flush_every, doh_listen or [], tls),
            kwargs={"supervisor": os.getpid()},
            daemon=True,
        )
        process.start()
        return process

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    processes = [start() for _ in range(workers)]
    started = [time.monotonic()] * workers
    quick_deaths = 0
    try:
        while not stopping:
            time.sleep(0.2)
            for index, process in enumerate(processes):
                if process.is_alive() or stopping:
                    continue
                # A worker that dies at once (a port taken, a bad address) would die again: give up.
                quick_deaths = quick_deaths + 1 if time.monotonic() - started[index] < EARLY_DEATH else 0
                if quick_deaths >= EARLY_DEATHS_TO_STOP:
                    raise SystemExit(f"filter workers keep failing at start (exit code {process.exitcode})")
                log.error("filter worker %s ended (%s); starting another", process.pid, process.exitcode)
                time.sleep(RESTART_PAUSE)
                processes[index] = start()
                started[index] = time.monotonic()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(STOP_WAIT)  # each writes its last counts first
