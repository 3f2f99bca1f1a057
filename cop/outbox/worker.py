"""The long-running worker behind `cop run_worker`: several jobs at once, leases renewed, a quick stop.

The main thread claims due jobs while fewer than OUTBOX_CONCURRENCY are in hand and gives each to a
thread of its own, so one slow webhook receiver no longer holds up a list import. A heartbeat
thread renews the leases of the jobs in hand every third of OUTBOX_LEASE_SECONDS; if this process
dies, nothing renews them and other workers take the jobs up once the lease runs out.

A stop request (SIGTERM, Ctrl-C) ends the loop at once. Jobs still running are abandoned, not
waited for: their threads end with the process and their leases, no longer renewed, make them due
again. Handlers must therefore be idempotent (cop/outbox/registry.py), which they have to be anyway
since a worker can die at any moment.

Each thread uses its own database connection (Django's are per thread); on SQLite, writers take
turns under the connection's busy timeout (cop/settings.py), on PostgreSQL claims skip rows
another worker has locked.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.db import DatabaseError, close_old_connections, connection
from django.utils import timezone

from cop.outbox import config, registry
from cop.outbox.runner import Claim, claim_next, renew, run_claimed

logger = logging.getLogger(__name__)


@dataclass
class _InHand:
    claim: Claim
    thread: threading.Thread


class Worker:
    def __init__(self, concurrency: int, interval: float) -> None:
        self.concurrency = concurrency
        self.interval = interval
        self._stop = threading.Event()
        # Set when a job ends or a stop is asked for, so the loop need not wait out its interval.
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._in_hand: dict[int, _InHand] = {}

    def request_stop(self) -> None:
        """Safe to call from a signal handler: it only sets two events."""
        self._stop.set()
        self._wake.set()

    def in_hand(self) -> list[Claim]:
        with self._lock:
            return [held.claim for held in self._in_hand.values()]

    def run(self) -> int:
        """Run jobs until asked to stop; returns how many were abandoned, still running, at the stop."""
        heartbeat = threading.Thread(target=self._renew_leases, name="outbox-leases", daemon=True)
        heartbeat.start()
        kinds = registry.kinds()
        while not self._stop.is_set():
            self._wake.clear()
            if self._free() and self._claim_one(kinds):
                continue  # look for another due job straight away while slots are free
            # Nothing due, or every slot busy: wait for a job to end, the interval, or a stop.
            self._wake.wait(self.interval)
        return len(self.in_hand())

    def _free(self) -> bool:
        with self._lock:
            for pk in [pk for pk, held in self._in_hand.items() if not held.thread.is_alive()]:
                del self._in_hand[pk]
            return len(self._in_hand) < self.concurrency

    def _claim_one(self, kinds: frozenset[str]) -> bool:
        try:
            claim = claim_next(timezone.now(), kinds, [c.job.pk for c in self.in_hand()])
        except DatabaseError:
            logger.exception("The outbox could not be read; trying again in %s s", self.interval)
            return False
        finally:
            # Drop a connection that broke or outlived CONN_MAX_AGE, as a request would;
            # never one inside a caller's transaction (a test's).
            if not connection.in_atomic_block:
                close_old_connections()
        if claim is None:
            return False
        thread = threading.Thread(
            target=self._work, args=(claim,), name=f"outbox-job-{claim.job.pk}", daemon=True
        )
        with self._lock:
            self._in_hand[claim.job.pk] = _InHand(claim, thread)
        thread.start()
        return True

    def _work(self, claim: Claim) -> None:
        try:
            run_claimed(claim)
        except Exception:  # noqa: BLE001 - recording the outcome failed (database gone); the lease re-runs it
            logger.exception("Job %s (%s): the outcome could not be recorded", claim.job.pk, claim.job.kind)
        finally:
            connection.close()
            self._wake.set()

    def _renew_leases(self) -> None:
        every = config.lease_seconds() / 3
        reported: set[int] = set()
        try:
            while not self._stop.wait(every):
                claims = self.in_hand()
                if not claims:
                    continue
                try:
                    lost = renew(claims)
                except DatabaseError:
                    logger.exception("Leases could not be renewed; trying again in %s s", every)
                    continue
                running = {claim.job.pk for claim in self.in_hand()}
                for claim in lost:
                    # Not merely finished in the meantime, and said once.
                    if claim.job.pk in running and claim.job.pk not in reported:
                        reported.add(claim.job.pk)
                        logger.warning(
                            "Job %s (%s): its lease was lost (cancelled, or taken over after it ran out); "
                            "its result will not change the job.",
                            claim.job.pk,
                            claim.job.kind,
                        )
        finally:
            connection.close()
