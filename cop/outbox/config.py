"""The outbox's tunables, read from Django settings when used, each with a default.

Read on every use rather than at import, so that an operator's settings and a
test's override_settings both apply without a restart.
"""

from __future__ import annotations

from django.conf import settings


def _number(name: str, default: float, minimum: float) -> float:
    value = getattr(settings, name, default)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"setting {name} must be a number, not {value!r}") from None
    if number < minimum:
        raise ValueError(f"setting {name} must be at least {minimum}, not {number}")
    return number


def max_attempts() -> int:
    """Attempts before a job is marked failed (the first run included)."""
    return int(_number("OUTBOX_MAX_ATTEMPTS", 10, 1))


def backoff_seconds() -> float:
    """Delay before the first retry; it doubles with each further failure."""
    return _number("OUTBOX_BACKOFF_SECONDS", 30, 0)


def backoff_max_seconds() -> float:
    """The longest delay between two attempts."""
    return _number("OUTBOX_BACKOFF_MAX_SECONDS", 6 * 3600, 0)


def lease_seconds() -> float:
    """How long a claim on a job lasts unless its worker renews it.

    A running worker renews the leases of its jobs every third of this, so a
    job may take as long as it needs; a worker that dies stops renewing, and
    its jobs are due again this long after the last renewal.
    """
    return _number("OUTBOX_LEASE_SECONDS", 30, 1)


def concurrency() -> int:
    """How many jobs one `cop run_worker` runs at the same time."""
    return int(_number("OUTBOX_CONCURRENCY", 4, 1))


def poll_seconds() -> float:
    """How long an idle worker waits before looking for due jobs again."""
    return _number("OUTBOX_POLL_SECONDS", 5, 0.01)
