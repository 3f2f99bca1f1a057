"""Load the emergency numbers (from libphonenumber) and the documented helplines."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from cop.core.content import Problems
from cop.core.models import Country
from cop.helplines.models import Channel, ChannelKind, EmergencyNumber, Service, ServiceKind
from cop.helplines.numbers import InvalidNumber, check_number, emergency_numbers, library_version

SERVICES = Path(__file__).resolve().parent / "reference" / "services.toml"


@dataclass
class HelplinesResult:
    countries_with_emergency_numbers: int
    services_created: int
    services_kept: int


def _load_emergency_numbers(countries: list[Country]) -> int:
    source = f"libphonenumber short-number metadata (phonenumbers {library_version()})"
    covered = 0
    for country in countries:
        numbers = emergency_numbers(country.iso2)
        existing = list(country.emergency_numbers.order_by("position").values_list("number", "source"))
        wanted = [(n, source) for n in numbers]
        if existing != wanted:
            country.emergency_numbers.all().delete()
            EmergencyNumber.objects.bulk_create(
                EmergencyNumber(country=country, number=n, position=i, source=source)
                for i, n in enumerate(numbers, start=1)
            )
        covered += bool(numbers)
    return covered


@transaction.atomic
def load_helplines() -> HelplinesResult:
    countries = list(Country.objects.all())
    known = {c.iso2 for c in countries}
    with SERVICES.open("rb") as handle:
        entries = tomllib.load(handle)["services"]
    problems = Problems()
    for entry in entries:
        where = f"helplines/reference/services.toml: {entry.get('name', '?')}"
        if entry.get("country") not in known:
            problems.add(where, "unknown country")
            continue
        if entry.get("kind") not in ServiceKind.values or not entry.get("source"):
            problems.add(where, "needs a known kind and a source")
        for channel in entry.get("channels", []):
            if channel["kind"] in (ChannelKind.PHONE, ChannelKind.SMS):
                try:
                    check_number(
                        channel["value"], entry["country"], channel.get("unlisted_short_code", False)
                    )
                except InvalidNumber as error:
                    problems.add(where, f"{channel['value']}: {error}")
    problems.raise_if_any()
    covered = _load_emergency_numbers(countries)
    created = kept = 0
    for entry in entries:
        if Service.objects.filter(country_id=entry["country"], name=entry["name"]).exists():
            # Once loaded, an entry belongs to the people who maintain the directory.
            kept += 1
            continue
        service = Service.objects.create(
            country_id=entry["country"], name=entry["name"], kind=entry["kind"], source=entry["source"]
        )
        for position, channel in enumerate(entry.get("channels", []), start=1):
            checked = check_number(
                channel["value"], entry["country"], channel.get("unlisted_short_code", False)
            )
            Channel.objects.create(
                service=service,
                kind=channel["kind"],
                value=checked.value,
                unlisted_short_code=not checked.listed,
                position=position,
            )
        created += 1
    return HelplinesResult(covered, created, kept)
