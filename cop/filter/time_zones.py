"""Time zones for a family's schedules: its country's main zone by default, its country's and the
common zones first, every other zone after.

Which zones a country has comes from Unicode CLDR (through Babel, already used for country names).
CLDR does not say which of several is the main one, so for the countries with more than one the
main zone (the capital's, or the most populous region's) is written below; a test checks that the
table names every country with several zones, so a CLDR update that splits a country fails there.
"""

from __future__ import annotations

import zoneinfo
from functools import cache

from babel.core import get_global
from django.http import HttpRequest
from django.utils.translation.trans_real import parse_accept_lang_header

AVAILABLE = frozenset(zoneinfo.available_timezones())

MAIN_ZONE = {
    "AR": "America/Argentina/Buenos_Aires",
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "CA": "America/Toronto",
    "CD": "Africa/Kinshasa",
    "CL": "America/Santiago",
    "CN": "Asia/Shanghai",
    "CY": "Asia/Nicosia",
    "DE": "Europe/Berlin",
    "EC": "America/Guayaquil",
    "ES": "Europe/Madrid",
    "FM": "Pacific/Pohnpei",
    "ID": "Asia/Jakarta",
    "KI": "Pacific/Tarawa",
    "KZ": "Asia/Almaty",
    "MH": "Pacific/Majuro",
    "MN": "Asia/Ulaanbaatar",
    "MX": "America/Mexico_City",
    "MY": "Asia/Kuala_Lumpur",
    "NZ": "Pacific/Auckland",
    "PG": "Pacific/Port_Moresby",
    "PS": "Asia/Hebron",
    "PT": "Europe/Lisbon",
    "RU": "Europe/Moscow",
    "UA": "Europe/Kyiv",
    "US": "America/New_York",
    "UZ": "Asia/Tashkent",
}

# Zones many people live in, one or two per region of the world, shown after the country's own.
COMMON = [
    "UTC",
    "Europe/London",
    "Europe/Paris",
    "Europe/Moscow",
    "Africa/Lagos",
    "Africa/Cairo",
    "Africa/Nairobi",
    "Africa/Johannesburg",
    "Asia/Dubai",
    "Asia/Karachi",
    "Asia/Kolkata",
    "Asia/Dhaka",
    "Asia/Jakarta",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "America/Mexico_City",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
]


@cache
def zones_of(iso2: str) -> list[str]:
    """The country's zones, its main zone first, then the others by name."""
    zones = [z for z in get_global("territory_zones").get(iso2.upper(), []) if z in AVAILABLE]
    main = main_zone(iso2, zones)
    return ([main] if main else []) + sorted(z for z in zones if z != main)


def main_zone(iso2: str, zones: list[str] | None = None) -> str | None:
    if zones is None:
        zones = zones_of(iso2)
    if len(zones) == 1:
        return zones[0]
    main = MAIN_ZONE.get(iso2.upper())
    return main if main in zones else None


def grouped_choices(
    iso2: str | None, country_label: str, common_label: str, others_label: str
) -> list[tuple[str, list[tuple[str, str]]]]:
    """Choices with optgroups: the country's zones (when a country is known), the common ones, the rest."""
    own = zones_of(iso2) if iso2 else []
    common = [z for z in COMMON if z not in own]
    shown = set(own) | set(common)
    others = sorted(AVAILABLE - shown)
    groups = [(country_label, own), (common_label, common), (others_label, others)]
    return [(label, [(z, z.replace("_", " ")) for z in zones]) for label, zones in groups if zones]


def country_hint(request: HttpRequest) -> str | None:
    """A first guess at where a new family lives: the region of the browser's languages ("fr-FR")."""
    from cop.core.models import Country

    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for tag, _quality in parse_accept_lang_header(header)[:5]:
        parts = tag.replace("_", "-").split("-")
        regions = [p for p in parts[1:] if len(p) == 2 and p.isalpha()]
        if regions and Country.objects.filter(iso2=regions[0].upper()).exists():
            return regions[0].upper()
    return None
