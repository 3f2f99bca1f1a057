"""Value types of the API whose schema states what the server enforces.

A parameter the server checks against a closed list (a country, a region, a time zone) is an enum in
the OpenAPI document, so that a client, and the property-based test, can tell a valid value from an
invalid one without asking; a value outside the list is refused by validation (422) before any code
of the operation runs.
"""

import csv
import datetime
import re
import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, GetCoreSchemaHandler, GetJsonSchemaHandler, WithJsonSchema
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from cop.core.models.countries import REGION_NAMES

REFERENCE = Path(__file__).resolve().parent / "reference" / "countries.csv"


def _country_codes() -> list[str]:
    # The same file the reference data are loaded from (cop/core/reference/loader.py).
    with open(REFERENCE, newline="", encoding="utf-8") as f:
        return sorted(row["iso_alpha2"] for row in csv.DictReader(f))


@dataclass(frozen=True)
class OneOf:
    """Annotation of a string that must be one of `values`, documented as an enum:
    `Annotated[str, OneOf(values, "what it is")]`."""

    values: frozenset[str]
    description: str

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "enum": sorted(self.values), "description": self.description}

    def check(self, value: str) -> str:
        if value not in self.values:
            raise ValueError("not one of the allowed values")
        return value


COUNTRY_CODES = _country_codes()
# Either case is accepted, as it always was (`/countries/ke`); both spellings are in the enum so that the
# schema admits exactly what the server does.
CountryCode = Annotated[
    str,
    OneOf(
        frozenset(COUNTRY_CODES + [code.lower() for code in COUNTRY_CODES]),
        "ISO 3166-1 alpha-2 code of a UN Member or observer State, in either case.",
    ),
]
RegionCode = Annotated[str, OneOf(frozenset(REGION_NAMES), "An ITU region, as listed by /api/v1/regions.")]
TimeZone = Annotated[
    str, OneOf(frozenset(zoneinfo.available_timezones()), "An IANA time zone, e.g. Africa/Nairobi.")
]

CLOCK = re.compile(r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$")


def _clock(value: Any) -> Any:
    # A time of day on the family's clock: no offset, no fraction, no number of seconds, which the
    # JSON Schema "time" format (RFC 3339, offset required) and pydantic's lax parsing would admit.
    if isinstance(value, datetime.time):  # a stored schedule's, on the way out
        return value
    if not isinstance(value, str) or not CLOCK.match(value):
        raise ValueError("a time of day as HH:MM or HH:MM:SS")
    return value


ClockTime = Annotated[
    datetime.time,
    BeforeValidator(_clock),
    WithJsonSchema(
        {"type": "string", "pattern": CLOCK.pattern, "description": "A time of day, HH:MM or HH:MM:SS."}
    ),
]
