"""Where the country facts come from, in the reader's language.

`sources.json` keeps each source as the English text stored with the facts (for the open data and
the audit of a load); pages show the descriptions below instead, which are ours and so translated.
Names of publications stay as published, in their own language (see cop/core/languages.py).
A test checks that every source of `sources.json` has a description here.
"""

from __future__ import annotations

from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from cop.core.languages import with_names


def source_note(key: str) -> SafeString:
    """The translated description of source `key` of sources.json; KeyError for an unknown key."""
    notes = {
        "un_status": lambda: with_names(
            _(
                "United Nations, list of the 193 Member States and the two non-member observer States "
                "(Holy See, State of Palestine): %(address)s"
            ),
            {"address": ("un.org/en/about-us/member-states", "en")},
        ),
        "itu_region": lambda: with_names(
            _(
                "Regional groupings of the ITU Telecommunication Development Sector, as used in "
                "%(publication)s (Africa, Americas, Arab States, Asia-Pacific, CIS, Europe). Palau is "
                "not an ITU Member State; the COP Platform places it in Asia-Pacific."
            ),
            {"publication": ("ITU Facts and Figures", "en")},
        ),
        "development_level": lambda: with_names(
            _(
                "Least developed: the list of least developed countries of the UN Committee for "
                "Development Policy (44 countries after the graduation of Sao Tome and Principe on "
                "13 December 2024). Developed: the convention of the UN Statistics Division (Europe, "
                "Northern America, Japan, Australia, New Zealand). All others: developing."
            ),
            {},
        ),
        "names": lambda: with_names(
            _("Territory names of %(publication)s, as shipped with %(library)s"),
            {"publication": ("Unicode CLDR", "en"), "library": ("Babel", "en")},
        ),
    }
    return notes[key]()


def source_notes() -> dict[str, SafeString]:
    return {key: source_note(key) for key in ("un_status", "itu_region", "development_level", "names")}
