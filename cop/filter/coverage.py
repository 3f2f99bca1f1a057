"""What each category holds right now, for the parent choosing it: names and freshness, or why it is empty.

A category blocks the names of its enabled lists' active versions. When there are none, the parent
is told why: no list is subscribed, the first download is pending or failed, or no public list
covers the category at all (the catalogue says which).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Max, Q
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cop.filter.catalogue import CATALOGUE, CatalogueError, load
from cop.filter.categories import CHOOSABLE
from cop.filter.models import FilterList, ListVersion

READY = "ready"
PENDING = "pending"
FAILED = "failed"
NOT_IMPORTED = "not-imported"
NO_LIST = "no-list"
UNCOVERED = "uncovered"

# Why a category is empty, in a few words (for the warning after saving) and in full (for the page).
SHORT: dict[str, Promise] = {
    READY: gettext_lazy("its lists hold no names"),
    PENDING: gettext_lazy("first download pending"),
    FAILED: gettext_lazy("download failed"),
    NOT_IMPORTED: gettext_lazy("nothing imported yet"),
    NO_LIST: gettext_lazy("no list subscribed"),
    UNCOVERED: gettext_lazy("no public list covers it"),
}
WHY_UNCOVERED: dict[str, Promise] = {
    "self-harm": gettext_lazy(
        "No well-known public block list covers self-harm and suicide: the words that mark harmful "
        "sites also mark the help and prevention services a child may need. Block the sites you are "
        "worried about one by one, under the child's own blocked sites."
    ),
}
FAILED_STATUSES = (ListVersion.Status.FAILED, ListVersion.Status.REJECTED)


@dataclass(frozen=True)
class CategoryStatus:
    code: str
    label: str | Promise
    state: str
    names: int = 0
    lists: int = 0
    refreshed_at: datetime.datetime | None = None
    problem: str = ""  # the reason the latest download of one of its lists failed

    @property
    def empty(self) -> bool:
        return self.names == 0

    @property
    def short(self) -> str:
        return str(SHORT.get(self.state, ""))

    @property
    def message(self) -> str:
        """A sentence for the parent (the page adds the date, formatted in the parent's language)."""
        if self.state == READY:
            text = _("Names blocked: %(count)s.") % {"count": number_format(self.names, force_grouping=True)}
            if self.problem:
                text += " " + _(
                    "The latest download failed (%(reason)s); the previous version stays in force."
                ) % {"reason": self.problem}
            return text
        if self.state == PENDING:
            return _("Empty for now: its list is still being downloaded for the first time.")
        if self.state == FAILED:
            return _("Empty: the download of its list failed: %(reason)s") % {"reason": self.problem}
        if self.state == NOT_IMPORTED:
            return _("Empty: a list is set up, but nothing has been imported into it yet.")
        if self.state == UNCOVERED:
            return str(
                WHY_UNCOVERED.get(
                    self.code,
                    gettext_lazy(
                        "Empty: no well-known public block list covers this category. Block the sites you "
                        "are worried about one by one, under the child's own blocked sites."
                    ),
                )
            )
        return _("Empty: no block list is subscribed for this category, so it blocks nothing yet.")


def uncovered_categories() -> frozenset[str]:
    """The categories the catalogue says no public list covers (none if the catalogue is unreadable)."""
    try:
        return frozenset(load(CATALOGUE).uncovered)
    except CatalogueError:
        return frozenset()


def _state(
    lists: Sequence[FilterList], active: dict[int, ListVersion], latest: dict[int, ListVersion]
) -> str:
    if any(filter_list.pk in active for filter_list in lists):
        return READY
    newest = [latest[filter_list.pk] for filter_list in lists if filter_list.pk in latest]
    if any(version.status == ListVersion.Status.IMPORTING for version in newest):
        return PENDING
    if any(version.status in FAILED_STATUSES for version in newest):
        return FAILED
    # A list with an address and no version yet gets one at its next refresh.
    return PENDING if any(filter_list.url for filter_list in lists) else NOT_IMPORTED


def category_statuses(uncovered: frozenset[str] | None = None) -> dict[str, CategoryStatus]:
    """The status of every category a parent may choose, in their order, in four queries."""
    uncovered = uncovered_categories() if uncovered is None else uncovered
    codes = [category.code for category in CHOOSABLE]
    lists = list(
        FilterList.objects.filter(enabled=True, category__in=codes).annotate(newest=Max("versions__number"))
    )
    active = {
        version.filter_list_id: version
        for version in ListVersion.objects.filter(
            filter_list__in=lists, status=ListVersion.Status.ACTIVE
        ).order_by("number")  # the newest active one wins
    }
    newest = Q(pk__in=[])
    for filter_list in lists:
        if filter_list.newest is not None:
            newest |= Q(filter_list=filter_list, number=filter_list.newest)
    latest = {version.filter_list_id: version for version in ListVersion.objects.filter(newest)}
    statuses: dict[str, CategoryStatus] = {}
    for category in CHOOSABLE:
        mine = [filter_list for filter_list in lists if filter_list.category == category.code]
        if not mine:
            state = UNCOVERED if category.code in uncovered else NO_LIST
            statuses[category.code] = CategoryStatus(category.code, category.label, state)
            continue
        in_force = [active[filter_list.pk] for filter_list in mine if filter_list.pk in active]
        failures = [
            latest[filter_list.pk].error_text or latest[filter_list.pk].get_status_display()
            for filter_list in mine
            if filter_list.pk in latest and latest[filter_list.pk].status in FAILED_STATUSES
        ]
        statuses[category.code] = CategoryStatus(
            code=category.code,
            label=category.label,
            state=_state(mine, active, latest),
            names=sum(version.blocked for version in in_force),
            lists=len(mine),
            refreshed_at=max((v.finished_at for v in in_force if v.finished_at), default=None),
            problem=failures[0] if failures else "",
        )
    return statuses


def empty_among(codes: list[str], statuses: dict[str, CategoryStatus]) -> list[CategoryStatus]:
    """The empty ones among `codes`, in the order categories are shown."""
    return [status for code, status in statuses.items() if code in codes and status.empty]
