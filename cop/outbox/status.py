"""How the outbox is doing, for the health endpoint and monitoring."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min, Q
from django.utils import timezone

from cop.outbox.models import Job


def summary() -> dict[str, Any]:
    """Pending jobs in three groups, and how long the oldest due job has waited for a worker.

    waiting: due and not held by a live lease (queued, retries due, or a dead worker's job);
    running: held by a worker's lease; scheduled: due later (retries after a failure, refreshes).
    A growing `oldest_waiting_seconds` means no worker runs, or the workers cannot keep up.
    """
    now = timezone.now()
    due = Q(next_attempt_at__lte=now)
    counts = Job.objects.filter(status=Job.Status.PENDING).aggregate(
        waiting=Count("pk", filter=due),
        running=Count("pk", filter=~due & ~Q(lease_token="")),
        scheduled=Count("pk", filter=~due & Q(lease_token="")),
        oldest=Min("next_attempt_at", filter=due),
    )
    oldest = counts.pop("oldest")
    counts["oldest_waiting_seconds"] = round((now - oldest).total_seconds(), 1) if oldest else None
    return counts
