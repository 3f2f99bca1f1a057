"""Countries and ITU regions: reference data every other capability groups by."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class UNStatus(models.TextChoices):
    MEMBER = "un-member-state", _("UN Member State")
    OBSERVER = "un-observer-state", _("UN non-member observer State")


class DevelopmentLevel(models.TextChoices):
    DEVELOPED = "developed", _("Developed")
    DEVELOPING = "developing", _("Developing")
    LEAST_DEVELOPED = "least-developed", _("Least developed")


# Region names are our own labels, so they are translated with gettext rather
# than stored per language.
REGION_NAMES = {
    "africa": _("Africa"),
    "americas": _("Americas"),
    "arab-states": _("Arab States"),
    "asia-pacific": _("Asia-Pacific"),
    "cis": _("Commonwealth of Independent States"),
    "europe": _("Europe"),
}


class Region(models.Model):
    """An ITU region (the ITU-D grouping used in ITU statistics)."""

    code = models.SlugField(primary_key=True, max_length=20)
    position = models.PositiveSmallIntegerField(default=0)
    source = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]

    def __str__(self) -> str:
        return str(self.name)

    @property
    def name(self) -> str:
        return str(REGION_NAMES.get(self.code, self.code))


class Country(models.Model):
    """A UN Member State or observer State, keyed by its ISO 3166-1 alpha-2 code."""

    iso2 = models.CharField(primary_key=True, max_length=2)
    iso3 = models.CharField(max_length=3, unique=True)
    numeric = models.CharField(max_length=3, unique=True)
    # Names in the six UN languages, from CLDR: {"ar": ..., "zh-hans": ..., ...}
    names = models.JSONField(default=dict)
    name_en = models.CharField(max_length=100, db_index=True)
    un_status = models.CharField(max_length=20, choices=UNStatus.choices)
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="countries")
    region_as_of = models.DateField(null=True)
    development_level = models.CharField(max_length=20, choices=DevelopmentLevel.choices)
    development_level_source = models.TextField()
    development_level_as_of = models.DateField(null=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return self.name

    def audit_country(self) -> str:
        return self.iso2

    @property
    def name(self) -> str:
        """The name in the active language, falling back to English."""
        return str(self.names.get(get_language() or "en") or self.name_en)
