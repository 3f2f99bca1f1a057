"""Reports from the public, and the cases hotlines and helplines handle for them."""

from __future__ import annotations

import datetime
import hmac
import secrets
import unicodedata

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cop.reports import crypto

# Crockford's base32 without easily confused letters, so a receipt can be read out on a phone.
RECEIPT_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


# What people type for a code that uses this alphabet: Crockford's spellings of the same symbol.
_SAME_SYMBOL = str.maketrans({"O": "0", "I": "1", "L": "1"})
# Dashes and spaces carry no meaning in a code; phones and keyboards offer many kinds of dash.
_SEPARATORS = frozenset("-_\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63")


def normalise_code(typed: str) -> str:
    """A receipt or secret word as stored, from any unambiguous spelling of it.

    Full-width letters and digits (Chinese and Japanese keyboards), lower case, O for 0, I and L for 1,
    and missing, extra or unusual dashes and spaces all give the same code, as Crockford's base 32 does.
    Nothing else is guessed: a symbol outside the alphabet (U, or punctuation) keeps the code from
    matching, so each attempt still tests one code.
    """
    folded = unicodedata.normalize("NFKC", typed).upper().translate(_SAME_SYMBOL)
    return "".join(c for c in folded if not c.isspace() and c not in _SEPARATORS)


def normalise_receipt(typed: str) -> str:
    code = normalise_code(typed)
    return f"{code[:5]}-{code[5:]}" if len(code) == 10 else code


def new_receipt() -> str:
    body = "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(10))
    return f"{body[:5]}-{body[5:]}"


def new_secret() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(12))


class ReporterAge(models.TextChoices):
    AGES_8_12 = "8-12", _("8 to 12 years old")
    AGES_13_17 = "13-17", _("13 to 17 years old")
    ADULT = "adult", _("An adult")


class WhereSeen(models.TextChoices):
    WEBSITE = "website", _("A website")
    SOCIAL = "social-network", _("A social network")
    VIDEO = "video", _("A video or streaming site")
    GAME = "game", _("An online game")
    MESSAGING = "messaging", _("A chat or messaging app")
    EMAIL = "email", _("An e-mail")
    IN_PERSON = "in-person", _("In person, not online")
    OTHER = "other", _("Somewhere else")


# Where there is often no link to give (a group chat, a game, something that happened face to face):
# the description then says what happened instead. Everything else is web content, which has a link.
LINK_OPTIONAL = frozenset({WhereSeen.MESSAGING, WhereSeen.GAME, WhereSeen.IN_PERSON})


class PublicStatus(models.TextChoices):
    RECEIVED = "received", _("Received: waiting for an analyst")
    IN_REVIEW = "in-review", _("Being assessed")
    ACTION_TAKEN = "action-taken", _("Assessed, and action was taken")
    CLOSED = "closed", _("Assessed and closed")


class Report(models.Model):
    receipt = models.CharField(max_length=11, unique=True, default=new_receipt, editable=False)
    # The follow-up secret, encrypted (not hashed) so that a retried submission can be answered again.
    secret = models.TextField(editable=False)
    idempotency_key = models.CharField(max_length=100, unique=True, null=True, blank=True, editable=False)
    # A keyed digest of what was submitted with the idempotency key: a retry must match it to get
    # the receipt again (intake.content_digest).
    content_digest = models.CharField(max_length=64, blank=True, editable=False)
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    country = models.ForeignKey("core.Country", on_delete=models.PROTECT, related_name="reports")
    language = models.CharField(max_length=10, choices=settings.LANGUAGES)
    reporter_age = models.CharField(max_length=10, choices=ReporterAge.choices)
    in_danger = models.BooleanField(default=False)
    where_seen = models.CharField(max_length=20, choices=WhereSeen.choices)
    description = models.TextField(blank=True)
    risk = models.ForeignKey(
        "threats.Risk", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Name, e-mail and phone of a reporter who chose to give them, encrypted at rest.
    contact = models.TextField(blank=True)
    # The reporter agreed that their contact details go with the report to another country's hotline.
    share_contact_abroad = models.BooleanField(default=False)
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at"]

    def __str__(self) -> str:
        return self.receipt

    def audit_country(self) -> str:
        return self.country_id

    def set_secret(self, secret: str) -> None:
        self.secret = crypto.encrypt_text(secret)

    def secret_matches(self, candidate: str) -> bool:
        return hmac.compare_digest(crypto.decrypt_text(self.secret), normalise_code(candidate))

    @property
    def has_contact(self) -> bool:
        return bool(self.contact)

    def contact_details(self) -> dict[str, str]:
        return {k: str(v) for k, v in crypto.decrypt(self.contact).items()} if self.contact else {}

    def public_status(self) -> PublicStatus:
        """What the reporter may know: where it stands, never what was found or who acted."""
        cases = list(self.cases.all())
        if any(c.actioned_at for c in cases):
            return PublicStatus.ACTION_TAKEN
        if cases and all(c.status == CaseStatus.CLOSED for c in cases):
            return PublicStatus.CLOSED
        if any(c.status != CaseStatus.NEW for c in cases):
            return PublicStatus.IN_REVIEW
        return PublicStatus.RECEIVED


class ReportUrl(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="urls")
    url = models.CharField(max_length=2048)
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["report", "position"]

    def __str__(self) -> str:
        return self.url


class CaseStatus(models.TextChoices):
    NEW = "new", _("New")
    ASSIGNED = "assigned", _("Assigned")
    ASSESSED = "assessed", _("Assessed")
    ACTIONED = "actioned", _("Acted on")
    CLOSED = "closed", _("Closed")


class Assessment(models.TextChoices):
    """As hotlines classify items (INHOPE: baseline / national / not illegal), plus triage outcomes."""

    INTERNATIONALLY_ILLEGAL = "internationally-illegal", _("Illegal internationally")
    NATIONALLY_ILLEGAL = "nationally-illegal", _("Illegal in this country")
    HARMFUL_LEGAL = "harmful-legal", _("Harmful but legal")
    NOT_ACTIONABLE = "not-actionable", _("Not actionable")
    DUPLICATE = "duplicate", _("Duplicate of another report")


class Priority(models.IntegerChoices):
    CHILD_IN_DANGER = 1, _("A child may be in danger")
    HIGH = 2, _("High")
    NORMAL = 3, _("Normal")


class Case(models.Model):
    report = models.ForeignKey(Report, on_delete=models.CASCADE, related_name="cases")
    # Null: no competent hotline is registered; the secretariat routes the case.
    organisation = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="cases"
    )
    forwarded_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="forwards"
    )
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(max_length=20, choices=CaseStatus.choices, default=CaseStatus.NEW)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assessment = models.CharField(max_length=30, choices=Assessment.choices, blank=True)
    duplicate_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="duplicates"
    )
    # Why a forwarding analyst shared the reporter's contact details with this organisation of
    # another country although the reporter did not agree to it (cases.forward).
    contact_reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    assessed_at = models.DateTimeField(null=True, blank=True)
    actioned_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["priority", "created_at"]

    def __str__(self) -> str:
        return f"case {self.pk} ({self.report.receipt})"

    def audit_country(self) -> str:
        return self.organisation.country_id or "" if self.organisation else ""

    @property
    def time_to_assessment(self) -> datetime.timedelta | None:
        return self.assessed_at - self.report.submitted_at if self.assessed_at else None

    @property
    def time_to_action(self) -> datetime.timedelta | None:
        return self.actioned_at - self.report.submitted_at if self.actioned_at else None

    @property
    def waiting(self) -> datetime.timedelta:
        return timezone.now() - self.report.submitted_at


class ActionKind(models.TextChoices):
    TAKEDOWN = "takedown-notice", _("Notice and takedown sent to the hosting provider")
    LAW_ENFORCEMENT = "law-enforcement", _("Forwarded to law enforcement")
    FORWARD = "forward-hotline", _("Forwarded to the hotline of another country")
    REFER = "refer-helpline", _("Referred to a helpline")
    EXPORT = "export", _("Case exported for law enforcement")
    CLOSE = "close", _("Case closed")
    REROUTE = "reroute", _("Sent back to routing: the organisation can no longer handle it")


class CaseAction(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(max_length=20, choices=ActionKind.choices)
    target_organisation = models.ForeignKey(
        "core.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target = models.CharField(max_length=300, blank=True)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.case_id}"

    def audit_country(self) -> str:
        return self.case.audit_country()


class RateLimitHit(models.Model):
    """Submissions per (hashed) address and time window, shared by every web process through the database."""

    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key", "window_start"], name="rate_limit_window_unique")
        ]

    def __str__(self) -> str:
        return f"{self.key[:8]} {self.window_start:%H:%M} {self.count}"
