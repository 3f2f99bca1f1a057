"""Load the classification of online risks from `content/threats/`.

Within one version, wording and translations may be improved, but the set of
codes and what each code means (its dimension and type) are frozen: changing
them requires a new version, so historic tags keep their meaning.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from cop.core.content import Problems, content_dir, language_codes, read_toml
from cop.threats.models import AgeBand, Classification, Dimension, Risk, RiskType

TYPED_DIMENSIONS = [Dimension.CONTENT, Dimension.CONTACT, Dimension.CONDUCT, Dimension.CONTRACT]


@dataclass
class ThreatsResult:
    version: int
    created: bool
    risks: int


@dataclass
class ParsedClassification:
    version: int
    published_on: datetime.date
    source: str
    risks: list[dict[str, Any]]
    texts: dict[str, dict[str, Any]]


def _check_language_file(lang: str, data: dict[str, Any], codes: list[str], problems: Problems) -> None:
    path = f"threats/{lang}.toml"
    for dimension in Dimension.values:
        entry = data.get("dimensions", {}).get(dimension, {})
        if not entry.get("name") or not entry.get("description"):
            problems.add(path, f"dimension {dimension!r} needs a name and a description")
    for risk_type in RiskType.values:
        entry = data.get("types", {}).get(risk_type, {})
        if not entry.get("name") or not entry.get("description"):
            problems.add(path, f"type {risk_type!r} needs a name and a description")
    risks = data.get("risks", {})
    for code in codes:
        entry = risks.get(code)
        if not isinstance(entry, dict):
            problems.add(path, f"risk {code!r} is missing")
            continue
        if not entry.get("name") or not entry.get("description"):
            problems.add(path, f"risk {code!r} needs a name and a description")
        examples = entry.get("examples")
        if (
            not isinstance(examples, list)
            or not examples
            or not all(isinstance(e, str) and e for e in examples)
        ):
            problems.add(path, f"risk {code!r} needs a list of examples")
        for band in AgeBand.values:
            child = entry.get("children", {}).get(band, {})
            if not child.get("name") or not child.get("explanation"):
                problems.add(path, f"risk {code!r} needs a name and an explanation for ages {band}")
    for extra in sorted(set(risks) - set(codes)):
        problems.add(path, f"risk {extra!r} is not in classification.toml")


def parse_classification() -> ParsedClassification:
    problems = Problems()
    folder = content_dir() / "threats"
    meta = read_toml(folder / "classification.toml", problems) or {}
    risks: list[dict[str, Any]] = meta.get("risks", [])
    codes: list[str] = []
    for number, risk in enumerate(risks, start=1):
        code = risk.get("code", "")
        dimension = risk.get("dimension", "")
        risk_type = risk.get("type", "")
        if not code or code in codes:
            problems.add(folder / "classification.toml", f"risk #{number} needs a unique code")
        if dimension not in Dimension.values:
            problems.add(folder / "classification.toml", f"{code}: unknown dimension {dimension!r}")
        elif dimension == Dimension.CROSS_CUTTING and risk_type:
            problems.add(folder / "classification.toml", f"{code}: a cross-cutting risk has no type")
        elif dimension != Dimension.CROSS_CUTTING and risk_type not in RiskType.values:
            problems.add(folder / "classification.toml", f"{code}: unknown type {risk_type!r}")
        codes.append(code)
    if not isinstance(meta.get("version"), int) or meta["version"] < 1:
        problems.add(folder / "classification.toml", "version must be a positive whole number")
    if not isinstance(meta.get("published_on"), datetime.date):
        problems.add(folder / "classification.toml", "published_on must be a date")
    texts: dict[str, dict[str, Any]] = {}
    for lang in language_codes():
        data = read_toml(folder / f"{lang}.toml", problems)
        if data is not None:
            _check_language_file(lang, data, codes, problems)
            texts[lang] = data
    problems.raise_if_any()
    return ParsedClassification(
        version=meta["version"],
        published_on=meta["published_on"],
        source=str(meta.get("source", "")),
        risks=risks,
        texts=texts,
    )


def _classification_texts(parsed: ParsedClassification) -> dict[str, Any]:
    return {
        lang: {"dimensions": data["dimensions"], "types": data["types"]}
        for lang, data in parsed.texts.items()
    }


def _risk_texts(parsed: ParsedClassification, code: str) -> dict[str, Any]:
    return {lang: data["risks"][code] for lang, data in parsed.texts.items()}


@transaction.atomic
def load_classification() -> ThreatsResult:
    parsed = parse_classification()
    problems = Problems()
    classification = Classification.objects.filter(version=parsed.version).first()
    created = classification is None
    if classification is None:
        classification = Classification.objects.create(
            version=parsed.version,
            published_on=parsed.published_on,
            source=parsed.source,
            texts=_classification_texts(parsed),
        )
    else:
        existing = {r.code: r for r in classification.risks.all()}
        wanted = {r["code"]: r for r in parsed.risks}
        for code in sorted(set(existing) - set(wanted)):
            problems.add("threats/classification.toml", f"{code} was removed from version {parsed.version}")
        for code in sorted(set(wanted) - set(existing)):
            problems.add("threats/classification.toml", f"{code} was added to version {parsed.version}")
        for code in sorted(set(existing) & set(wanted)):
            risk = existing[code]
            if (risk.dimension, risk.type) != (wanted[code]["dimension"], wanted[code]["type"]):
                problems.add(
                    "threats/classification.toml", f"{code} changed meaning in version {parsed.version}"
                )
        if problems.items:
            problems.items.append("Publish the change as a new version instead.")
        problems.raise_if_any()
        new_texts = _classification_texts(parsed)
        if (classification.texts, classification.source) != (new_texts, parsed.source):
            classification.texts = new_texts
            classification.source = parsed.source
            classification.save()
    for position, entry in enumerate(parsed.risks, start=1):
        texts = _risk_texts(parsed, entry["code"])
        risk, made = Risk.objects.get_or_create(
            classification=classification,
            code=entry["code"],
            defaults={
                "dimension": entry["dimension"],
                "type": entry["type"],
                "position": position,
                "texts": texts,
            },
        )
        if not made and (risk.texts, risk.position) != (texts, position):
            risk.texts = texts
            risk.position = position
            risk.save()
    return ThreatsResult(version=parsed.version, created=created, risks=len(parsed.risks))
