from __future__ import annotations

import signal
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cop.outbox import config
from cop.outbox.runner import run_due
from cop.outbox.worker import Worker


class Command(BaseCommand):
    help = (
        "Run background jobs from the outbox (webhook deliveries, block-list imports): continuously, "
        "several at once (OUTBOX_CONCURRENCY), or with --once the jobs due now, one after another. "
        "SIGTERM or Ctrl-C stops the worker at once; jobs it had in hand run again when their lease "
        "(OUTBOX_LEASE_SECONDS) runs out."
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
        parser.add_argument(
            "--concurrency",
            type=int,
            default=None,
            help="jobs run at the same time (default: OUTBOX_CONCURRENCY, else 4)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        interval = config.poll_seconds() if options["interval"] is None else options["interval"]
        concurrency = config.concurrency() if options["concurrency"] is None else options["concurrency"]
        if interval <= 0:
            raise CommandError("--interval must be a positive number of seconds.")
        if options["limit"] < 1:
            raise CommandError("--limit must be at least 1.")
        if concurrency < 1:
            raise CommandError("--concurrency must be at least 1.")
        if options["once"]:
            self.stdout.write(f"Ran {run_due(options['limit'])} job(s).")
            return
        self._loop(Worker(concurrency, interval))

    def _loop(self, worker: Worker) -> None:
        def request_stop(signum: int, frame: FrameType | None) -> None:
            worker.request_stop()

        previous: dict[signal.Signals, Any] = {}
        # Python lets only the main thread handle signals; elsewhere the caller stops the process itself.
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                previous[sig] = signal.signal(sig, request_stop)
        self.stdout.write(
            f"Worker started: up to {worker.concurrency} job(s) at once, looking for due jobs every "
            f"{worker.interval:g} s. Stop: SIGTERM or Ctrl-C."
        )
        try:
            abandoned = worker.run()
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if abandoned:
            self.stdout.write(
                f"Worker stopped; {abandoned} job(s) still running were left to run again when their "
                f"lease runs out (within {config.lease_seconds():g} s)."
            )
        else:
            self.stdout.write("Worker stopped.")
