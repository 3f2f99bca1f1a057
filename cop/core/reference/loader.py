"""Loads the country and region reference data into the database.

Facts come from `countries.csv` and `sources.json` beside this file (where
each fact came from is stored with it); names come from CLDR through Babel and
ISO codes from pycountry, so no name or code is typed by hand. Running it again
updates what changed and leaves the rest untouched.
"""

from __future__ import annotations

import csv
import datetime
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pycountry
from babel import Locale
from django.conf import settings
from django.db import transaction

from cop.core import audit
from cop.core.models import Country, Region

HERE = Path(__file__).resolve().parent
REGION_ORDER = ["africa", "americas", "arab-states", "asia-pacific", "cis", "europe"]
# Django's language codes and the CLDR locales that carry their names.
CLDR_LOCALES = {"ar": "ar", "zh-hans": "zh_Hans", "en": "en", "fr": "fr", "ru": "ru", "es": "es"}

Progress = Callable[[int, int, str], None]


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _date(value: str | None) -> datetime.date | None:
    return datetime.date.fromisoformat(value) if value else None


def read_rows() -> list[dict[str, str]]:
    with open(HERE / "countries.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def read_sources() -> dict[str, dict[str, str | None]]:
    with open(HERE / "sources.json", encoding="utf-8") as f:
        data: dict[str, dict[str, str | None]] = json.load(f)
    return data


def cldr_names(iso2: str) -> dict[str, str]:
    names = {}
    for code, _name in settings.LANGUAGES:
        name = Locale.parse(CLDR_LOCALES[code]).territories.get(iso2)
        if not name:
            raise ValueError(f"CLDR has no {code} name for {iso2}")
        names[code] = name
    return names


def load_reference_data(progress: Progress | None = None) -> LoadResult:
    sources = read_sources()
    rows = read_rows()
    result = LoadResult()
    with audit.acting_as(audit.AuditActor(label="system: load_reference_data")), transaction.atomic():
        for position, code in enumerate(REGION_ORDER):
            region, created = Region.objects.get_or_create(
                code=code, defaults={"position": position, "source": sources["itu_region"]["source"] or ""}
            )
            if not created and (region.position, region.source) != (
                position,
                sources["itu_region"]["source"],
            ):
                region.position = position
                region.source = sources["itu_region"]["source"] or ""
                region.save()
        regions = {r.code: r for r in Region.objects.all()}
        for index, row in enumerate(rows, start=1):
            iso2 = row["iso_alpha2"]
            iso = pycountry.countries.get(alpha_2=iso2)
            if iso is None:
                raise ValueError(f"{iso2} is not an ISO 3166-1 code")
            names = cldr_names(iso2)
            values = {
                "iso3": iso.alpha_3,
                "numeric": iso.numeric,
                "names": names,
                "name_en": names["en"],
                "un_status": row["un_status"],
                "region": regions[row["itu_region"]],
                "region_as_of": _date(sources["itu_region"]["as_of"]),
                "development_level": row["development_level"],
                "development_level_source": sources["development_level"]["source"],
                "development_level_as_of": _date(sources["development_level"]["as_of"]),
            }
            country = Country.objects.filter(pk=iso2).first()
            if country is None:
                Country.objects.create(iso2=iso2, **values)
                result.created += 1
            else:
                changed = False
                for key, value in values.items():
                    if getattr(country, key) != value:
                        setattr(country, key, value)
                        changed = True
                if changed:
                    country.save()
                    result.updated += 1
                else:
                    result.unchanged += 1
            if progress:
                progress(index, len(rows), iso2)
    return result
