"""The one place that decides whether a name is blocked for a client.

Order of precedence, highest first:
1. the national hotline's illegal-content list: blocked for every client, always — no profile,
   allowlist, pause or schedule can let it through;
2. a running pause of the profile: allowed;
3. a schedule window in force (bedtime; no games on school nights): its categories, or everything
   ("*"), are blocked except the names the window allows (homework sites);
4. the profile's own allow entries;
5. the profile's own block entries;
6. the blocked categories of the profile.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Set
from dataclasses import dataclass, field
from enum import Enum

from cop.filter.names import suffixes


class Verdict(Enum):
    ALLOW = "allow"
    BLOCK = "block"


class Reason(Enum):
    ILLEGAL = "illegal-content"
    PAUSED = "paused"
    PROFILE_ALLOW = "profile-allow"
    PROFILE_BLOCK = "profile-block"
    SCHEDULE = "schedule"
    CATEGORY = "category"
    DEFAULT = "default"


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    reason: Reason
    category: str = ""


@dataclass(frozen=True)
class Window:
    """A recurring time window, e.g. bedtime 20:00-07:00 every day, or games on school nights."""

    days: frozenset[int]  # 0 = Monday
    start: datetime.time
    end: datetime.time
    # Categories blocked in the window; "*" blocks everything except `allowed`.
    categories: frozenset[str]
    allowed: frozenset[str] = frozenset()

    def active(self, now: datetime.datetime) -> bool:
        moment = now.time()
        if self.start <= self.end:
            return now.weekday() in self.days and self.start <= moment < self.end
        # Over midnight: the evening part belongs to the day it starts.
        if moment >= self.start:
            return now.weekday() in self.days
        return (now.weekday() - 1) % 7 in self.days and moment < self.end


@dataclass(frozen=True)
class Profile:
    blocked_categories: frozenset[str] = frozenset()
    allow: frozenset[str] = frozenset()
    block: frozenset[str] = frozenset()
    windows: tuple[Window, ...] = ()
    paused_until: datetime.datetime | None = None


@dataclass(frozen=True)
class Lists:
    """Category -> names, as compiled into a policy snapshot; `illegal` is the hotline's list."""

    illegal: Set[str] = field(default_factory=frozenset)
    categories: Mapping[str, Set[str]] = field(default_factory=dict)
    # A list's own exceptions (`@@` lines), by category; "illegal" for the hotline's list.
    exceptions: Mapping[str, Set[str]] = field(default_factory=dict)


def _hit(name: str, names: Set[str]) -> bool:
    # A listed domain covers its subdomains.
    return any(suffix in names for suffix in suffixes(name))


def _categories(name: str, lists: Lists) -> list[str]:
    """Every category whose list holds the name, in the order of `lists.categories`."""
    return [
        category
        for category, names in lists.categories.items()
        if _hit(name, names) and not _hit(name, lists.exceptions.get(category, frozenset()))
    ]


def decide(name: str, profile: Profile, lists: Lists, now: datetime.datetime) -> Decision:
    if _hit(name, lists.illegal) and not _hit(name, lists.exceptions.get("illegal", frozenset())):
        return Decision(Verdict.BLOCK, Reason.ILLEGAL)
    if profile.paused_until is not None and now < profile.paused_until:
        return Decision(Verdict.ALLOW, Reason.PAUSED)
    categories = _categories(name, lists)
    first = categories[0] if categories else ""
    for window in profile.windows:
        if window.active(now) and not _hit(name, window.allowed):
            if "*" in window.categories:
                return Decision(Verdict.BLOCK, Reason.SCHEDULE, first)
            blocked = [category for category in categories if category in window.categories]
            if blocked:
                return Decision(Verdict.BLOCK, Reason.SCHEDULE, blocked[0])
    if _hit(name, profile.allow):
        return Decision(Verdict.ALLOW, Reason.PROFILE_ALLOW, first)
    if _hit(name, profile.block):
        return Decision(Verdict.BLOCK, Reason.PROFILE_BLOCK, first)
    blocked = [category for category in categories if category in profile.blocked_categories]
    if blocked:
        return Decision(Verdict.BLOCK, Reason.CATEGORY, blocked[0])
    return Decision(Verdict.ALLOW, Reason.DEFAULT, first)
