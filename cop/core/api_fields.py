"""Value types of the API whose schema states what the server enforces.

A parameter the server checks against a closed list (a country, a region, a time zone) is an enum in
the OpenAPI document, so that a client, and the property-based test, can tell a valid value from an
invalid one without asking; a value outside the list is refused by validation (422) before any code
of the operation runs.
"""

import csv
import datetime
import re
import sys
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from django.utils.translation import gettext
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    GetJsonSchemaHandler,
    Strict,
    WithJsonSchema,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, core_schema

from cop.core.models.countries import REGION_NAMES
from cop.core.visible import check_name, is_invisible, pydantic_check


class Body(BaseModel):
    """Base of every JSON request body: the schema and the server agree on what a body may be.

    Strict: a JSON string is not a boolean or a number (`"share_abroad": "true"` is refused, as the schema
    says `boolean`), nor a number a string. Closed: a key the schema does not name is refused (422), and
    the schema says so (`additionalProperties: false`), instead of being silently dropped.
    A pydantic model rather than ninja's Schema, which reads any value's attributes and so would take
    `"contact": "text"` for an empty object.
    """

    model_config = ConfigDict(strict=True, extra="forbid")


# For a value that JSON writes as a string and pydantic's strict mode wants as a Python object (an enum
# member, a time of day): validated from its string, as the schema documents it.
FromString = Strict(False)


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
            raise ValueError(gettext("Choose one of the allowed values."))
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
        raise ValueError(gettext("Enter a time of day as HH:MM or HH:MM:SS."))
    return value


ClockTime = Annotated[
    datetime.time,
    FromString,
    BeforeValidator(_clock),
    WithJsonSchema(
        {"type": "string", "pattern": CLOCK.pattern, "description": "A time of day, HH:MM or HH:MM:SS."}
    ),
]


def refusing(refused: Callable[[str], bool]) -> str:
    """A pattern for text holding none of the characters `refused` is true of: `^[^…]*$`, with the
    characters as ranges in the class."""
    ranges: list[tuple[int, int]] = []
    for point in range(sys.maxunicode + 1):
        # Lone surrogates are left out: no regular-expression engine of JSON Schema takes them in a class.
        if refused(chr(point)) and not 0xD800 <= point <= 0xDFFF:
            if ranges and ranges[-1][1] == point - 1:
                ranges[-1] = (ranges[-1][0], point)
            else:
                ranges.append((point, point))

    def escape(point: int) -> str:
        # An escape both JSON Schema's (ECMA) and Python's regular expressions read; beyond the BMP the
        # character itself, since their escapes differ there.
        return f"\\u{point:04x}" if point <= 0xFFFF else chr(point)

    body = "".join(escape(a) if a == b else f"{escape(a)}-{escape(b)}" for a, b in ranges)
    return f"^[^{body}]*$"


# Text that shows what it holds (cop/core/visible.py): no control, format or blank character. It differs
# from `check_name` in two cases: a zero-width joiner inside a Persian or Indic word, or an emoji
# sequence, passes the check but not the pattern, which cannot say "between two such letters"; a lone
# surrogate (never valid text) passes the pattern but not the check.
VISIBLE_TEXT_PATTERN = refusing(is_invisible)


def _visible(value: Any) -> Any:
    # Before any trimming, on the text as sent, which is what the pattern describes: "\tname" is refused
    # by both, not trimmed into a valid name by the server alone.
    return _check_name(value) if isinstance(value, str) else value


_check_name = pydantic_check(check_name)

# A name, a label: refused by the server with check_name's translated message, stated in the schema as
# VISIBLE_TEXT_PATTERN. Combine with a length: `Annotated[VisibleText, StringConstraints(max_length=60)]`.
VisibleText = Annotated[
    str,
    BeforeValidator(_visible),
    Field(json_schema_extra={"pattern": VISIBLE_TEXT_PATTERN}),
]


# Free text (a description, a note): any character but NUL, which no database keeps as text and the
# middleware refuses in any request (400). Invisible characters stay, shown as codes where displayed.
FreeText = Annotated[str, Field(json_schema_extra={"pattern": "^[^\\u0000]*$"})]
