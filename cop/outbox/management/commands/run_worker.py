from __future__ import annotations

import logging
import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import DatabaseError, close_old_connections, connection

from cop.outbox import config
from cop.outbox.runner import run_due

logger = logging.getLogger(__name__)


class Command(BaseCommand):
    help = (
        "Run background jobs from the outbox (webhook deliveries and the like): continuously, or with "
        "--once the jobs due now. SIGTERM or Ctrl-C stops the worker once the job in hand is finished."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="run the jobs that are due now, then exit")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="seconds to wait when no job is due (default: OUTBOX_POLL_SECONDS, else 5)",
        )
        parser.add_argument(
            "--limit", type=int, default=1000, help="with --once, the most jobs to run (default 1000)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = config.poll_seconds() if options["interval"] is None else options["interval"]
        if interval <= 0:
            raise CommandError("--interval must be a positive number of seconds.")
        if options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        if options["once"]:
            self.stdout.write(f"Ran {run_due(options['limit'])} job(s).")
            return
        self._loop(interval)

    def _loop(self, interval: float) -> None:
        stop = threading.Event()

        def request_stop(signum: int, frame: FrameType | None) -> None:
            stop.set()

        previous: dict[signal.Signals, Any] = {}
        # Python lets only the main thread handle signals; elsewhere the caller stops the process itself.
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                previous[sig] = signal.signal(sig, request_stop)
        self.stdout.write(
            f"Worker started: looking for due jobs every {interval:g} s. Stop: SIGTERM or Ctrl-C."
        )
        try:
            while not stop.is_set():
                try:
                    # One job at a time, so that a stop request waits for one job only.
                    ran = run_due(1)
                except DatabaseError:
                    logger.exception("The outbox could not be read; trying again in %s s", interval)
                    ran = 0
                finally:
                    # Drop a connection that broke or outlived CONN_MAX_AGE, as a request would;
                    # never one inside a caller's transaction (a test's).
                    if not connection.in_atomic_block:
                        close_old_connections()
                if not ran:
                    stop.wait(interval)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        self.stdout.write("Worker stopped.")
