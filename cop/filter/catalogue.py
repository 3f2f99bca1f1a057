"""The catalogue of well-known public block lists (catalogue.toml): read, checked, refused whole if wrong.

It holds facts about lists, never the lists: `subscriptions.py` turns its defaults into FilterLists
that the worker downloads. Every category a parent can choose must have a default list, or be named
as uncovered with the reason, so that the parent's page can say why a category is empty.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cop.core.fetch import FetchError, parse_target
from cop.filter.categories import CHOOSABLE_CODES
from cop.filter.list_forms import MAX_REFRESH_HOURS

CATALOGUE = Path(__file__).resolve().parent / "catalogue.toml"
FORMATS = frozenset({"domains", "hosts", "adblock"})
TEXT_FIELDS = ("key", "category", "name", "publisher", "url", "format", "licence", "facts_source", "notes")
FLAGS = ("address_verified", "licence_verified", "default")
# The limits of the FilterList fields the entries fill.
MAX_NAME = 100
MAX_URL = 500


class CatalogueError(Exception):
    """The catalogue has problems; nothing in it was used."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass(frozen=True)
class Entry:
    key: str
    category: str
    name: str
    publisher: str
    url: str
    format: str
    licence: str
    facts_source: str
    address_verified: bool
    licence_verified: bool
    default: bool
    refresh_hours: int
    notes: str

    @property
    def source(self) -> str:
        """What the list's `source` says: who publishes it and under which licence."""
        return f"{self.publisher}; licence: {self.licence or 'not verified'}"


@dataclass(frozen=True)
class Catalogue:
    entries: tuple[Entry, ...]
    uncovered: dict[str, str]  # category code -> why no public list covers it

    def defaults(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.default]

    def for_category(self, code: str) -> list[Entry]:
        return [entry for entry in self.entries if entry.category == code]


def _entry(raw: Any, where: str, problems: list[str]) -> Entry | None:
    if not isinstance(raw, dict):
        problems.append(f"{where}: not a table")
        return None
    before = len(problems)
    unknown = set(raw) - {*TEXT_FIELDS, *FLAGS, "refresh_hours"}
    if unknown:
        problems.append(f"{where}: unknown fields {sorted(unknown)}")
    for name in TEXT_FIELDS:
        if not isinstance(raw.get(name), str):
            problems.append(f"{where}: {name} must be text")
    for name in FLAGS:
        if not isinstance(raw.get(name), bool):
            problems.append(f"{where}: {name} must be true or false")
    hours = raw.get("refresh_hours")
    if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= MAX_REFRESH_HOURS:
        problems.append(f"{where}: refresh_hours must be a whole number from 1 to {MAX_REFRESH_HOURS}")
    if len(problems) > before:
        return None
    entry = Entry(**{name: raw[name] for name in (*TEXT_FIELDS, *FLAGS, "refresh_hours")})
    for name in ("key", "category", "name", "publisher", "url", "format", "facts_source"):
        if not getattr(entry, name).strip():
            problems.append(f"{where}: {name} is empty")
    if entry.category not in CHOOSABLE_CODES:
        problems.append(f"{where}: unknown category {entry.category!r} (the illegal list is the hotline's)")
    if entry.format not in FORMATS:
        problems.append(f"{where}: format must be one of {sorted(FORMATS)}")
    if len(entry.name) > MAX_NAME or len(entry.url) > MAX_URL or len(entry.source) > MAX_URL:
        problems.append(f"{where}: name, url or source too long for a list")
    try:
        parse_target(entry.url)
    except FetchError as error:
        problems.append(f"{where}: url {entry.url!r}: {error.code}")
    if entry.default and not (entry.address_verified and entry.licence_verified and entry.licence):
        problems.append(f"{where}: only a list whose address and licence are verified can be a default")
    return entry


def parse(data: dict[str, Any]) -> Catalogue:
    """The catalogue in `data` (as read from TOML), or a CatalogueError listing every problem."""
    problems: list[str] = []
    unknown = set(data) - {"lists", "uncovered"}
    if unknown:
        problems.append(f"unknown sections {sorted(unknown)}")
    entries: list[Entry] = []
    for number, raw in enumerate(data.get("lists", []), start=1):
        entry = _entry(
            raw, f"lists[{number}] ({raw.get('key', '?') if isinstance(raw, dict) else '?'})", problems
        )
        if entry is not None:
            entries.append(entry)
    for field in ("key", "name"):
        values = [getattr(entry, field) for entry in entries]
        for value in sorted({v for v in values if values.count(v) > 1}):
            problems.append(f"two lists have the {field} {value!r}")
    uncovered: dict[str, str] = {}
    for raw in data.get("uncovered", []):
        code = raw.get("category") if isinstance(raw, dict) else None
        notes = raw.get("notes") if isinstance(raw, dict) else None
        if code not in CHOOSABLE_CODES or not isinstance(notes, str) or not notes.strip():
            problems.append(f"uncovered: {raw!r} needs a known category and notes saying why")
            continue
        uncovered[str(code)] = notes
    defaults = {entry.category for entry in entries if entry.default}
    for code in sorted(CHOOSABLE_CODES):
        if code in defaults and code in uncovered:
            problems.append(f"category {code!r} has a default list and is also named uncovered")
        if code not in defaults and code not in uncovered:
            problems.append(f"category {code!r} has no default list; add one or say why under [[uncovered]]")
    if problems:
        raise CatalogueError(problems)
    return Catalogue(tuple(entries), uncovered)


def load(path: Path = CATALOGUE) -> Catalogue:
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise CatalogueError([f"{path}: missing"]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise CatalogueError([f"{path}: not valid TOML: {error}"]) from None
    return parse(data)
