"""The one place that decides whether a name is blocked for a client.

Order of precedence, highest first:
1. the hotlines' illegal-content lists: blocked for every client, always — no profile,
   allowlist, pause or schedule can let it through, and no other list's exception either
   (an illegal-content list has no exceptions of its own);
2. a running pause of the profile: allowed;
3. a schedule window in force (bedtime; no games on school nights): its categories, or everything
   ("*"), are blocked except the names the window allows (homework sites);
4. the profile's own allow entries;
5. the profile's own block entries;
6. the blocked categories of the profile.

A category blocks a name when one of its lists does, each list read on its own (`rules.py`).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Mapping, Sequence, Set
from dataclasses import dataclass, field
from enum import Enum

from cop.filter.names import suffixes
from cop.filter.rules import Rule, list_blocks

TYPE_A = 1


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
        # Equal ends make a 24-hour window from the start, the same as one running past midnight.
        if self.start < self.end:
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
    """The active lists as compiled into a policy snapshot: each list is its rules (`rules.Rule`).

    `illegal` holds the hotlines' illegal-content lists; `categories` every other list by category.
    """

    illegal: Sequence[Collection[Rule]] = ()
    categories: Mapping[str, Sequence[Collection[Rule]]] = field(default_factory=dict)


def _hit(name: str, names: Set[str]) -> bool:
    # A parent's own entry, or a window's allowed site, covers its subdomains.
    return any(suffix in names for suffix in suffixes(name))


def _categories(name: str, qtype: int, lists: Lists) -> list[str]:
    """Every category with a list that blocks the name, in the order of `lists.categories`."""
    return [
        category
        for category, members in lists.categories.items()
        if any(list_blocks(rules, name, qtype) for rules in members)
    ]


def decide(
    name: str, profile: Profile, lists: Lists, now: datetime.datetime, qtype: int = TYPE_A
) -> Decision:
    if any(list_blocks(rules, name, qtype, exceptions=False) for rules in lists.illegal):
        return Decision(Verdict.BLOCK, Reason.ILLEGAL)
    if profile.paused_until is not None and now < profile.paused_until:
        return Decision(Verdict.ALLOW, Reason.PAUSED)
    categories = _categories(name, qtype, lists)
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
