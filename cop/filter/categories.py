"""What a block list is about, and where that sits in the platform's threat classification.

The codes are stable: they are stored on lists, profiles and schedules and compiled into the
resolver's snapshot. `illegal` is the national hotline's list and is not a choice a parent makes:
it applies to every client and nothing can allow it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ILLEGAL = "illegal"


@dataclass(frozen=True)
class Category:
    code: str
    label: str | Promise
    # The risk of the classification (cop.threats) the category mostly covers, when one fits.
    risk: str = ""


CATEGORIES: tuple[Category, ...] = (
    Category(ILLEGAL, _("Illegal content (national hotline)"), "content-sexual"),
    Category("adult", _("Adult content"), "content-sexual"),
    Category("violence", _("Violence and gore"), "content-aggressive"),
    Category("hate", _("Hate and extremism"), "content-values"),
    Category("self-harm", _("Self-harm and suicide"), "health"),
    Category("drugs", _("Drugs and alcohol"), "health"),
    Category("gambling", _("Gambling"), "contract-values"),
    Category("scams", _("Scams, phishing and malware"), "contract-aggressive"),
    Category("dating", _("Dating and chat with strangers"), "contact-sexual"),
    Category("social", _("Social networks"), ""),
    Category("games", _("Games"), ""),
    Category("video", _("Video streaming"), ""),
)
BY_CODE: dict[str, Category] = {category.code: category for category in CATEGORIES}
# What a parent may block; the illegal list is always blocked and never offered as a choice.
CHOOSABLE: tuple[Category, ...] = tuple(c for c in CATEGORIES if c.code != ILLEGAL)
CHOOSABLE_CODES: frozenset[str] = frozenset(c.code for c in CHOOSABLE)

# Starting points by age band that a parent then adjusts.
PRESETS: dict[str, frozenset[str]] = {
    "5-7": frozenset(CHOOSABLE_CODES - {"video"}),
    "8-12": frozenset(
        {"adult", "violence", "hate", "self-harm", "drugs", "gambling", "scams", "dating", "social"}
    ),
    "13-17": frozenset({"adult", "hate", "self-harm", "drugs", "gambling", "scams", "dating"}),
}
