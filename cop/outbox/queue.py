"""Putting work into the outbox, and taking back work not yet done."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from cop.outbox import registry
from cop.outbox.models import Job


def enqueue(kind: str, payload: dict[str, Any] | None = None, dedupe_key: str | None = None) -> Job:
    """Queue a job of `kind`, in the caller's database transaction.

    Call it inside the same `transaction.atomic()` as the write that calls for
    the work: the job exists only if that write commits, and a worker sees it
    only then. With a `dedupe_key`, queuing the same key again returns the job
    already queued rather than a second one.
    """
    if registry.handler_for(kind) is None:
        raise ValueError(f"no handler is registered for jobs of kind {kind!r}")
    payload = payload or {}
    # Fail here, in the caller, rather than later in a worker.
    json.dumps(payload)
    if not dedupe_key:
        return Job.objects.create(kind=kind, payload=payload)
    try:
        # A savepoint, so that a duplicate leaves the caller's transaction usable.
        with transaction.atomic():
            return Job.objects.create(kind=kind, payload=payload, dedupe_key=dedupe_key)
    except IntegrityError:
        existing = Job.objects.filter(dedupe_key=dedupe_key).first()
        if existing is None:
            raise
        if existing.kind != kind:
            raise ValueError(
                f"dedupe key {dedupe_key!r} is taken by a job of kind {existing.kind!r}"
            ) from None
        return existing


def cancel(job_ids: Iterable[int], reason: str) -> int:
    """Mark still-pending jobs failed without running them again; returns how many were cancelled.

    A job that a worker is running at this moment finishes its attempt, but
    its result no longer changes the job.
    """
    return Job.objects.filter(pk__in=list(job_ids), status=Job.Status.PENDING).update(
        status=Job.Status.FAILED, finished_at=timezone.now(), last_error=reason, lease_token=""
    )
