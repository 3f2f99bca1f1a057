"""A per-address limit on submissions, kept in the database so that every web process shares it."""

from __future__ import annotations

import datetime
import hashlib

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from cop.reports.models import RateLimitHit


def _key(address: str) -> str:
    # Addresses are personal data: only a keyed digest is kept, and only for the window.
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


def allow(address: str, now: datetime.datetime | None = None) -> bool:
    """Count one submission from `address`; False once the window's limit is reached."""
    now = now or timezone.now()
    minutes: int = settings.REPORT_RATE_WINDOW_MINUTES or 10
    limit: int = settings.REPORT_RATE_LIMIT or 20
    start = now.replace(second=0, microsecond=0) - datetime.timedelta(minutes=now.minute % minutes)
    key = _key(address)
    with transaction.atomic():
        updated = RateLimitHit.objects.filter(key=key, window_start=start, count__lt=limit).update(
            count=F("count") + 1
        )
        if updated:
            return True
        if RateLimitHit.objects.filter(key=key, window_start=start).exists():
            return False
        try:
            with transaction.atomic():
                RateLimitHit.objects.create(key=key, window_start=start, count=1)
        except IntegrityError:
            # Another process created the window at the same moment; count in it.
            return bool(
                RateLimitHit.objects.filter(key=key, window_start=start, count__lt=limit).update(
                    count=F("count") + 1
                )
            )
    RateLimitHit.objects.filter(window_start__lt=start - datetime.timedelta(hours=1)).delete()
    return True
