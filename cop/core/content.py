"""Shared helpers for the reviewed content files under `content/`.

Every loader validates everything first and writes nothing when a single file
is wrong, so a bad commit never leaves the database half-updated.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings


def content_dir() -> Path:
    return Path(settings.CONTENT_DIR)


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


class ContentError(Exception):
    """One or more content files are invalid; nothing was loaded."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class Problems:
    items: list[str] = field(default_factory=list)

    def add(self, path: Path | str, message: str) -> None:
        where = path.relative_to(content_dir()) if isinstance(path, Path) and path.is_absolute() else path
        self.items.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            raise ContentError(self.items)


def read_toml(path: Path, problems: Problems) -> dict[str, Any] | None:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        problems.add(path, "missing")
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        problems.add(path, f"not valid TOML: {error}")
    return None


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split a Markdown file that starts with TOML front matter between `+++` lines."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "+++":
        raise ValueError("the file must start with a line '+++' opening the front matter")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "+++")
    except StopIteration:
        raise ValueError("the front matter is not closed by a line '+++'") from None
    try:
        meta = tomllib.loads("\n".join(lines[1:end]))
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"the front matter is not valid TOML: {error}") from None
    return meta, "\n".join(lines[end + 1 :]).strip() + "\n"
