"""The family filter's anonymous counts, as the platform's indicators use them (preventive actions).

Counts are summed over every client and published by month and category, with the totals of each
month, of each category and of everything. They go through cop/core/disclosure.py like every
statistic of the platform: a count below COP_STATS_MIN_COUNT is withheld (None), and so is any
count or total that would let one be worked out by subtraction, so that a small installation
cannot reveal what one household did.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from cop.core import disclosure
from cop.filter.categories import BY_CODE
from cop.filter.models import PreventiveDaily


def _risk(category: str) -> str:
    return BY_CODE[category].risk if category in BY_CODE else ""


def preventive_by_month() -> dict[str, Any]:
    rows = (
        PreventiveDaily.objects.annotate(month=TruncMonth("day"))
        .values("month", "category")
        .annotate(blocked=Sum("count"))
        .order_by("month", "category")
    )
    counts: dict[tuple[str, ...], int] = {
        (f"{row['month']:%Y-%m}", row["category"]): int(row["blocked"]) for row in rows
    }
    (table,) = disclosure.protect(disclosure.Table(("month", "category"), counts))
    return {
        "suppression_threshold": table.threshold,
        "note": disclosure.note(table.threshold),
        "total": table.count(),
        "rows": [
            {
                "month": month,
                "category": category,
                "risk": _risk(category),
                "blocked": table.count(month=month, category=category),
            }
            for month, category in counts
        ],
        "by_month": [{"month": m, "blocked": table.count(month=m)} for m in table.categories("month")],
        "by_category": [
            {"category": c, "risk": _risk(c), "blocked": table.count(category=c)}
            for c in table.categories("category")
        ],
    }
