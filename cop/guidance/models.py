"""Guideline sets, their texts with revision history, the resource library and the search index."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cop.threats.models import AgeBand, Risk, language_code

LANGUAGE_CHOICES = settings.LANGUAGES


class Audience(models.TextChoices):
    """The four guideline sets of the COP initiative (seed 002)."""

    CHILDREN = "children", _("Children and young people")
    PARENTS = "parents", _("Parents, guardians and educators")
    INDUSTRY = "industry", _("Industry")
    POLICY = "policy", _("Policy makers")


class Group(models.TextChoices):
    AGES_5_7 = "5-7", AgeBand.AGES_5_7.label
    AGES_8_12 = "8-12", AgeBand.AGES_8_12.label
    AGES_13_17 = "13-17", AgeBand.AGES_13_17.label
    HOME = "home", _("Parents and guardians")
    SCHOOL = "school", _("Educators")
    ICT = "ict", _("The ICT industry as a whole")
    BROADCASTERS = "broadcasters", _("Broadcasters")
    INTERNET = "internet", _("Internet industry and Internet service providers")
    MOBILE = "mobile", _("Mobile operators")
    NATIONAL = "national", _("National strategy")


AUDIENCE_GROUPS: dict[str, list[str]] = {
    Audience.CHILDREN: [Group.AGES_5_7, Group.AGES_8_12, Group.AGES_13_17],
    Audience.PARENTS: [Group.HOME, Group.SCHOOL],
    Audience.INDUSTRY: [Group.ICT, Group.BROADCASTERS, Group.INTERNET, Group.MOBILE],
    Audience.POLICY: [Group.NATIONAL],
}


class Guideline(models.Model):
    """One guideline item, for example "games" for ages 8-12; its texts are per language."""

    audience = models.CharField(max_length=20, choices=Audience.choices)
    group = models.CharField(max_length=20, choices=Group.choices)
    slug = models.SlugField(max_length=60)
    position = models.PositiveSmallIntegerField()
    risks = models.ManyToManyField(Risk, related_name="guidelines", blank=True)

    class Meta:
        ordering = ["audience", "group", "position"]
        constraints = [
            models.UniqueConstraint(fields=["audience", "group", "slug"], name="guideline_unique_path"),
        ]

    def __str__(self) -> str:
        return f"{self.audience}/{self.group}/{self.slug}"

    def get_absolute_url(self) -> str:
        return reverse("guidance:item", args=[self.audience, self.group, self.slug])

    def text(self, language: str | None = None) -> GuidelineText | None:
        wanted = language or language_code()
        # Uses the prefetched texts when the caller prefetched them.
        texts = {t.language: t for t in self.texts.all()}
        return texts.get(wanted) or texts.get(settings.LANGUAGE_CODE)

    @property
    def title(self) -> str:
        text = self.text()
        return text.title if text else self.slug

    @property
    def group_label(self) -> str:
        return str(Group(self.group).label)

    @property
    def is_for_young_children(self) -> bool:
        return self.group == Group.AGES_5_7


class Origin(models.TextChoices):
    FILE = "file", _("Content file")
    WEB = "web", _("Edited on the platform")


class GuidelineText(models.Model):
    guideline = models.ForeignKey(Guideline, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=10, choices=LANGUAGE_CHOICES)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=400)
    body = models.TextField(help_text=_("Markdown: paragraphs, ## headings, lists and **bold**."))
    # The digest of the content file last loaded, to see whether the file changed since.
    file_digest = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["guideline", "language"]
        constraints = [
            models.UniqueConstraint(fields=["guideline", "language"], name="guideline_text_unique_language"),
        ]

    def __str__(self) -> str:
        return f"{self.guideline} [{self.language}]"

    def latest_revision(self) -> GuidelineRevision | None:
        return self.revisions.order_by("-number").first()


class GuidelineRevision(models.Model):
    """A snapshot of a text each time it changed, from a file or from the web."""

    text = models.ForeignKey(GuidelineText, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=400)
    body = models.TextField()
    origin = models.CharField(max_length=10, choices=Origin.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["text", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["text", "number"], name="guideline_revision_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.text} r{self.number}"


class ResourceType(models.TextChoices):
    BEST_PRACTICE = "best-practice", _("Best practice")
    CAMPAIGN = "campaign", _("Awareness campaign")
    TRAINING = "training", _("Training material")
    TOOL = "tool", _("Tool")
    RESEARCH = "research", _("Research")
    STRATEGY = "strategy", _("National strategy or policy")


class ResourceAudience(models.TextChoices):
    CHILDREN = "children", _("Children and young people")
    PARENTS = "parents", _("Parents and guardians")
    EDUCATORS = "educators", _("Educators")
    INDUSTRY = "industry", _("Industry")
    POLICY = "policy", _("Policy makers")


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    CHANGES_REQUESTED = "changes-requested", _("Changes requested")
    APPROVED = "approved", _("Published")
    REJECTED = "rejected", _("Rejected")


class Tag(models.Model):
    """An audience or an age band a resource is for; rows, so that filters are plain joins."""

    class Kind(models.TextChoices):
        AUDIENCE = "audience", _("Audience")
        AGE_BAND = "age-band", _("Age band")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    code = models.CharField(max_length=20)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["kind", "position"]
        constraints = [models.UniqueConstraint(fields=["kind", "code"], name="tag_unique_code")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.kind == self.Kind.AUDIENCE:
            return str(ResourceAudience(self.code).label)
        return str(AgeBand(self.code).label)


def ensure_tags() -> dict[tuple[str, str], Tag]:
    """All audience and age-band tags, created if missing (a migration creates them too)."""
    wanted = [(Tag.Kind.AUDIENCE, c) for c in ResourceAudience.values]
    wanted += [(Tag.Kind.AGE_BAND, c) for c in AgeBand.values]
    tags = {(t.kind, t.code): t for t in Tag.objects.all()}
    for position, (kind, code) in enumerate(wanted, start=1):
        if (kind, code) not in tags:
            tags[(kind, code)] = Tag.objects.create(kind=kind, code=code, position=position)
    return tags


class ResourceQuerySet(models.QuerySet["Resource"]):
    def published(self) -> ResourceQuerySet:
        return self.filter(status=Status.APPROVED)


class Resource(models.Model):
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(_("original title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200)
    year = models.PositiveSmallIntegerField(_("year"))
    url = models.URLField(_("link"), max_length=500, blank=True)
    file = models.FileField(_("file"), upload_to="library/%Y/", blank=True)
    type = models.CharField(_("type"), max_length=20, choices=ResourceType.choices)
    language = models.CharField(_("language of the material"), max_length=10, choices=LANGUAGE_CHOICES)
    country = models.ForeignKey(
        "core.Country", verbose_name=_("country"), null=True, blank=True, on_delete=models.PROTECT
    )
    licence = models.CharField(_("licence"), max_length=120)
    tags = models.ManyToManyField(Tag, blank=True)
    risks = models.ManyToManyField(Risk, related_name="resources", blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.WEB)
    file_digest = models.CharField(max_length=64, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey("core.Organisation", null=True, blank=True, on_delete=models.SET_NULL)
    submitted_at = models.DateTimeField(auto_now_add=True)
    moderation_note = models.TextField(blank=True)
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    moderated_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)

    objects = ResourceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-submitted_at"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("guidance:resource", args=[self.slug])

    def text(self, language: str | None = None) -> ResourceText | None:
        wanted = language or language_code()
        texts = {t.language: t for t in self.texts.all()}
        return texts.get(wanted) or texts.get(self.language) or next(iter(texts.values()), None)

    @property
    def display_title(self) -> str:
        text = self.text()
        return text.title if text else self.title

    @property
    def display_language(self) -> str:
        """The language of `display_title` and `summary`: the page's, or the one they fell back to."""
        text = self.text()
        return text.language if text else self.language

    @property
    def summary(self) -> str:
        text = self.text()
        return text.summary if text else ""

    def tag_codes(self, kind: str) -> list[str]:
        return [t.code for t in self.tags.all() if t.kind == kind]

    def tag_labels(self, kind: str) -> list[str]:
        return [t.label for t in self.tags.all() if t.kind == kind]

    # For templates, which cannot pass an argument: each list on its own, so no separator leads.
    @property
    def audience_labels(self) -> list[str]:
        return self.tag_labels(Tag.Kind.AUDIENCE)

    @property
    def age_band_labels(self) -> list[str]:
        return self.tag_labels(Tag.Kind.AGE_BAND)


class ResourceText(models.Model):
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=10, choices=LANGUAGE_CHOICES)
    title = models.CharField(max_length=300)
    summary = models.TextField()

    class Meta:
        ordering = ["resource", "language"]
        constraints = [
            models.UniqueConstraint(fields=["resource", "language"], name="resource_text_unique_language"),
        ]

    def __str__(self) -> str:
        return f"{self.resource} [{self.language}]"


class SearchDocument(models.Model):
    """One searchable text (a guideline or a resource in one language).

    PostgreSQL keeps a tsvector in `vector`; on SQLite an FTS5 table with the
    same row ids holds the index. See `cop.guidance.search`.
    """

    class Kind(models.TextChoices):
        GUIDELINE = "guideline", _("Guideline")
        RESOURCE = "resource", _("Resource")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    object_id = models.PositiveIntegerField()
    language = models.CharField(max_length=10, choices=LANGUAGE_CHOICES)
    title = models.CharField(max_length=300)
    body = models.TextField()
    # Filled and used on PostgreSQL only; SQLite keeps the column empty.
    vector = SearchVectorField(null=True, editable=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "object_id", "language"], name="search_document_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_id} [{self.language}]"

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "object_id": self.object_id,
            "language": self.language,
            "title": self.title,
        }
