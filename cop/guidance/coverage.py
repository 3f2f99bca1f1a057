"""How complete each language is: shipped items and interface strings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from babel.messages.pofile import read_po
from django.conf import settings
from django.utils.translation import to_locale

from cop.guidance.models import Guideline, Resource
from cop.threats.models import Classification


@dataclass
class Area:
    name: str
    translated: int
    total: int
    missing: list[str] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return self.translated == self.total

    @property
    def percent(self) -> int:
        return 100 if self.total == 0 else self.translated * 100 // self.total


@dataclass
class LanguageCoverage:
    code: str
    name: str
    areas: list[Area]

    @property
    def complete(self) -> bool:
        return all(area.complete for area in self.areas)


def interface_strings(language: str) -> Area:
    """Translated messages in the language's catalogue; English is the source language."""
    if language == settings.LANGUAGE_CODE:
        path = Path(settings.LOCALE_PATHS[0]) / to_locale("fr") / "LC_MESSAGES" / "django.po"
        with path.open("rb") as handle:
            total = sum(1 for m in read_po(handle) if m.id)
        return Area("interface", total, total)
    path = Path(settings.LOCALE_PATHS[0]) / to_locale(language) / "LC_MESSAGES" / "django.po"
    if not path.exists():
        return Area("interface", 0, 1, [str(path)])
    with path.open("rb") as handle:
        catalog = read_po(handle)
    messages = [m for m in catalog if m.id]
    missing = []
    for message in messages:
        strings = message.string if isinstance(message.string, tuple | list) else (message.string,)
        if not all(strings) or message.fuzzy:
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    return Area("interface", len(messages) - len(missing), len(messages), missing)


def coverage() -> list[LanguageCoverage]:
    classification = Classification.objects.current()
    risks = list(classification.risks.all()) if classification else []
    guidelines = list(Guideline.objects.prefetch_related("texts"))
    resources = list(Resource.objects.published().prefetch_related("texts"))
    result = []
    for code, name in settings.LANGUAGES:
        missing_risks = [r.code for r in risks if not r.texts.get(code, {}).get("name")]
        missing_guidelines = [str(g) for g in guidelines if code not in {t.language for t in g.texts.all()}]
        missing_resources = [r.slug for r in resources if code not in {t.language for t in r.texts.all()}]
        result.append(
            LanguageCoverage(
                code=code,
                name=name,
                areas=[
                    Area("threats", len(risks) - len(missing_risks), len(risks), missing_risks),
                    Area(
                        "guidelines",
                        len(guidelines) - len(missing_guidelines),
                        len(guidelines),
                        missing_guidelines,
                    ),
                    Area(
                        "resources",
                        len(resources) - len(missing_resources),
                        len(resources),
                        missing_resources,
                    ),
                    interface_strings(code),
                ],
            )
        )
    return result
