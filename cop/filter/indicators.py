"""The family filter's anonymous counts, as the platform's indicators use them (preventive actions).

Counts are summed over every client and published by month and category; like the reporting
statistics, a count below COP_REPORT_STATS_MIN_COUNT is withheld (None), so that a small
installation cannot reveal what one household did.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Sum
from django.db.models.functions import TruncMonth

from cop.filter.categories import BY_CODE
from cop.filter.models import PreventiveDaily
from cop.reports.statistics import threshold


def preventive_by_month() -> list[dict[str, Any]]:
    rows = (
        PreventiveDaily.objects.annotate(month=TruncMonth("day"))
        .values("month", "category")
        .annotate(blocked=Sum("count"))
        .order_by("month", "category")
    )
    minimum = threshold()
    return [
        {
            "month": row["month"].strftime("%Y-%m"),
            "category": row["category"],
            "risk": BY_CODE[row["category"]].risk if row["category"] in BY_CODE else "",
            "blocked": row["blocked"] if row["blocked"] >= minimum else None,
        }
        for row in rows
    ]
