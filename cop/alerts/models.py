"""Alerts on emerging online threats to children, their texts, and the webhooks that carry them.

An alert is written in one language; translations are further rows of
AlertText, not further alerts. Severity, countries, risks and status belong to
the advisory itself, so every language shows the same facts, a withdrawal
withdraws every translation at once, and a webhook subscriber receives one
event per advisory with all its texts.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import override

from cop.core.models import Country, Organisation
from cop.threats.models import Risk, language_code

LANGUAGE_CHOICES = settings.LANGUAGES


class Severity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class AlertQuerySet(models.QuerySet["Alert"]):
    def published(self) -> AlertQuerySet:
        return self.filter(status=Status.PUBLISHED)

    def concerning(self, country_id: str) -> AlertQuerySet:
        """Alerts that name this country, and worldwide alerts, which name none."""
        return self.filter(models.Q(countries=country_id) | models.Q(countries=None)).distinct()

    def in_language(self, language: str) -> AlertQuerySet:
        """Alerts that can be read in this language: written in it or translated into it."""
        return self.filter(texts__language=language).distinct()


class Alert(models.Model):
    language = models.CharField(max_length=10, choices=LANGUAGE_CHOICES)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    # None at all means worldwide.
    countries = models.ManyToManyField(Country, through="AlertCountry", blank=True, related_name="alerts")
    risks = models.ManyToManyField(Risk, through="AlertRisk", blank=True, related_name="alerts")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="alerts")
    # Counts the published versions: 1 at publication, one more for each later change,
    # so that subscribers can tell an update from an event they already have.
    revision = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawal_reason = models.TextField(blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "-published_at"], name="alerts_alert_status_published")]

    def __str__(self) -> str:
        original = self.text(self.language)
        return f"#{self.pk} {original.title}" if original else f"#{self.pk}"

    def get_absolute_url(self) -> str:
        return reverse("alerts:detail", args=[self.pk])

    def url_in(self, language: str) -> str:
        with override(language):
            return self.get_absolute_url()

    def audit_country(self) -> str | None:
        # The audit trail of an alert belongs to the country of the organisation that wrote it.
        return self.organisation.country_id

    def text(self, language: str | None = None) -> AlertText | None:
        """The text in `language` (default: the active one), else the original. Uses prefetched texts."""
        texts = {t.language: t for t in self.texts.all()}
        return texts.get(language or language_code()) or texts.get(self.language)

    @property
    def languages(self) -> list[str]:
        return sorted(t.language for t in self.texts.all())

    @property
    def is_worldwide(self) -> bool:
        return not self.countries.all()


class AlertText(models.Model):
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=10, choices=LANGUAGE_CHOICES)
    title = models.CharField(max_length=200)
    description = models.TextField(max_length=4000)
    at_risk = models.TextField(max_length=2000)
    advice_children = models.TextField(max_length=4000, blank=True)
    advice_parents = models.TextField(max_length=4000, blank=True)
    advice_industry = models.TextField(max_length=4000, blank=True)
    advice_policy = models.TextField(max_length=4000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["alert", "language"]
        constraints = [
            models.UniqueConstraint(fields=["alert", "language"], name="alert_text_unique_language"),
        ]

    def __str__(self) -> str:
        return f"{self.title} [{self.language}]"

    def audit_country(self) -> str | None:
        return self.alert.audit_country()

    def advice(self) -> list[tuple[str, str]]:
        """(audience, advice) for each audience the alert has advice for, in a fixed order."""
        return [(str(label), getattr(self, field)) for field, label in ADVICE_FIELDS if getattr(self, field)]


# The four audiences of the COP guidelines, as fields of AlertText.
ADVICE_FIELDS = [
    ("advice_children", _("Children and young people")),
    ("advice_parents", _("Parents and educators")),
    ("advice_industry", _("Industry")),
    ("advice_policy", _("Policy makers")),
]
TEXT_FIELDS = ["title", "description", "at_risk", *(name for name, _label in ADVICE_FIELDS)]


class AlertCountry(models.Model):
    """A country an alert concerns; a row of its own so that every change is audited."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE)
    country = models.ForeignKey(Country, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "country"], name="alert_country_unique")]

    def __str__(self) -> str:
        return f"alert {self.alert_id}: {self.country_id}"

    def audit_country(self) -> str | None:
        return self.alert.audit_country()


class AlertRisk(models.Model):
    """A risk of the classification an alert is about; a row of its own so that every change is audited."""

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE)
    risk = models.ForeignKey(Risk, on_delete=models.PROTECT)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["alert", "risk"], name="alert_risk_unique")]

    def __str__(self) -> str:
        return f"alert {self.alert_id}: {self.risk_id}"

    def audit_country(self) -> str | None:
        return self.alert.audit_country()


class Subscription(models.Model):
    """A webhook of an organisation: where to POST alerts, and which ones."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="alert_webhooks")
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    # Encrypted with a key derived from SECRET_KEY (see secret_box): the
    # platform must know the secret to sign, but a copy of the database alone
    # must not let anyone forge alerts.
    secret_sealed = models.TextField()
    # Filters as codes (ISO 3166 alpha-2, risk codes), empty for all: risk codes
    # outlive versions of the classification, and the row's audit record shows them.
    country_codes = models.JSONField(default=list, blank=True)
    risk_codes = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["organisation", "name", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation})"

    def get_absolute_url(self) -> str:
        return reverse("alerts:webhook", args=[self.pk])

    def audit_country(self) -> str | None:
        return self.organisation.country_id

    def wants(self, country_ids: set[str], risk_codes: set[str]) -> bool:
        """Whether an alert about these countries (none: worldwide) and risks passes the filters."""
        if self.country_codes and country_ids and not country_ids & set(self.country_codes):
            return False
        return not (self.risk_codes and not risk_codes & set(self.risk_codes))


class Event(models.TextChoices):
    PUBLISHED = "alert.published", _("Published")
    UPDATED = "alert.updated", _("Updated")
    WITHDRAWN = "alert.withdrawn", _("Withdrawn")


class Delivery(models.Model):
    """One event for one subscription; the outbox job carries it and logs each attempt."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="+")
    event = models.CharField(max_length=20, choices=Event.choices)
    revision = models.PositiveIntegerField()
    # Sent as X-COP-Delivery and in the body, so that receivers can drop a retried duplicate.
    event_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # The exact bytes sent, as text: every retry sends the same body.
    body = models.TextField()
    job = models.OneToOneField("outbox.Job", on_delete=models.CASCADE, related_name="alert_delivery")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subscription", "alert", "event", "revision"], name="alert_delivery_unique_event"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event} of alert {self.alert_id} to {self.subscription_id}"
