"""What a guardian's report shows, read from the counters the resolver keeps.

Counters name no site except in the "top blocked sites" table (BlockedSite): the raw query log is
shown only while a guardian has it on (Profile.query_log_until), and is off by default.
"""

from __future__ import annotations

import datetime
import zoneinfo
from dataclasses import dataclass, field

from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from cop.filter import actions
from cop.filter.categories import BY_CODE
from cop.filter.models import ActivityHourly, BlockedDaily, BlockedSite, Profile, QueryLogEntry
from cop.filter.policy import Reason

DAYS_BY_CATEGORY = 14
DAYS_TOP_SITES = 7
DAYS_ACTIVITY = 7
TOP_SITES = 10
QUERY_LOG_ROWS = 200


def category_label(code: str) -> str:
    """The words for what a block is counted under: a category, or the parent's own rule."""
    category = BY_CODE.get(code)
    if category is not None:
        return str(category.label)
    rules = {
        Reason.PROFILE_BLOCK.value: _("Your own list"),
        Reason.SCHEDULE.value: _("Schedule"),
        # Counted before blocks were counted by rule: one of the two, the counter cannot say which.
        "": _("Your own list or a schedule"),
    }
    # A code the resolver records but this version does not know (yet) is shown as it is.
    return str(rules.get(code, code))


def reason_label(reason: str) -> str:
    """Why the query log's line was answered as it was, in words; empty for the usual answer."""
    labels = {
        Reason.ILLEGAL.value: _("illegal content"),
        Reason.CATEGORY.value: _("a blocked category"),
        Reason.PROFILE_BLOCK.value: _("your own list"),
        Reason.PROFILE_ALLOW.value: _("your own list"),
        Reason.SCHEDULE.value: _("a schedule"),
        Reason.PAUSED.value: _("rules paused"),
        Reason.DEFAULT.value: "",
    }
    return str(labels.get(reason, reason))


@dataclass
class DayRow:
    day: datetime.date
    counts: list[int]
    total: int


@dataclass
class SiteRow:
    name: str
    category: str
    category_label: str
    count: int


@dataclass
class LogRow:
    at: datetime.datetime
    name: str
    qtype: str
    blocked: bool
    reason: str
    reason_label: str


@dataclass
class HourRow:
    hour: int
    queries: int


@dataclass
class Report:
    today: datetime.date
    categories: list[tuple[str, str]] = field(default_factory=list)
    days: list[DayRow] = field(default_factory=list)
    top_sites: list[SiteRow] = field(default_factory=list)
    hours: list[HourRow] = field(default_factory=list)
    busiest_hour: int = 0
    query_log_on: bool = False
    query_log: list[LogRow] = field(default_factory=list)

    @property
    def blocked_total(self) -> int:
        return sum(row.total for row in self.days)

    @property
    def activity_total(self) -> int:
        return sum(row.queries for row in self.hours)


def family_today(profile: Profile) -> datetime.date:
    # Days are the family's days: a report read in the evening must not already show tomorrow.
    return timezone.localdate(timezone=zoneinfo.ZoneInfo(profile.family.time_zone))


def build(profile: Profile) -> Report:
    today = family_today(profile)
    report = Report(today=today)

    since = today - datetime.timedelta(days=DAYS_BY_CATEGORY - 1)
    daily = BlockedDaily.objects.filter(profile=profile, day__gte=since, day__lte=today).values_list(
        "day", "category", "count"
    )
    counts: dict[tuple[datetime.date, str], int] = {}
    for day, category, count in daily:
        counts[(day, category)] = counts.get((day, category), 0) + count
    codes = sorted({category for _day, category in counts}, key=lambda code: category_label(code).casefold())
    report.categories = [(code, category_label(code)) for code in codes]
    for offset in range(DAYS_BY_CATEGORY):
        day = today - datetime.timedelta(days=offset)
        row = [counts.get((day, code), 0) for code in codes]
        report.days.append(DayRow(day=day, counts=row, total=sum(row)))

    sites = (
        BlockedSite.objects.filter(
            profile=profile, day__gte=today - datetime.timedelta(days=DAYS_TOP_SITES - 1), day__lte=today
        )
        .values("name")
        .annotate(total=Sum("count"))
        .order_by("-total", "name")[:TOP_SITES]
    )
    names = [row["name"] for row in sites]
    # A site's category can change between days (a list changed); the latest one is shown.
    latest = {
        name: category
        for name, category in BlockedSite.objects.filter(profile=profile, name__in=names)
        .order_by("day")
        .values_list("name", "category")
    }
    report.top_sites = [
        SiteRow(
            name=row["name"],
            category=latest.get(row["name"], ""),
            category_label=category_label(latest.get(row["name"], "")),
            count=row["total"] or 0,
        )
        for row in sites
    ]

    hourly = (
        ActivityHourly.objects.filter(
            profile=profile, day__gte=today - datetime.timedelta(days=DAYS_ACTIVITY - 1), day__lte=today
        )
        .values("hour")
        .annotate(total=Sum("queries"))
    )
    by_hour = {row["hour"]: row["total"] or 0 for row in hourly}
    report.hours = [HourRow(hour=hour, queries=by_hour.get(hour, 0)) for hour in range(24)]
    report.busiest_hour = max(by_hour.values(), default=0)

    report.query_log_on = actions.query_log_on(profile)
    if report.query_log_on:
        report.query_log = [
            LogRow(entry.at, entry.name, entry.qtype, entry.blocked, entry.reason, reason_label(entry.reason))
            for entry in QueryLogEntry.objects.filter(profile=profile).order_by("-at")[:QUERY_LOG_ROWS]
        ]
    return report
