"""Running resolver workers: N processes that each bind the same port with SO_REUSEPORT.

The parent only starts workers, restarts one that dies, and stops them all on SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
import time
from collections.abc import Callable
from types import FrameType

from cop.filter.resolver import Config, Recorder, Resolver, serve

log = logging.getLogger(__name__)
RESTART_PAUSE = 1.0


def parse_address(text: str, default_port: int = 53) -> tuple[str, int]:
    """`127.0.0.1:5353`, `[::1]:5353`, `::1` or `127.0.0.1` -> (host, port)."""
    text = text.strip()
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":")
        return host, int(port) if port else default_port
    if text.count(":") == 1:
        host, port = text.split(":")
        return host, int(port)
    return text, default_port


def run_worker(
    config: Config,
    listen: list[tuple[str, int]],
    flush: Callable[[Recorder], None] | None,
    flush_every: float,
    doh_listen: list[tuple[str, int]],
) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent decides when workers stop
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    resolver = Resolver(config, Recorder() if flush is not None else None)
    asyncio.run(serve(resolver, listen, flush=flush, flush_every=flush_every, doh_listen=doh_listen))


def supervise(
    config: Config,
    listen: list[tuple[str, int]],
    workers: int,
    flush: Callable[[Recorder], None] | None,
    flush_every: float,
    doh_listen: list[tuple[str, int]] | None = None,
) -> None:
    context = multiprocessing.get_context("fork")
    stopping = False

    def start() -> multiprocessing.process.BaseProcess:
        process = context.Process(
            target=run_worker, args=(config, listen, flush, flush_every, doh_listen or []), daemon=True
        )
        process.start()
        return process

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    processes = [start() for _ in range(workers)]
    try:
        while not stopping:
            time.sleep(0.2)
            for index, process in enumerate(processes):
                if not process.is_alive() and not stopping:
                    log.error(
                        "filter worker %s ended with %s; starting another", process.pid, process.exitcode
                    )
                    time.sleep(RESTART_PAUSE)
                    processes[index] = start()
    finally:
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(5)
