"""The resolver's counters in the platform: written with Django's connection, forgotten after their retention.

The workers write their counters without Django (`counts.py`, the same statements); `flush` runs
them through Django, for tests and for anything in the platform that holds a batch.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from cop.filter import counts
from cop.filter.models import ActivityHourly, BlockedDaily, BlockedSite, QueryLogEntry
from cop.filter.resolver import Recorder


def flush(batch: Recorder) -> None:
    """Add a batch's counts through Django's connection: the statements the workers run (`counts.py`)."""
    with transaction.atomic(), connection.cursor() as cursor:
        counts.write(batch, cursor, connection.vendor)


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
