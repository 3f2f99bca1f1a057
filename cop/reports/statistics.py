"""Anonymous counts of reports and of what was done, protected against disclosure.

These are the "incidents and responses" indicators of the COP statistical framework: how
many reports, about which risks, from which countries, with which outcome, and how fast
hotlines acted. Every figure comes from cop/core/disclosure.py: a small count is withheld,
and so is whatever would let it be worked out by subtraction.

A page may ask for one year and one country. So that comparing one country's figures with
everybody's, or one year's with all years', reveals nothing, every view is a slice of the
same three tables of all reports — by year, country and month; by year, country and risk;
by year, country and outcome — protected together as one population. The reports acted on
are a second population (year, country, month), protected on its own; a median time is
published only where its count is.

Protecting the tables of every report takes a moment on a large installation (a second or
more for tens of thousands of reports from many countries), so the protected tables are
kept in the cache until anything audited changes, and at most CACHE_SECONDS.
"""

from __future__ import annotations

import datetime
import hashlib
import statistics as stats
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Count, Max, OuterRef, Subquery
from django.db.models.functions import TruncMonth
from django.utils import timezone

from cop.core import disclosure
from cop.core.disclosure import Protected, Table
from cop.core.models import AuditEvent
from cop.reports.models import Case, Report

CACHE_SECONDS = 600

NOT_GIVEN = "not-given"
NOT_ASSESSED = "not-yet-assessed"


def threshold() -> int:
    return disclosure.threshold()


@dataclass(frozen=True)
class Cell:
    key: str
    count: int | None  # None: withheld

    @property
    def suppressed(self) -> bool:
        return self.count is None


@dataclass(frozen=True)
class Timing:
    month: str
    cases: int | None
    median_hours: float | None


@dataclass(frozen=True)
class Figures:
    """One view of the statistics (all reports, or one year's, one country's), as it may be published."""

    threshold: int
    total: int | None
    by_month: list[Cell]
    by_risk: list[Cell]
    by_country: list[Cell]
    by_outcome: list[Cell]
    timing: list[Timing]


def _first_case() -> Subquery:
    # The case a report first went to; forwards and referrals are the same incident again.
    return Subquery(
        Case.objects.filter(report=OuterRef("pk"), forwarded_from__isnull=True)
        .order_by("pk")
        .values("assessment")[:1]
    )


def _tables() -> tuple[Protected, Protected, Protected]:
    rows = (
        Report.objects.annotate(month=TruncMonth("submitted_at"), outcome=_first_case())
        .values("month", "country_id", "risk__code", "outcome")
        .annotate(n=Count("pk"))
        .order_by()
    )
    by_month: dict[tuple[str, ...], int] = defaultdict(int)
    by_risk: dict[tuple[str, ...], int] = defaultdict(int)
    by_outcome: dict[tuple[str, ...], int] = defaultdict(int)
    for row in rows:
        year, month = f"{row['month']:%Y}", f"{row['month']:%m}"
        country = row["country_id"]
        by_month[(year, country, month)] += row["n"]
        by_risk[(year, country, row["risk__code"] or NOT_GIVEN)] += row["n"]
        by_outcome[(year, country, row["outcome"] or NOT_ASSESSED)] += row["n"]
    months, risks, outcomes = disclosure.protect(
        Table(("year", "country", "month"), by_month),
        Table(("year", "country", "risk"), by_risk),
        Table(("year", "country", "outcome"), by_outcome),
    )
    return months, risks, outcomes


def _acted() -> tuple[Protected, dict[tuple[str, str, str], list[float]]]:
    hours: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    acted = Case.objects.filter(forwarded_from__isnull=True, actioned_at__isnull=False).values_list(
        "report__submitted_at", "report__country_id", "actioned_at"
    )
    for submitted, country, when in acted:
        if when is None:  # excluded by the query; the type does not know it
            continue
        local = timezone.localtime(submitted)
        key = (f"{local:%Y}", country, f"{local:%m}")
        hours[key].append((when - submitted) / datetime.timedelta(hours=1))
    (table,) = disclosure.protect(
        Table(("year", "country", "month"), {key: len(values) for key, values in hours.items()})
    )
    return table, hours


def _fingerprint() -> str:
    # Every change to a report or a case leaves an audit event, so the newest one (with its time,
    # as a rolled-back transaction may hand out its number again) tells whether anything changed.
    last = AuditEvent.objects.order_by("-id").values_list("id", "at").first()
    reports = Report.objects.aggregate(n=Count("pk"), last=Max("pk"))
    zone = timezone.get_current_timezone_name()
    state = f"{disclosure.threshold()}:{last}:{reports['n']}:{reports['last']}:{zone}"
    return hashlib.sha256(state.encode()).hexdigest()


def _protected() -> tuple[
    tuple[Protected, Protected, Protected], tuple[Protected, dict[tuple[str, str, str], list[float]]]
]:
    key = "cop-report-statistics:" + _fingerprint()
    found = cache.get(key)
    if found is None:
        found = (_tables(), _acted())
        cache.set(key, found, CACHE_SECONDS)
    return found  # type: ignore[no-any-return]


def _ordered(cells: list[Cell]) -> list[Cell]:
    # By published count, withheld ones last: ordering them by their true count would tell it.
    return sorted(cells, key=lambda c: (c.count is None, -(c.count or 0), c.key))


def figures(year: int | None = None, country: str | None = None) -> Figures:
    """The figures of all reports, or of one year's, or one country's, or both."""
    (months, risks, outcomes), (acted, hours) = _protected()
    view: dict[str, str] = {}
    if year:
        view["year"] = str(year)
    if country:
        view["country"] = country
    place = {"country": country} if country else {}
    # Each month of the year asked for, or every month of every year.
    periods = [view["year"]] if year else months.categories("year")
    by_month = [
        Cell(f"{y}-{m}", months.count(year=y, month=m, **place))
        for y in periods
        for m in months.categories("month")
        if months.count(year=y, month=m, **place) != 0
    ]
    timing = []
    for y in [view["year"]] if year else acted.categories("year"):
        for m in acted.categories("month"):
            cases = acted.count(year=y, month=m, **place)
            if cases == 0:
                continue
            median = None
            if cases is not None:
                found = [
                    value
                    for (yy, c, mm), values in hours.items()
                    if (yy, mm) == (y, m) and country in (None, c)
                    for value in values
                ]
                median = round(stats.median(found), 1)
            timing.append(Timing(f"{y}-{m}", cases, median))
    when = {"year": view["year"]} if year else {}
    countries = [country] if country else risks.categories("country")
    return Figures(
        threshold=risks.threshold,
        total=risks.count(**view),
        by_month=sorted(by_month, key=lambda c: c.key),
        by_risk=_ordered(
            [
                Cell(r, risks.count(risk=r, **view))
                for r in risks.categories("risk")
                if risks.count(risk=r, **view) != 0
            ]
        ),
        by_country=_ordered(
            [
                Cell(c, risks.count(country=c, **when))
                for c in countries
                if risks.count(country=c, **when) != 0
            ]
        ),
        by_outcome=_ordered(
            [
                Cell(o, outcomes.count(outcome=o, **view))
                for o in outcomes.categories("outcome")
                if outcomes.count(outcome=o, **view) != 0
            ]
        ),
        timing=sorted(timing, key=lambda t: t.month),
    )
