"""Running due jobs: claim one, run it, log the attempt, then finish it or schedule a retry.

Several workers may run this at once, on one machine or many, and each runs
several jobs at once (cop/outbox/worker.py). Each job is claimed by exactly
one of them under a lease (see Job.next_attempt_at): on PostgreSQL by locking
the row with SKIP LOCKED, so that workers pass over each other's jobs instead
of queueing behind them; on SQLite, which has no row locks but one writer at a
time, by an UPDATE whose WHERE re-checks that the job is still due, so that of
two racing workers only one changes the row. The lease is short and renewed
while the job runs (`renew`): the job of a worker that died is due again
within OUTBOX_LEASE_SECONDS.
"""

from __future__ import annotations

import logging
import random
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone

from cop.outbox import config, registry
from cop.outbox.models import Attempt, Job

logger = logging.getLogger(__name__)

# Longest error text kept per attempt; a handler's message is for people, not a dump.
ERROR_LIMIT = 2000
# Claims on SQLite look at a few due jobs at a time and try the next if another worker won one.
_SQLITE_CANDIDATES = 10
INTERRUPTED_ERROR = "The worker stopped before it recorded a result; the job was taken up again."

# Not for security: the jitter only keeps jobs that failed together from all
# coming back at the same moment.
_jitter = random.Random()  # noqa: S311


@dataclass(frozen=True)
class _Clock:
    """The current time, or a given time moved forward by the time elapsed since."""

    start: datetime
    started: float

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.monotonic() - self.started)


@dataclass(frozen=True)
class Claim:
    """A job this worker holds the lease of, with the attempt it is making."""

    job: Job
    attempt: Attempt
    token: str


def backoff(failed_attempts: int) -> timedelta:
    """The wait before the next attempt after `failed_attempts` failures.

    Exponential (OUTBOX_BACKOFF_SECONDS, doubled after each failure, at most
    OUTBOX_BACKOFF_MAX_SECONDS), with "equal jitter": a random point between
    half of that delay and all of it.
    """
    exponent = min(max(failed_attempts - 1, 0), 60)
    ceiling = min(config.backoff_max_seconds(), config.backoff_seconds() * 2**exponent)
    return timedelta(seconds=_jitter.uniform(ceiling / 2, ceiling))


def run_due(limit: int, now: datetime | None = None) -> int:
    """Run up to `limit` jobs that are due, each at most once, and return how many ran.

    Only jobs of kinds with a registered handler are taken, so a worker never
    claims work it cannot do. `now` stands in for the current time; tests move
    it forward to make a retry due.
    """
    clock = _Clock(now or timezone.now(), time.monotonic())
    kinds = registry.kinds()
    ran: list[int] = []
    while kinds and len(ran) < limit:
        claim = claim_next(clock.now(), kinds, ran)
        if claim is None:
            break
        _run(claim, clock)
        ran.append(claim.job.pk)
    return len(ran)


def run_claimed(claim: Claim) -> None:
    """Run a claimed job and record the outcome (what a worker's thread does with each claim)."""
    _run(claim, _Clock(timezone.now(), time.monotonic()))


def renew(claims: list[Claim]) -> list[Claim]:
    """Extend the leases of `claims` from now; returns those whose lease was lost (cancelled, or run out)."""
    lost = []
    until = timezone.now() + timedelta(seconds=config.lease_seconds())
    for claim in claims:
        held = Job.objects.filter(pk=claim.job.pk, lease_token=claim.token, status=Job.Status.PENDING)
        if not held.update(next_attempt_at=until):
            lost.append(claim)
    return lost


def _due(now: datetime, kinds: frozenset[str], skip: list[int]) -> QuerySet[Job]:
    return (
        Job.objects.filter(status=Job.Status.PENDING, next_attempt_at__lte=now, kind__in=kinds)
        .exclude(pk__in=skip)
        .order_by("next_attempt_at", "pk")
    )


def claim_next(now: datetime, kinds: frozenset[str], skip: list[int]) -> Claim | None:
    """Take the lease of the oldest due job of `kinds` not in `skip`, or None when none is due."""
    token = uuid.uuid4().hex
    lease = {
        "attempts": F("attempts") + 1,
        "next_attempt_at": now + timedelta(seconds=config.lease_seconds()),
        "lease_token": token,
    }
    if connection.features.has_select_for_update_skip_locked:
        with transaction.atomic():
            job = _due(now, kinds, skip).select_for_update(skip_locked=True).first()
            if job is None:
                return None
            Job.objects.filter(pk=job.pk).update(**lease)
            return _start(job.pk, token, now)
    lost = list(skip)
    while candidates := list(_due(now, kinds, lost).values_list("pk", flat=True)[:_SQLITE_CANDIDATES]):
        for pk in candidates:
            # The UPDATE comes first in the transaction, so SQLite takes its
            # write lock before reading anything and waits for other writers.
            with transaction.atomic():
                still_due = Job.objects.filter(pk=pk, status=Job.Status.PENDING, next_attempt_at__lte=now)
                if still_due.update(**lease):
                    return _start(pk, token, now)
            lost.append(pk)
    return None


def _start(pk: int, token: str, now: datetime) -> Claim:
    job = Job.objects.get(pk=pk)
    # An attempt still "running" here belonged to a worker whose lease ran out.
    Attempt.objects.filter(job=job, outcome=Attempt.Outcome.RUNNING).update(
        outcome=Attempt.Outcome.INTERRUPTED, error=INTERRUPTED_ERROR
    )
    attempt = Attempt.objects.create(job=job, number=job.attempts, started_at=now)
    return Claim(job, attempt, token)


def _run(claim: Claim, clock: _Clock) -> None:
    job = claim.job
    function = registry.handler_for(job.kind)
    started = time.monotonic()
    status_code: int | None = None
    permanent = False
    message: dict[str, object] = {}
    try:
        if function is None:
            raise registry.JobFailed(f"no handler for jobs of kind {job.kind!r}")
        result = function(job)
    except registry.JobFailed as exc:
        error = str(exc) or type(exc).__name__
        status_code, permanent, message = exc.status_code, exc.permanent, exc.stored()
    except Exception as exc:  # noqa: BLE001 - a handler's bug must not stop the worker; it is logged and retried
        logger.exception("Job %s (%s) raised on attempt %s", job.pk, job.kind, job.attempts)
        error = f"{type(exc).__name__}: {exc}"
    else:
        _finish(claim, clock, started, status_code=result.status_code if result else None)
        return
    _finish(claim, clock, started, status_code=status_code, error=error, message=message, permanent=permanent)


def _finish(
    claim: Claim,
    clock: _Clock,
    started: float,
    *,
    status_code: int | None,
    error: str | None = None,
    message: dict[str, object] | None = None,
    permanent: bool = False,
) -> None:
    job = claim.job
    finished = clock.now()
    duration_ms = int((time.monotonic() - started) * 1000)
    if error is None:
        outcome = Attempt.Outcome.SUCCEEDED
        changes: dict[str, object] = {"status": Job.Status.DONE, "finished_at": finished, "last_error": ""}
        logger.info("Job %s (%s) done on attempt %s in %s ms", job.pk, job.kind, job.attempts, duration_ms)
    else:
        error = error[:ERROR_LIMIT]
        outcome = Attempt.Outcome.FAILED
        if permanent or job.attempts >= config.max_attempts():
            changes = {"status": Job.Status.FAILED, "finished_at": finished, "last_error": error}
            logger.error(
                "Job %s (%s) failed for good after %s attempts: %s", job.pk, job.kind, job.attempts, error
            )
        else:
            retry_at = finished + backoff(job.attempts)
            changes = {"next_attempt_at": retry_at, "last_error": error}
            logger.warning(
                "Job %s (%s) attempt %s failed: %s; next attempt at %s",
                job.pk,
                job.kind,
                job.attempts,
                error,
                retry_at.isoformat(),
            )
    with transaction.atomic():
        Attempt.objects.filter(pk=claim.attempt.pk).update(
            outcome=outcome,
            duration_ms=duration_ms,
            status_code=status_code,
            error=error or "",
            error_message=message or {},
        )
        kept = Job.objects.filter(pk=job.pk, lease_token=claim.token, status=Job.Status.PENDING).update(
            lease_token="", **changes
        )
    if not kept:
        logger.warning(
            "Job %s: attempt %s finished after its lease ran out or the job was cancelled; "
            "the attempt is logged but does not change the job.",
            job.pk,
            job.attempts,
        )
