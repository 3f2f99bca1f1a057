"""The classification of online risks to children that every other app tags with.

It follows the CO:RE "4Cs": four dimensions (content, contact, conduct,
contract) crossed with three types (aggressive, sexual, values), plus risks that
cut across all of them. A classification is versioned: other apps point at a
`Risk` row of a given version, so publishing version 2 never re-labels what
was tagged under version 1.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Dimension(models.TextChoices):
    CONTENT = "content", _("Content")
    CONTACT = "contact", _("Contact")
    CONDUCT = "conduct", _("Conduct")
    CONTRACT = "contract", _("Contract")
    CROSS_CUTTING = "cross-cutting", _("Cross-cutting")


class RiskType(models.TextChoices):
    AGGRESSIVE = "aggressive", _("Aggressive")
    SEXUAL = "sexual", _("Sexual")
    VALUES = "values", _("Values")


class AgeBand(models.TextChoices):
    """The children's age bands used across the platform (seed 002)."""

    AGES_5_7 = "5-7", _("Ages 5 to 7")
    AGES_8_12 = "8-12", _("Ages 8 to 12")
    AGES_13_17 = "13-17", _("Ages 13 to 17")


def language_code() -> str:
    """The active language, or the default one outside a request."""
    code = get_language() or settings.LANGUAGE_CODE
    known = {c for c, _name in settings.LANGUAGES}
    return code if code in known else settings.LANGUAGE_CODE


class ClassificationQuerySet(models.QuerySet["Classification"]):
    def current(self) -> Classification | None:
        return self.order_by("-version").first()


class Classification(models.Model):
    version = models.PositiveIntegerField(unique=True)
    published_on = models.DateField()
    source = models.TextField()
    # {language: {"dimensions": {code: {name, description}}, "types": {...}}}
    texts = models.JSONField(default=dict)

    objects = ClassificationQuerySet.as_manager()

    class Meta:
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version}"

    def dimension_text(self, dimension: str, language: str | None = None) -> dict[str, str]:
        texts = self.texts.get(language or language_code()) or self.texts.get(settings.LANGUAGE_CODE, {})
        result: dict[str, str] = texts.get("dimensions", {}).get(dimension, {})
        return result

    def type_text(self, risk_type: str, language: str | None = None) -> dict[str, str]:
        texts = self.texts.get(language or language_code()) or self.texts.get(settings.LANGUAGE_CODE, {})
        result: dict[str, str] = texts.get("types", {}).get(risk_type, {})
        return result


class Risk(models.Model):
    classification = models.ForeignKey(Classification, on_delete=models.PROTECT, related_name="risks")
    code = models.SlugField(max_length=40)
    dimension = models.CharField(max_length=20, choices=Dimension.choices)
    type = models.CharField(max_length=20, choices=RiskType.choices, blank=True)
    position = models.PositiveSmallIntegerField()
    # {language: {name, description, examples: [...], children: {band: {name, explanation}}}}
    texts = models.JSONField(default=dict)

    class Meta:
        ordering = ["classification", "position"]
        constraints = [
            models.UniqueConstraint(fields=["classification", "code"], name="risk_code_unique_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} (v{self.classification.version})"

    def text(self, language: str | None = None) -> dict[str, Any]:
        found: dict[str, Any] = self.texts.get(language or language_code()) or self.texts.get(
            settings.LANGUAGE_CODE, {}
        )
        return found

    @property
    def name(self) -> str:
        return str(self.text().get("name", self.code))

    @property
    def description(self) -> str:
        return str(self.text().get("description", ""))

    @property
    def examples(self) -> list[str]:
        return list(self.text().get("examples", []))

    def for_children(self, band: str, language: str | None = None) -> dict[str, str]:
        found: dict[str, str] = self.text(language).get("children", {}).get(band, {})
        return found
