"""Families and the children's profiles, devices, schedules and lists the family filter enforces.

Nothing here is read by the resolver while it answers: `snapshot.compile_policy` turns these rows
into an immutable, versioned file that resolvers load (see `cop/filter/README.md`).
"""

from __future__ import annotations

import secrets
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cop.core.errors import shown_message
from cop.core.models import Organisation
from cop.filter.categories import CATEGORIES, ILLEGAL
from cop.filter.networks import span

CATEGORY_CHOICES = [(category.code, category.label) for category in CATEGORIES]
TIMEZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


def new_device_token() -> str:
    # 20 characters of [a-z0-9]: fits a DNS label and a URL path, unguessable (~103 bits).
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(20))


class AgeBand(models.TextChoices):
    EARLY = "5-7", _("5 to 7 years")
    MIDDLE = "8-12", _("8 to 12 years")
    TEEN = "13-17", _("13 to 17 years")


class BlockAnswer(models.TextChoices):
    ZERO = "zero", _("Unspecified address (0.0.0.0 and ::)")
    NXDOMAIN = "nxdomain", _("Name does not exist (NXDOMAIN)")


class YouTubeMode(models.TextChoices):
    OFF = "off", _("Off")
    MODERATE = "moderate", _("Moderate")
    STRICT = "strict", _("Strict")


class Family(models.Model):
    """A household, or a school or an Internet provider that manages many children's profiles."""

    class Kind(models.TextChoices):
        FAMILY = "family", _("Family")
        SCHOOL = "school", _("School")
        PROVIDER = "provider", _("Internet provider")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FAMILY)
    time_zone = models.CharField(_("time zone"), max_length=64, choices=TIMEZONE_CHOICES, default="UTC")
    # Where the family lives: its main time zone is the default, and its zones are listed first.
    country = models.ForeignKey(
        "core.Country",
        verbose_name=_("country"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class Guardian(models.Model):
    """A parent, guardian or administrator who manages a family's profiles."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="guardians")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="filter_guardianships"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["family", "user"], name="filter_unique_guardian")]

    def __str__(self) -> str:
        return f"{self.user} – {self.family}"


def new_invitation_nonce() -> str:
    return secrets.token_urlsafe(16)


class Invitation(models.Model):
    """An invitation, sent by e-mail, to become a guardian of a family: nobody is one until they accept.

    Its link (cop/filter/invitations.py) carries this row's number and nonce, signed; it works
    once, until the invitation expires or a guardian revokes it.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        ACCEPTED = "accepted", _("Accepted")
        REVOKED = "revoked", _("Revoked")

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    nonce = models.CharField(max_length=32, default=new_invitation_nonce, editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["family", "status"], name="filter_invitation_family")]

    def __str__(self) -> str:
        return f"{self.email} – {self.family}"

    def is_live(self) -> bool:
        return self.status == self.Status.PENDING and self.expires_at > timezone.now()


class Profile(models.Model):
    """One child's rules."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="profiles")
    name = models.CharField(_("child's name or nickname"), max_length=60)
    age_band = models.CharField(_("age band"), max_length=5, choices=AgeBand.choices)
    blocked_categories = models.JSONField(_("blocked categories"), default=list, blank=True)
    block_answer = models.CharField(
        _("answer for blocked names"), max_length=10, choices=BlockAnswer.choices, default=BlockAnswer.ZERO
    )
    safe_search = models.BooleanField(_("safe search on Google, Bing and DuckDuckGo"), default=True)
    youtube = models.CharField(
        _("YouTube restricted mode"), max_length=10, choices=YouTubeMode.choices, default=YouTubeMode.STRICT
    )
    paused_until = models.DateTimeField(_("rules paused until"), null=True, blank=True)
    # The raw query log is off unless a guardian turns it on, and then only until this moment.
    query_log_until = models.DateTimeField(_("query log on until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family", "name", "pk"]

    def __str__(self) -> str:
        return self.name

    def is_paused(self) -> bool:
        return self.paused_until is not None and self.paused_until > timezone.now()

    def clean(self) -> None:
        unknown = set(self.blocked_categories) - {
            code for code, _label in CATEGORY_CHOICES if code != ILLEGAL
        }
        if unknown:
            raise ValidationError({"blocked_categories": _("Unknown category.")})


class Entry(models.Model):
    """A name a guardian blocks or allows for one child; it covers the name's subdomains too."""

    class Action(models.TextChoices):
        ALLOW = "allow", _("Allow")
        BLOCK = "block", _("Block")

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="entries")
    name = models.CharField(_("domain"), max_length=253)
    action = models.CharField(_("action"), max_length=5, choices=Action.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["profile", "name"], name="filter_unique_entry")]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.name}"


class Schedule(models.Model):
    """A recurring window, e.g. bedtime (everything but homework sites) or no games on school nights."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="schedules")
    label = models.CharField(_("label"), max_length=60)
    days = models.JSONField(_("days"), default=list)  # 0 = Monday
    start = models.TimeField(_("from"))
    end = models.TimeField(_("until"))
    block_everything = models.BooleanField(_("block everything except the allowed sites"), default=False)
    categories = models.JSONField(_("categories blocked in this window"), default=list, blank=True)
    allowed = models.JSONField(_("sites allowed in this window"), default=list, blank=True)

    class Meta:
        ordering = ["start", "pk"]

    def __str__(self) -> str:
        return self.label


class DeviceManager(models.Manager["Device"]):
    def get_queryset(self) -> models.QuerySet[Device]:
        # A device's networks are read with it wherever devices are listed (pages, API, compiler).
        return super().get_queryset().prefetch_related("bound_networks")


class Device(models.Model):
    """A child's device, recognised by its address or network, or by its own token."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="devices")
    name = models.CharField(_("device name"), max_length=60)
    # Sent as a DNS-over-HTTPS path (/dns-query/<token>) or in an EDNS0 option by a home router;
    # either survives the changing addresses of a phone.
    token = models.CharField(max_length=20, unique=True, default=new_device_token, editable=False)
    # The key of the child's "ask to unblock" page: a link that ends up in browser histories and
    # server logs, so it is not the DNS token, and a guardian can replace it at any time.
    ask_token = models.CharField(max_length=20, unique=True, default=new_device_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True)

    objects = DeviceManager()

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name

    @property
    def networks(self) -> list[str]:
        """The addresses and networks (CIDR) bound to the device, in the order they were given."""
        return [row.network for row in self.bound_networks.all()]


class DeviceNetwork(models.Model):
    """An address or network bound to a device: the resolver filters every query from it as the child.

    Networks of two families never overlap. The database enforces it, not only the code (migration
    0003: an exclusion constraint on PostgreSQL, triggers on SQLite), so that two guardians saving
    at the same moment cannot both bind overlapping networks. `family` repeats the device's family
    for that constraint; `first` and `last` are the network's ends as fixed-width hexadecimal text
    (cop/filter/networks.py). Inside one family networks may nest (the longest prefix wins).
    """

    device = models.ForeignKey(Device, on_delete=models.CASCADE, related_name="bound_networks")
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="+")
    network = models.CharField(max_length=43)
    version = models.PositiveSmallIntegerField()
    first = models.CharField(max_length=32)
    last = models.CharField(max_length=32)

    class Meta:
        ordering = ["pk"]
        constraints = [
            # One device per network inside a family: the resolver could not tell two apart.
            models.UniqueConstraint(fields=["family", "network"], name="filter_unique_family_network")
        ]
        indexes = [models.Index(fields=["version", "first"], name="filter_devicenetwork_span")]

    def __str__(self) -> str:
        return self.network

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.family_id = self.device.profile.family_id
        self.version, self.first, self.last = span(self.network)
        super().save(*args, **kwargs)


class AssignedRange(models.Model):
    """Addresses the secretariat assigned to a family, in practice an Internet provider's customer
    ranges (`cop assign_provider_ranges`): its guardians may bind networks inside them from anywhere."""

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="assigned_ranges")
    network = models.CharField(max_length=43)
    version = models.PositiveSmallIntegerField()
    first = models.CharField(max_length=32)
    last = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version", "first", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["family", "network"], name="filter_unique_assigned_range")
        ]

    def __str__(self) -> str:
        return self.network

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.version, self.first, self.last = span(self.network)
        super().save(*args, **kwargs)


class UnblockRequest(models.Model):
    """A child asking for a blocked site; the guardian approves (an allow entry) or declines."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for a parent")
        APPROVED = "approved", _("Approved")
        DECLINED = "declined", _("Declined")

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="unblock_requests")
    name = models.CharField(_("site"), max_length=253)
    reason = models.TextField(_("why do you need it?"), max_length=500, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_status_display()})"


class FilterList(models.Model):
    """A block list with its category and where it comes from; its entries live in ListVersion files."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=CATEGORY_CHOICES)
    source = models.CharField(
        _("source"), max_length=500, help_text=_("Who publishes the list, or its address.")
    )
    url = models.URLField(_("address to refresh from"), blank=True, max_length=500)
    refresh_hours = models.PositiveIntegerField(_("refresh every (hours)"), default=24)
    # The hotline that maintains the illegal-content list; empty for other lists.
    maintainer = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category", "name"]

    def __str__(self) -> str:
        return self.name

    def active_version(self) -> ListVersion | None:
        return self.versions.filter(status=ListVersion.Status.ACTIVE).order_by("-number").first()


class ListVersion(models.Model):
    """One import of a list. Its normalised entries are a file under FILTER_DATA_DIR, not rows."""

    class Status(models.TextChoices):
        IMPORTING = "importing", _("Importing")
        ACTIVE = "active", _("Active")
        SUPERSEDED = "superseded", _("Replaced by a newer version")
        REJECTED = "rejected", _("Rejected: nothing usable in it")
        FAILED = "failed", _("Failed")

    filter_list = models.ForeignKey(FilterList, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IMPORTING)
    origin = models.CharField(max_length=500, help_text="The file name or address it was read from.")
    lines = models.PositiveIntegerField(default=0)
    # Progress while importing: bytes of the source read so far, of how many (0 when unknown).
    bytes_read = models.PositiveBigIntegerField(default=0)
    bytes_total = models.PositiveBigIntegerField(default=0)
    blocked = models.PositiveIntegerField(default=0)  # block rules (names, patterns, addresses)
    allowed = models.PositiveIntegerField(default=0)  # exception rules
    # Cosmetic and web-address rules: skipped, never applied as a block of the whole domain.
    not_dns = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    # The first problems with their line numbers; the count above has them all.
    problems = models.JSONField(default=list, blank=True)
    # Why the version failed or was rejected, kept as a message and its parameters
    # (cop/core/errors.py) and shown in each reader's language: imports run in the background.
    error = models.JSONField(default=dict, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["filter_list", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["filter_list", "number"], name="filter_unique_list_version")
        ]

    def __str__(self) -> str:
        return f"{self.filter_list} v{self.number}"

    @property
    def error_text(self) -> str:
        return shown_message(self.error)


class PolicyVersion(models.Model):
    """A compiled snapshot that resolvers load; numbers only grow."""

    number = models.PositiveIntegerField(unique=True)
    file_name = models.CharField(max_length=100)
    table_name = models.CharField(max_length=100)
    entries = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"policy v{self.number}"


class BlockedDaily(models.Model):
    """Blocked attempts of one child per day and category: what the parent's report shows."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    category = models.CharField(max_length=20)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "day", "category"], name="filter_unique_blocked_daily")
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} {self.day} {self.category}: {self.count}"


class BlockedSite(models.Model):
    """Blocked attempts of one child per day and site, for the "top blocked sites" list."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    name = models.CharField(max_length=253)
    category = models.CharField(max_length=20, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "day", "name"], name="filter_unique_blocked_site")
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} {self.day} {self.name}: {self.count}"


class ActivityHourly(models.Model):
    """Queries of one child per hour: an approximation of time online that names no site."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    hour = models.PositiveSmallIntegerField()
    queries = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["profile", "day", "hour"], name="filter_unique_activity_hourly")
        ]

    def __str__(self) -> str:
        return f"{self.profile_id} {self.day} {self.hour}h: {self.queries}"


class PreventiveDaily(models.Model):
    """Blocked attempts per day and category over every client: anonymous, for the national indicators."""

    day = models.DateField()
    category = models.CharField(max_length=20)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "category"], name="filter_unique_preventive_daily")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.category}: {self.count}"


class QueryLogEntry(models.Model):
    """The raw query log, kept only while a guardian has it on, and purged after its retention."""

    profile = models.ForeignKey(Profile, on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField()
    name = models.CharField(max_length=253)
    qtype = models.CharField(max_length=10)
    blocked = models.BooleanField()
    reason = models.CharField(max_length=20, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["profile", "-at"], name="filter_querylog_profile_at")]

    def __str__(self) -> str:
        return f"{self.at} {self.name} {self.qtype}"


class LocalRecord(models.Model):
    """A name the resolver answers itself, e.g. the school's intranet or a router's page."""

    class Type(models.TextChoices):
        A = "A", "A"
        AAAA = "AAAA", "AAAA"
        CNAME = "CNAME", "CNAME"
        TXT = "TXT", "TXT"

    name = models.CharField(_("name"), max_length=253)
    type = models.CharField(_("type"), max_length=5, choices=Type.choices)
    value = models.CharField(_("value"), max_length=255)
    ttl = models.PositiveIntegerField(_("time to live (seconds)"), default=300)

    class Meta:
        ordering = ["name", "type", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["name", "type", "value"], name="filter_unique_local_record")
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.type} {self.value}"


class CatalogueSubscription(models.Model):
    """A list set up from the catalogue (catalogue.toml), and the values set-up last wrote to it.

    Set-up changes a list only while its values are still the ones written here: a list the
    secretariat edited (or disabled) keeps its edits, and one it deleted (the list is gone, this
    row stays with no list) is not created again.
    """

    key = models.CharField(max_length=100, unique=True)
    filter_list = models.OneToOneField(
        FilterList, null=True, blank=True, on_delete=models.SET_NULL, related_name="catalogue_subscription"
    )
    written = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key
