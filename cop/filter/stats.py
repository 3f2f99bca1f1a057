"""Writing the resolver's counters to the database, and forgetting them after their retention.

Runs in a thread of each resolver worker, never on the path of a query. Rows are counters, so two
workers adding to the same day and category add up rather than overwrite each other.
"""

from __future__ import annotations

import datetime

import dns.rdatatype
from django.conf import settings
from django.db import IntegrityError, close_old_connections, transaction
from django.db.models import F, Model
from django.utils import timezone

from cop.filter.models import (
    ActivityHourly,
    BlockedDaily,
    BlockedSite,
    PreventiveDaily,
    Profile,
    QueryLogEntry,
)
from cop.filter.resolver import Recorder
from cop.filter.snapshot import REASONS


def _add(model: type[Model], field: str, amount: int, **key: object) -> None:
    updated = model.objects.filter(**key).update(**{field: F(field) + amount})  # type: ignore[attr-defined]
    if updated:
        return
    try:
        with transaction.atomic():
            model.objects.create(**key, **{field: amount})  # type: ignore[attr-defined]
    except IntegrityError:  # another worker created the row in between
        model.objects.filter(**key).update(**{field: F(field) + amount})  # type: ignore[attr-defined]


def flush_from_worker(batch: Recorder) -> None:
    """What a resolver's flushing thread runs: a long-lived thread must drop dead connections first."""
    close_old_connections()
    flush(batch)


def flush(batch: Recorder) -> None:
    profiles = {profile_id for profile_id, *_rest in batch.activity}
    existing = set(Profile.objects.filter(pk__in=profiles).values_list("pk", flat=True))
    for (profile_id, day, hour), count in batch.activity.items():
        if profile_id in existing:
            _add(ActivityHourly, "queries", count, profile_id=profile_id, day=day, hour=hour)
    for (profile_id, day, category), count in batch.blocked.items():
        if profile_id in existing:
            _add(BlockedDaily, "count", count, profile_id=profile_id, day=day, category=category)
    for (profile_id, day, name, category), count in batch.sites.items():
        if profile_id in existing:
            _add(
                BlockedSite,
                "count",
                count,
                profile_id=profile_id,
                day=day,
                name=name[:253],
                category=category,
            )
    for (day, category), count in batch.preventive.items():
        _add(PreventiveDaily, "count", count, day=day, category=category)
    QueryLogEntry.objects.bulk_create(
        [
            QueryLogEntry(
                profile_id=profile_id,
                at=datetime.datetime.fromtimestamp(at, datetime.UTC),
                name=name[:253],
                qtype=dns.rdatatype.to_text(dns.rdatatype.RdataType.make(qtype))[:10],
                blocked=blocked,
                reason=REASONS[reason].value[:20],
            )
            for profile_id, at, name, qtype, blocked, reason in batch.log
            if profile_id in existing
        ]
    )


def purge(now: datetime.datetime | None = None) -> dict[str, int]:
    """Delete what is older than its retention; returns the rows deleted per kind."""
    now = now or timezone.now()
    oldest_day = (now - datetime.timedelta(days=settings.FILTER_REPORT_RETENTION_DAYS)).date()
    deleted = {}
    for model in (BlockedDaily, BlockedSite, ActivityHourly):
        deleted[model.__name__] = model.objects.filter(day__lt=oldest_day).delete()[0]
    oldest_log = now - datetime.timedelta(hours=settings.FILTER_QUERY_LOG_MAX_HOURS)
    deleted["QueryLogEntry"] = QueryLogEntry.objects.filter(at__lt=oldest_log).delete()[0]
    return deleted
