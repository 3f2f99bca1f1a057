"""What guardians (and children asking for a site) change: the writes shared by the pages and the API.

Callers check access first (cop/filter/access.py) and parse input with cop/filter/forms.py; these
functions keep the rules that hold whichever door a change comes through — one guardian at least
per family, only networks that are the guardian's to bind (binding.py), at most so many pending
requests — and raise `Refused` with a
message for the person acting when a rule says no. Nothing is changed when they refuse.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from cop.core.errors import DomainError
from cop.core.models import Country, User
from cop.filter.binding import Binder, taken_by_others
from cop.filter.categories import PRESETS
from cop.filter.models import (
    Device,
    DeviceNetwork,
    Entry,
    Family,
    Guardian,
    Profile,
    Schedule,
    UnblockRequest,
    new_device_token,
)

MAX_PENDING_REQUESTS = 20


# The HTTP status of each kind of refusal. "not_yours" (a network the guardian may not bind, or one in
# use by another family) is one status with "invalid", so that it tells nothing about other families.
REFUSAL_STATUS = {
    "not_found": 404,
    "invalid": 422,
    "not_yours": 422,
    "unconfirmed": 403,
    "too_many_requests": 429,
    "conflict": 409,
}


class Refused(DomainError):
    """A change the rules do not allow; the message says why, to the person who asked for it."""

    def __init__(self, message: str | Promise, code: str = "conflict", **params: Any) -> None:
        super().__init__(message, code=code, http_status=REFUSAL_STATUS.get(code, 409), **params)


# Families and guardians


def create_family(user: User, name: str, kind: str, time_zone: str, country: Country | None = None) -> Family:
    with transaction.atomic():
        family = Family.objects.create(name=name, kind=kind, time_zone=time_zone, country=country)
        # Whoever creates a family is its first guardian; without one nobody could ever reach it.
        Guardian.objects.create(family=family, user=user)
    return family


def join_family(family: Family, user: User) -> None:
    """Make `user` a guardian of `family`: only by accepting an invitation (cop/filter/invitations.py).

    Nobody is made a guardian by another's say-so alone: that would give a stranger's account the
    family's children, and tell the inviter which usernames exist.
    """
    try:
        with transaction.atomic():
            Guardian.objects.create(family=family, user=user)
    except IntegrityError:
        raise Refused(_("You are already a guardian of %(family)s."), family=family.name) from None


# Profiles


def preset_for(age_band: str) -> list[str]:
    return sorted(PRESETS.get(age_band, frozenset()))


def create_profile(
    family: Family, name: str, age_band: str, blocked_categories: Iterable[str] | None = None
) -> Profile:
    """A child's profile; without categories given, those usual for the age band are blocked."""
    categories = preset_for(age_band) if blocked_categories is None else sorted(set(blocked_categories))
    return Profile.objects.create(family=family, name=name, age_band=age_band, blocked_categories=categories)


def pause(profile: Profile, minutes: int) -> datetime.datetime:
    """Lift the child's rules for a while. The resolver still blocks illegal content during a pause."""
    until = timezone.now() + datetime.timedelta(minutes=minutes)
    profile.paused_until = until
    profile.save(update_fields=["paused_until", "updated_at"])
    return until


def resume(profile: Profile) -> None:
    profile.paused_until = None
    profile.save(update_fields=["paused_until", "updated_at"])


def max_log_hours() -> int:
    # The setting may be left empty (None); the platform's default of a day then applies.
    return settings.FILTER_QUERY_LOG_MAX_HOURS or 24


def set_query_log(profile: Profile, hours: int | None) -> datetime.datetime | None:
    """Keep the raw query log for `hours` from now, or stop it (None); never longer than the setting."""
    if hours is None:
        profile.query_log_until = None
    else:
        if not 1 <= hours <= max_log_hours():
            raise Refused(
                _("The query log can be on for 1 to %(hours)s hours."),
                hours=max_log_hours(),
                code="invalid",
            )
        profile.query_log_until = timezone.now() + datetime.timedelta(hours=hours)
    profile.save(update_fields=["query_log_until", "updated_at"])
    return profile.query_log_until


def query_log_on(profile: Profile) -> bool:
    return profile.query_log_until is not None and profile.query_log_until > timezone.now()


# Entries


def add_entry(profile: Profile, name: str, action: str) -> Entry:
    """`name` must be normalised already (forms.parse_site)."""
    try:
        with transaction.atomic():
            return Entry.objects.create(profile=profile, name=name, action=action)
    except IntegrityError:
        # The form checks first; this covers two guardians adding the same name at the same moment.
        raise Refused(
            _("%(site)s is already on this child's list. Remove it first to change it."), site=name
        ) from None


# Schedules


@dataclass(frozen=True)
class Template:
    key: str
    label: Any  # a lazy translation, resolved when the schedule is created
    days: tuple[int, ...]
    start: datetime.time
    end: datetime.time
    block_everything: bool
    categories: tuple[str, ...] = ()


def templates() -> dict[str, Template]:
    # Built on each call so that the labels come out in the language of the request.
    return {
        "bedtime": Template(
            "bedtime",
            gettext("Bedtime"),
            tuple(range(7)),
            datetime.time(20),
            datetime.time(7),
            block_everything=True,
        ),
        "school-nights": Template(
            "school-nights",
            gettext("No games on school nights"),
            (6, 0, 1, 2, 3),  # Sunday to Thursday: the evenings before a school day
            datetime.time(19),
            datetime.time(7),
            block_everything=False,
            categories=("games",),
        ),
    }


def create_schedule(profile: Profile, values: dict[str, Any]) -> Schedule:
    return Schedule.objects.create(profile=profile, **values)


def update_schedule(schedule: Schedule, values: dict[str, Any]) -> Schedule:
    for field, value in values.items():
        setattr(schedule, field, value)
    schedule.save()
    return schedule


def apply_template(profile: Profile, key: str) -> Schedule:
    template = templates().get(key)
    if template is None:
        raise Refused(_("There is no such ready-made schedule."), code="not_found")
    if profile.schedules.filter(label=template.label).exists():
        raise Refused(
            _("%(child)s already has a schedule called %(label)s."), child=profile.name, label=template.label
        )
    return create_schedule(
        profile,
        {
            "label": str(template.label),
            "days": sorted(template.days),
            "start": template.start,
            "end": template.end,
            "block_everything": template.block_everything,
            "categories": list(template.categories),
            "allowed": [],
        },
    )


# Devices


def _own_duplicates(family: Family, networks: Iterable[str]) -> list[str]:
    """The networks another device of the same family has already, each with that device's name: the
    guardian's own devices, so naming them tells nothing about anyone else."""
    rows = DeviceNetwork.objects.filter(family=family, network__in=list(networks)).select_related("device")
    return [
        gettext("%(network)s is already bound to the device %(device)s.")
        % {"network": row.network, "device": row.device.name}
        for row in rows
    ]


def add_device(profile: Profile, name: str, networks: list[str], *, client_address: str | None) -> Device:
    """A device for the child, bound to `networks` (normalised by forms.parse_networks) if the guardian,
    at `client_address` (cop.core.middleware.client_ip), may bind them: cop/filter/binding.py.

    Refused with code "conflict" for a network of the family's own (its device is named), and with
    "not_yours" for one the guardian may not bind or that overlaps another family's: one message for
    both, so that nobody learns what another family has bound.
    """
    family = profile.family
    binder = Binder.of(family, client_address)
    duplicates = _own_duplicates(family, networks)
    if duplicates:
        raise Refused(" ".join(duplicates))
    refused = [
        text
        for text in networks
        if not binder.may_bind(network := ipaddress.ip_network(text)) or taken_by_others(family, network)
    ]
    if refused:
        raise Refused(binder.refusal(refused), code="not_yours")
    try:
        with transaction.atomic():
            device = Device.objects.create(profile=profile, name=name)
            for text in networks:
                DeviceNetwork.objects.create(device=device, family=family, network=text)
    except IntegrityError:
        # Another request bound an overlapping network since the checks above (the database keeps
        # families apart): said the same way as if it had been bound before.
        duplicates = _own_duplicates(family, networks)
        if duplicates:
            raise Refused(" ".join(duplicates)) from None
        raise Refused(binder.refusal(networks), code="not_yours") from None
    return device


def new_ask_link(device: Device) -> Device:
    """Replace the child's ask link: the old one stops working at once."""
    device.ask_token = new_device_token()
    device.save(update_fields=["ask_token"])
    return device


# Unblock requests


def ask(profile: Profile, name: str, reason: str) -> tuple[UnblockRequest, bool]:
    """A child asks for a site. Returns the request and whether it is new: asking twice for the same
    site while a parent has not answered yet gives back the first request."""
    with transaction.atomic():
        # One child's requests, one at a time: two taps at once must not make two requests.
        Profile.objects.select_for_update().filter(pk=profile.pk).first()
        pending = UnblockRequest.objects.filter(profile=profile, status=UnblockRequest.Status.PENDING)
        same = pending.filter(name=name).first()
        if same is not None:
            return same, False
        if pending.count() >= MAX_PENDING_REQUESTS:
            raise Refused(
                _(
                    "You have asked for %(count)s websites already. "
                    "Wait until a parent answers, then ask again."
                ),
                count=MAX_PENDING_REQUESTS,
                code="too_many_requests",
            )
        return UnblockRequest.objects.create(profile=profile, name=name, reason=reason.strip()), True


def _decide(unblock: UnblockRequest, user: User, status: str) -> None:
    if unblock.status != UnblockRequest.Status.PENDING:
        raise Refused(
            _("This request was answered already: %(status)s."), status=unblock.get_status_display()
        )
    unblock.status = status
    unblock.decided_at = timezone.now()
    unblock.decided_by = user
    unblock.save(update_fields=["status", "decided_at", "decided_by"])


def approve(unblock: UnblockRequest, user: User) -> tuple[Entry, str]:
    """Allow the site for the child. Returns the allow entry and what happened to the list:
    "created", "kept" (it was allowed already) or "changed" (it was on the block list: approving
    means the parent now lets the child open it, so the block entry becomes an allow entry)."""
    with transaction.atomic():
        locked = UnblockRequest.objects.select_for_update().get(pk=unblock.pk)
        _decide(locked, user, UnblockRequest.Status.APPROVED)
        unblock.status, unblock.decided_at, unblock.decided_by = locked.status, locked.decided_at, user
        entry, created = Entry.objects.get_or_create(
            profile=locked.profile, name=locked.name, defaults={"action": Entry.Action.ALLOW}
        )
        if created:
            return entry, "created"
        if entry.action == Entry.Action.ALLOW:
            return entry, "kept"
        entry.action = Entry.Action.ALLOW
        entry.save(update_fields=["action"])
        return entry, "changed"


def decline(unblock: UnblockRequest, user: User) -> None:
    with transaction.atomic():
        locked = UnblockRequest.objects.select_for_update().get(pk=unblock.pk)
        _decide(locked, user, UnblockRequest.Status.DECLINED)
        unblock.status, unblock.decided_at, unblock.decided_by = locked.status, locked.decided_at, user
