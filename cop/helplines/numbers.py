"""Phone numbers, checked against libphonenumber's metadata (a maintained library, not our own rules)."""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.utils.translation import gettext_lazy as _
from phonenumbers import shortnumberinfo

from cop.core.errors import Invalid

# The parser behind Python's own re module, to enumerate the short, finite metadata patterns.
sre_parse: Any = importlib.import_module("re._parser")
sre_constants: Any = importlib.import_module("re._constants")


class InvalidNumber(Invalid):
    """A phone number that is not one of the country's."""


@dataclass(frozen=True)
class CheckedNumber:
    value: str  # E.164 for full numbers, the digits for a short code
    is_short: bool
    listed: bool  # whether the numbering metadata knows the number


def check_number(raw: str, region: str, allow_unlisted_short: bool = False) -> CheckedNumber:
    """A full number becomes E.164; a short code (116, 1098) stays as dialled in its country."""
    text = raw.strip()
    if not text or len(text) > 30 or not re.fullmatch(r"[+0-9 ()./-]+", text):
        raise InvalidNumber(_("A phone number has only digits, spaces, +, -, ( ) and dots."))
    try:
        parsed = phonenumbers.parse(text, region)
    except phonenumbers.NumberParseException as error:
        raise InvalidNumber(_("This is not a phone number (%(reason)s)."), reason=str(error)) from None
    if phonenumbers.is_valid_number(parsed):
        # Numbers shared by a calling-code zone (+1 800 ...) are valid in each of its countries.
        if not phonenumbers.is_valid_number_for_region(parsed, region) and not text.startswith("+"):
            raise InvalidNumber(_("The number does not belong to this country."))
        return CheckedNumber(
            phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164), False, True
        )
    digits = re.sub(r"\D", "", text)
    if text.startswith("+") or not 3 <= len(digits) <= 8:
        raise InvalidNumber(_("This is not a valid number in this country."))
    short = phonenumbers.parse(digits, region)
    if shortnumberinfo.is_valid_short_number_for_region(short, region):
        return CheckedNumber(digits, True, True)
    if allow_unlisted_short:
        return CheckedNumber(digits, True, False)
    raise InvalidNumber(_("This is not a valid phone number or short code in this country."))


def display_number(value: str, region: str) -> str:
    if value.startswith("+"):
        parsed = phonenumbers.parse(value, None)
        if phonenumbers.is_valid_number_for_region(parsed, region):
            return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    if value == "116111":
        return "116 111"
    return value


def _expand(pattern: str, max_length: int = 6) -> list[str]:
    """Every digit string the metadata pattern matches (these patterns are small and finite)."""
    parsed = sre_parse.parse(pattern)

    def strings(items: Any) -> set[str]:
        results = {""}
        for op, arg in items:
            results = {a + b for a in results for b in alternatives(op, arg) if len(a + b) <= max_length}
        return results

    def alternatives(op: Any, arg: Any) -> set[str]:
        if op is sre_constants.LITERAL:
            return {chr(arg)}
        if op is sre_constants.IN:
            chars: set[str] = set()
            for kind, value in arg:
                if kind is sre_constants.LITERAL:
                    chars.add(chr(value))
                elif kind is sre_constants.RANGE:
                    chars.update(chr(c) for c in range(value[0], value[1] + 1))
                elif kind is sre_constants.CATEGORY:
                    # "any digit" marks a block of service numbers, not one emergency number to show.
                    continue
                else:
                    raise ValueError(f"unsupported class item {kind}")
            return chars
        if op is sre_constants.BRANCH:
            return set().union(*(strings(branch) for branch in arg[1]))
        if op is sre_constants.SUBPATTERN:
            return strings(arg[-1])
        if op in (sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT):
            low, high, item = arg
            if high > max_length:
                raise ValueError("unbounded repeat")
            found: set[str] = set()
            for count in range(low, high + 1):
                found |= strings(list(item) * count)
            return found
        raise ValueError(f"unsupported pattern element {op}")

    return sorted(s for s in strings(parsed) if s)


# Each country's own best-known number first, then 112, then the rest.
MAX_SHOWN = 4
PREFERRED = ["911", "999", "000", "112", "110", "119", "100", "101", "102", "15", "17", "18"]


def emergency_numbers(region: str) -> list[str]:
    """The emergency numbers of a country per libphonenumber, the internationally known ones first."""
    metadata = phonenumbers.PhoneMetadata.short_metadata_for_region(region)
    if metadata is None or metadata.emergency is None or not metadata.emergency.national_number_pattern:
        return []
    numbers = _expand(metadata.emergency.national_number_pattern)
    rank = {n: i for i, n in enumerate(PREFERRED)}
    ordered = sorted(numbers, key=lambda n: (rank.get(n, len(PREFERRED)), len(n), n))
    return ordered[:MAX_SHOWN]


def library_version() -> str:
    return str(phonenumbers.__version__)
