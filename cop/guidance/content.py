"""Read and validate the guideline and library files under `content/`."""

from __future__ import annotations

import datetime
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from cop.core.content import Problems, content_dir, language_codes, read_toml, split_front_matter
from cop.guidance import markdown
from cop.guidance.models import AUDIENCE_GROUPS, ResourceAudience, ResourceType
from cop.threats.models import AgeBand

TITLE_MAX = 200
SUMMARY_MAX = 400
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


@dataclass
class ParsedText:
    language: str
    title: str
    summary: str
    body: str
    digest: str


@dataclass
class ParsedGuideline:
    audience: str
    group: str
    slug: str
    position: int
    risks: list[str]
    texts: dict[str, ParsedText] = field(default_factory=dict)

    @property
    def path(self) -> str:
        return f"guidelines/{self.audience}/{self.group}/{self.slug}"


def risk_codes(problems: Problems) -> set[str]:
    data = read_toml(content_dir() / "threats" / "classification.toml", problems) or {}
    return {r.get("code", "") for r in data.get("risks", [])}


def check_text_fields(title: Any, summary: Any, body: str) -> list[str]:
    """Problems with a guideline text, shared by the file loader and the web editor."""
    found = []
    if not isinstance(title, str) or not title.strip():
        found.append("needs a title")
    elif len(title) > TITLE_MAX:
        found.append(f"the title is longer than {TITLE_MAX} characters")
    if not isinstance(summary, str) or not summary.strip():
        found.append("needs a summary")
    elif len(summary) > SUMMARY_MAX:
        found.append(f"the summary is longer than {SUMMARY_MAX} characters")
    if not body.strip():
        found.append("has no body")
    elif markdown.has_raw_markup(body):
        found.append("contains HTML or a link; write plain Markdown (the pages add links)")
    return found


def _parse_text(path: Path, language: str, problems: Problems) -> ParsedText | None:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.add(path, "missing: every item needs all six languages")
        return None
    try:
        meta, body = split_front_matter(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as error:
        problems.add(path, str(error))
        return None
    found = check_text_fields(meta.get("title"), meta.get("summary"), body)
    for message in found:
        problems.add(path, message)
    if found:
        return None
    return ParsedText(
        language=language,
        title=meta["title"].strip(),
        summary=meta["summary"].strip(),
        body=body,
        digest=hashlib.sha256(raw).hexdigest(),
    )


def parse_guidelines() -> list[ParsedGuideline]:
    problems = Problems()
    root = content_dir() / "guidelines"
    codes = risk_codes(problems)
    items: list[ParsedGuideline] = []
    if not root.is_dir():
        problems.add(root, "missing")
        problems.raise_if_any()
    for audience_dir in sorted(p for p in root.iterdir() if p.is_dir()):
        audience = audience_dir.name
        if audience not in AUDIENCE_GROUPS:
            problems.add(audience_dir, f"unknown set; use one of {', '.join(AUDIENCE_GROUPS)}")
            continue
        for group_dir in sorted(p for p in audience_dir.iterdir() if p.is_dir()):
            if group_dir.name not in AUDIENCE_GROUPS[audience]:
                problems.add(group_dir, f"unknown group; use one of {', '.join(AUDIENCE_GROUPS[audience])}")
                continue
            for topic_dir in sorted(p for p in group_dir.iterdir() if p.is_dir()):
                item = _parse_item(audience, group_dir.name, topic_dir, codes, problems)
                if item is not None:
                    items.append(item)
    positions: dict[tuple[str, str, int], str] = {}
    for item in items:
        key = (item.audience, item.group, item.position)
        if key in positions:
            problems.add(item.path, f"has the same position as {positions[key]}")
        positions[key] = item.path
    problems.raise_if_any()
    return items


def _parse_item(
    audience: str, group: str, folder: Path, codes: set[str], problems: Problems
) -> ParsedGuideline | None:
    if not _SLUG.match(folder.name):
        problems.add(folder, "the folder name must be lower-case words joined by hyphens")
        return None
    meta = read_toml(folder / "item.toml", problems)
    if meta is None:
        return None
    position = meta.get("position")
    risks = meta.get("threats", [])
    if not isinstance(position, int) or position < 1:
        problems.add(folder / "item.toml", "position must be a whole number from 1")
        return None
    if not isinstance(risks, list) or not risks:
        problems.add(folder / "item.toml", "threats must list at least one risk code")
        return None
    unknown = [c for c in risks if c not in codes]
    if unknown:
        problems.add(folder / "item.toml", f"unknown risk codes: {', '.join(map(str, unknown))}")
        return None
    item = ParsedGuideline(audience, group, folder.name, position, list(risks))
    for language in language_codes():
        text = _parse_text(folder / f"{language}.md", language, problems)
        if text is not None:
            item.texts[language] = text
    extra = sorted(
        p.name for p in folder.iterdir() if p.suffix == ".md" and p.stem not in set(language_codes())
    )
    for name in extra:
        problems.add(folder / name, "not a platform language")
    english = item.texts.get(settings.LANGUAGE_CODE)
    if english is not None:
        expected = markdown.structure(english.body)
        for language, text in item.texts.items():
            got = markdown.structure(text.body)
            if got != expected:
                problems.add(
                    folder / f"{language}.md",
                    f"structure differs from English: {got.headings} headings, {got.bullets} list items, "
                    f"{got.checks} checklist items (English: {expected.headings}, {expected.bullets}, "
                    f"{expected.checks})",
                )
    return item if len(item.texts) == len(language_codes()) else None


@dataclass
class ParsedResource:
    slug: str
    title: str
    publisher: str
    year: int
    url: str
    type: str
    language: str
    audiences: list[str]
    age_bands: list[str]
    country: str
    licence: str
    risks: list[str]
    texts: dict[str, dict[str, str]]
    digest: str


def _list_of(value: Any, allowed: set[str]) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) and v in allowed for v in value):
        return None
    return list(value)


def parse_library() -> list[ParsedResource]:
    problems = Problems()
    codes = risk_codes(problems)
    folder = content_dir() / "library"
    resources = []
    this_year = datetime.date.today().year
    for path in sorted(folder.glob("*.toml")):
        raw = path.read_bytes()
        try:
            data = tomllib.loads(raw.decode("utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
            problems.add(path, f"not valid TOML: {error}")
            continue
        before = len(problems.items)
        for key in ("title", "publisher", "url", "type", "language", "licence"):
            if not isinstance(data.get(key), str) or not data[key].strip():
                problems.add(path, f"needs {key}")
        year = data.get("year")
        if not isinstance(year, int) or not 1980 <= year <= this_year:
            problems.add(path, f"year must be between 1980 and {this_year}")
        if not str(data.get("url", "")).startswith("https://") and not str(data.get("url", "")).startswith(
            "http://"
        ):
            problems.add(path, "url must be an http or https link")
        if data.get("type") not in ResourceType.values:
            problems.add(path, f"type must be one of {', '.join(ResourceType.values)}")
        if data.get("language") not in language_codes():
            problems.add(path, "language must be one of the platform languages")
        audiences = _list_of(data.get("audiences", []), set(ResourceAudience.values))
        bands = _list_of(data.get("age_bands", []), set(AgeBand.values))
        risks = _list_of(data.get("threats", []), codes)
        if audiences is None or not audiences:
            problems.add(path, "audiences must list at least one of " + ", ".join(ResourceAudience.values))
        if bands is None:
            problems.add(path, "age_bands may only hold " + ", ".join(AgeBand.values))
        if risks is None:
            problems.add(path, "threats may only hold risk codes of the classification")
        country = data.get("country", "")
        if not isinstance(country, str) or (country and not re.fullmatch(r"[A-Z]{2}", country)):
            problems.add(path, "country must be an ISO 3166 alpha-2 code or empty")
        texts = data.get("text", {})
        for language in language_codes():
            text = texts.get(language, {}) if isinstance(texts, dict) else {}
            if not text.get("title") or not text.get("summary"):
                problems.add(path, f"needs [text.{language}] with a title and a summary")
        if len(problems.items) > before:
            continue
        resources.append(
            ParsedResource(
                slug=path.stem,
                title=data["title"].strip(),
                publisher=data["publisher"].strip(),
                year=year,  # type: ignore[arg-type]
                url=data["url"].strip(),
                type=data["type"],
                language=data["language"],
                audiences=audiences or [],
                age_bands=bands or [],
                country=country,
                licence=data["licence"].strip(),
                risks=risks or [],
                texts={
                    lang: {"title": texts[lang]["title"].strip(), "summary": texts[lang]["summary"].strip()}
                    for lang in language_codes()
                },
                digest=hashlib.sha256(raw).hexdigest(),
            )
        )
    problems.raise_if_any()
    return resources
