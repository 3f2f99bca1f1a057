"""Anonymous counts of reports and of what was done, with small counts suppressed.

These are the "incidents and responses" indicators of the COP statistical framework: how
many reports, about which risks, from which countries, with which outcome, and how fast
hotlines acted. A count below the threshold is never published, so that a rare case cannot
be singled out.
"""

from __future__ import annotations

import datetime
import statistics as stats
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth

from cop.reports.models import Case, Report

DEFAULT_THRESHOLD = 5


def threshold() -> int:
    value: int | None = getattr(settings, "REPORT_STATS_MIN_COUNT", None)
    return value or DEFAULT_THRESHOLD


@dataclass(frozen=True)
class Cell:
    key: str
    count: int | None  # None: suppressed

    @property
    def suppressed(self) -> bool:
        return self.count is None


def _cell(key: str, count: int) -> Cell:
    return Cell(key, count if count == 0 or count >= threshold() else None)


def reports(year: int | None = None, country: str | None = None) -> QuerySet[Report]:
    found = Report.objects.all()
    if year:
        found = found.filter(submitted_at__year=year)
    if country:
        found = found.filter(country_id=country)
    return found


def by_month(found: QuerySet[Report]) -> list[Cell]:
    rows = (
        found.annotate(month=TruncMonth("submitted_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    return [_cell(row["month"].strftime("%Y-%m"), row["n"]) for row in rows]


def by_risk(found: QuerySet[Report]) -> list[Cell]:
    rows = found.values("risk__code").annotate(n=Count("pk")).order_by("-n", "risk__code")
    return [_cell(row["risk__code"] or "not-given", row["n"]) for row in rows]


def by_country(found: QuerySet[Report]) -> list[Cell]:
    rows = found.values("country_id").annotate(n=Count("pk")).order_by("-n", "country_id")
    return [_cell(row["country_id"], row["n"]) for row in rows]


def _first_cases(found: QuerySet[Report]) -> QuerySet[Case]:
    # The case a report first went to; forwards and referrals are the same incident again.
    return Case.objects.filter(report__in=found, forwarded_from__isnull=True)


def by_outcome(found: QuerySet[Report]) -> list[Cell]:
    rows = _first_cases(found).values("assessment").annotate(n=Count("pk")).order_by("-n", "assessment")
    return [_cell(row["assessment"] or "not-yet-assessed", row["n"]) for row in rows]


@dataclass(frozen=True)
class Timing:
    month: str
    cases: int | None
    median_hours: float | None


def time_to_action(found: QuerySet[Report]) -> list[Timing]:
    hours: dict[str, list[float]] = {}
    for submitted, acted in (
        _first_cases(found)
        .filter(actioned_at__isnull=False)
        .values_list("report__submitted_at", "actioned_at")
    ):
        if acted is None:
            continue
        month = submitted.strftime("%Y-%m")
        hours.setdefault(month, []).append((acted - submitted) / datetime.timedelta(hours=1))
    result = []
    for month in sorted(hours):
        values = hours[month]
        if len(values) < threshold():
            result.append(Timing(month, None, None))
        else:
            result.append(Timing(month, len(values), round(stats.median(values), 1)))
    return result
