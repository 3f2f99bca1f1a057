"""Who a child or an adult can call, text or write to, per country."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cop.threats.models import language_code

HARMONISED_NUMBERS = {"116111", "116"}


class ServiceKind(models.TextChoices):
    CHILD_HELPLINE = "child-helpline", _("Child helpline")
    HOTLINE = "hotline", _("Hotline for illegal content")


class ChannelKind(models.TextChoices):
    PHONE = "phone", _("Phone")
    SMS = "sms", _("Text message")
    CHAT = "chat", _("Online chat")
    WEB = "web", _("Website")
    EMAIL = "email", _("E-mail")


class EmergencyNumber(models.Model):
    """A number that reaches emergency services, as the numbering metadata documents it."""

    country = models.ForeignKey("core.Country", on_delete=models.CASCADE, related_name="emergency_numbers")
    number = models.CharField(max_length=8)
    position = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=200)

    class Meta:
        ordering = ["country", "position"]
        constraints = [models.UniqueConstraint(fields=["country", "number"], name="emergency_number_unique")]

    def __str__(self) -> str:
        return f"{self.country_id} {self.number}"


class Service(models.Model):
    country = models.ForeignKey(
        "core.Country", verbose_name=_("country"), on_delete=models.PROTECT, related_name="help_services"
    )
    organisation = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.SET_NULL, related_name="help_services"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ServiceKind.choices)
    name = models.CharField(_("name"), max_length=200)
    # {language: text}; optional, in any of the platform languages.
    description = models.JSONField(default=dict, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    min_age = models.PositiveSmallIntegerField(_("youngest age served"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("oldest age served"), null=True, blank=True)
    always_open = models.BooleanField(_("open day and night, every day"), default=False)
    hours = models.CharField(_("opening hours"), max_length=200, blank=True)
    is_free = models.BooleanField(_("free of charge"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=500)
    verified_on = models.DateField(_("last verified on"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["country", "kind", "position", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.country_id})"

    def audit_country(self) -> str:
        return self.country_id

    @property
    def text(self) -> str:
        texts: dict[str, str] = self.description or {}
        return texts.get(language_code()) or texts.get(settings.LANGUAGE_CODE, "")

    @property
    def harmonised_numbers(self) -> list[str]:
        return [
            c.value
            for c in self.channels.all()
            if c.kind == ChannelKind.PHONE and c.value in HARMONISED_NUMBERS
        ]


class Channel(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="channels")
    kind = models.CharField(max_length=10, choices=ChannelKind.choices)
    # Phone and SMS: E.164 (+254...) or a national short code (116); chat and web: a URL; e-mail: an address.
    value = models.CharField(max_length=300)
    # Short codes the numbering metadata does not list must be acknowledged explicitly.
    unlisted_short_code = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["service", "position", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} {self.value}"

    @property
    def is_number(self) -> bool:
        return self.kind in (ChannelKind.PHONE, ChannelKind.SMS)

    @property
    def href(self) -> str:
        if self.kind == ChannelKind.PHONE:
            return f"tel:{self.value}"
        if self.kind == ChannelKind.SMS:
            return f"sms:{self.value}"
        if self.kind == ChannelKind.EMAIL:
            return f"mailto:{self.value}"
        return self.value

    @property
    def display(self) -> str:
        from cop.helplines.numbers import display_number

        if self.is_number:
            return display_number(self.value, self.service.country_id)
        return self.value
