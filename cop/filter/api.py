"""API of the family filter, for parents' and schools' own tools: the same rules as the pages.

Parents have no organisation and so no API token: the API uses the web site's session, with
Django's CSRF check on every write (send the `csrftoken` cookie's value in `X-CSRFToken`). Only the
guardians of a family see anything of it; for everyone else it does not exist (404).

No `from __future__ import annotations` here: django-ninja reads the
parameter annotations at run time.
"""

import datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models import QuerySet
from django.http import HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate
from ninja.security import SessionAuth

from cop.core.api import ErrorOut
from cop.core.api_fields import Body, ClockTime, FromString, OneOf, TimeZone
from cop.core.errors import BadRequest, Invalid, NotFound, Unauthenticated
from cop.core.middleware import client_ip
from cop.core.models import User
from cop.core.pagination import LimitOffset, Page
from cop.core.visible import check_name
from cop.filter import access, actions, coverage, forms, invitations, reporting
from cop.filter.categories import BY_CODE, ILLEGAL
from cop.filter.indicators import preventive_by_month
from cop.filter.models import (
    Device,
    Entry,
    Family,
    Invitation,
    Profile,
    Schedule,
    UnblockRequest,
)
from cop.filter.setup import CPE_ID_OPTION, doh_url, private_dns_host
from cop.filter.views.devices import ask_url
from cop.filter.views.invitations import link_maker
from cop.guidance.validators import plain_text


class GuardianSession(SessionAuth):
    """The signed-in user of the web site; writes need the CSRF token as on the site's own forms."""

    def _get_key(self, request: HttpRequest) -> str | None:
        try:
            return super()._get_key(request)
        except MultiPartParserError:
            # The CSRF check reads a form body; a malformed one (multipart without a boundary) is the
            # client's error, not the server's.
            raise BadRequest(_("The request body cannot be read; send JSON.")) from None

    def authenticate(self, request: HttpRequest, key: str | None) -> User:
        user = request.user
        if isinstance(user, User) and user.is_authenticated and user.is_active:
            return user
        # Raised rather than returning None: the platform's generic answer speaks of API tokens,
        # which this part of the API does not use.
        raise Unauthenticated(_("Sign in on the web site first: the family filter's API uses its session."))


router = Router(tags=["family filter"], auth=GuardianSession())

Text60 = Annotated[str, Field(min_length=1, max_length=60)]
Site = Annotated[str, Field(min_length=1, max_length=forms.MAX_SITE_INPUT)]
Day = Annotated[int, Field(ge=0, le=6, description="0 = Monday … 6 = Sunday")]
# What a parent may choose (never the illegal list): the same list the pages offer.
CategoryCode = Annotated[
    str, OneOf(frozenset(code for code, _label in forms.category_choices()), "A category a parent may block.")
]


def _user(request: HttpRequest) -> User:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return user


def _text(value: str) -> str:
    """Plain text, trimmed and not empty: the same rule as the pages' forms."""
    text = value.strip()
    if not text:
        raise Invalid(_("A name cannot be empty."))
    try:
        plain_text(text)
        check_name(text)
    except ValidationError as error:
        raise Invalid(" ".join(error.messages)) from None
    return text


def _valid(function: Any, *args: Any) -> Any:
    """Run one of the forms' parsers; its message becomes a 422 answer."""
    try:
        return function(*args)
    except ValidationError as error:
        raise Invalid(" ".join(error.messages)) from None


# Schemas


class FamilyIn(Body):
    name: Annotated[str, Field(min_length=1, max_length=100)]
    kind: Annotated[Family.Kind, FromString] = Family.Kind.FAMILY
    time_zone: TimeZone = "UTC"


class FamilyOut(Schema):
    id: int
    name: str
    kind: str
    time_zone: str
    guardians: list[str] = Field(description="Usernames of the family's guardians.")


class InvitationIn(Body):
    email: Annotated[
        str, Field(min_length=3, max_length=254, description="The other guardian's e-mail address.")
    ]


class InvitationOut(Schema):
    id: int
    email: str
    status: str
    invited_by: str | None = Field(description="Username of the guardian who sent it.")
    created_at: datetime.datetime
    expires_at: datetime.datetime


class EntryIn(Body):
    name: Site = Field(
        description="A domain name, or a pasted address (blocking it blocks its whole site); "
        "it covers its subdomains."
    )
    action: Annotated[Entry.Action, FromString]


class EntryOut(Schema):
    id: int
    name: str
    action: str


class EntryCreatedOut(EntryOut):
    note: str = Field(
        description="What the list keeps, when it is not what was sent (a pasted address, a www. name); "
        "else empty."
    )


class ScheduleIn(Body):
    label: Text60
    days: Annotated[list[Day], Field(min_length=1, max_length=7)]
    start: ClockTime
    end: ClockTime = Field(
        description="Earlier than start: the window runs past midnight. Equal to start: the window lasts "
        "24 hours from the start (00:00 to 00:00 is the whole day)."
    )
    block_everything: bool = Field(False, description="Block everything except `allowed` in the window.")
    categories: Annotated[list[CategoryCode], Field(max_length=20)] = []
    allowed: Annotated[list[Site], Field(max_length=forms.MAX_ALLOWED_SITES)] = []


class ScheduleOut(Schema):
    id: int
    label: str
    days: list[int]
    start: ClockTime
    end: ClockTime
    block_everything: bool
    categories: list[str]
    allowed: list[str]


class DeviceIn(Body):
    name: Text60
    networks: Annotated[list[Annotated[str, Field(max_length=60)]], Field(max_length=forms.MAX_NETWORKS)] = []


class DeviceOut(Schema):
    id: int
    name: str
    token: str = Field(description="Identifies the device to the resolver; keep it private.")
    networks: list[str]
    doh_url: str | None = Field(
        description="DNS-over-HTTPS address of the device, when the installation has one."
    )
    private_dns_host: str | None = Field(
        description="Host name for DNS over TLS (Android's Private DNS), when the installation offers it."
    )
    edns_option: int = Field(description="The EDNS0 option (CPE-ID) a home router sends the token in.")
    ask_url: str = Field(
        description="The child's page to ask for a blocked site; its own token, replaced by POST …/ask-link."
    )
    last_seen_at: datetime.datetime | None


class ProfileIn(Body):
    family: int
    name: Text60
    age_band: Literal["5-7", "8-12", "13-17"]
    blocked_categories: Annotated[list[CategoryCode], Field(max_length=20)] | None = Field(
        None, description="Left out: the categories usual for the age band."
    )


class ProfilePatch(Body):
    name: Text60 | None = None
    age_band: Literal["5-7", "8-12", "13-17"] | None = None
    blocked_categories: Annotated[list[CategoryCode], Field(max_length=20)] | None = None
    safe_search: bool | None = None
    youtube: Literal["off", "moderate", "strict"] | None = None
    block_answer: Literal["zero", "nxdomain"] | None = None


class ProfileOut(Schema):
    id: int
    family: int
    name: str
    age_band: str
    blocked_categories: list[str]
    always_blocked: list[str] = Field(
        description="Blocked for everyone whatever the settings: illegal content."
    )
    safe_search: bool
    youtube: str
    block_answer: str
    paused_until: datetime.datetime | None
    query_log_until: datetime.datetime | None
    entries: list[EntryOut]
    schedules: list[ScheduleOut]
    devices: list[DeviceOut]


class ProfileFilter(Schema):
    family: int | None = None


class PauseIn(Body):
    minutes: Annotated[int, Field(ge=1, le=24 * 60)]


class PauseOut(Schema):
    paused_until: datetime.datetime | None


class QueryLogIn(Body):
    # The installation's limit, read when the API is loaded (settings do not change while it runs).
    hours: Annotated[int, Field(ge=1, le=settings.FILTER_QUERY_LOG_MAX_HOURS)]


class QueryLogOut(Schema):
    query_log_until: datetime.datetime | None


class UnblockOut(Schema):
    id: int
    profile: int
    profile_name: str
    name: str
    reason: str
    status: str
    created_at: datetime.datetime
    decided_at: datetime.datetime | None


class UnblockFilter(Schema):
    status: UnblockRequest.Status | None = Field(None, description="Left out: all, newest first.")
    profile: int | None = None


class ApprovedOut(Schema):
    request: UnblockOut
    entry: EntryOut
    outcome: Literal["created", "kept", "changed"] = Field(
        description=(
            "created: a new allow entry; kept: it was allowed already; changed: it was blocked, now allowed."
        )
    )


BY_RULE = (
    "A category code, or the parent's own rule that blocked: profile-block (the child's own list) or "
    "schedule; empty for counts older than that distinction."
)


class DayOut(Schema):
    day: datetime.date
    by_category: dict[str, int] = Field(description="Blocked attempts by category or rule. " + BY_RULE)
    total: int


class SiteOut(Schema):
    name: str
    category: str = Field(description=BY_RULE)
    category_label: str = Field(description="The category or rule in words, in the request's language.")
    count: int


class HourOut(Schema):
    hour: int
    queries: int


class LogLineOut(Schema):
    at: datetime.datetime
    name: str
    qtype: str
    blocked: bool
    reason: str


class ReportOut(Schema):
    today: datetime.date = Field(description="Today in the family's time zone.")
    blocked_by_day: list[DayOut] = Field(description="The last 14 days, newest first.")
    top_sites: list[SiteOut] = Field(description="The 10 most blocked sites of the last 7 days.")
    activity_by_hour: list[HourOut] = Field(description="Look-ups per hour of the day over the last 7 days.")
    query_log_until: datetime.datetime | None
    query_log: list[LogLineOut] = Field(description="The latest 200 look-ups; empty while the log is off.")


# Serialisation


def _family_out(family: Family) -> dict[str, Any]:
    return {
        "id": family.pk,
        "name": family.name,
        "kind": family.kind,
        "time_zone": family.time_zone,
        "guardians": sorted(g.user.get_username() for g in family.guardians.all()),
    }


def _entry_out(entry: Entry) -> dict[str, Any]:
    return {"id": entry.pk, "name": entry.name, "action": entry.action}


def _schedule_out(schedule: Schedule) -> dict[str, Any]:
    fields = ["label", "days", "start", "end", "block_everything", "categories", "allowed"]
    return {"id": schedule.pk, **{name: getattr(schedule, name) for name in fields}}


def _device_out(request: HttpRequest, device: Device) -> dict[str, Any]:
    return {
        "id": device.pk,
        "name": device.name,
        "token": device.token,
        "networks": device.networks,
        "doh_url": doh_url(device.token) or None,
        "private_dns_host": private_dns_host(device.token) or None,
        "edns_option": CPE_ID_OPTION,
        # The child's page is in the language of the request, as links on the site are.
        "ask_url": ask_url(request, device),
        "last_seen_at": device.last_seen_at,
    }


def _profile_out(request: HttpRequest, profile: Profile) -> dict[str, Any]:
    return {
        "id": profile.pk,
        "family": profile.family_id,
        "name": profile.name,
        "age_band": profile.age_band,
        "blocked_categories": sorted(profile.blocked_categories),
        "always_blocked": [ILLEGAL],
        "safe_search": profile.safe_search,
        "youtube": profile.youtube,
        "block_answer": profile.block_answer,
        "paused_until": profile.paused_until if profile.is_paused() else None,
        "query_log_until": profile.query_log_until if actions.query_log_on(profile) else None,
        "entries": [_entry_out(e) for e in profile.entries.all()],
        "schedules": [_schedule_out(s) for s in profile.schedules.all()],
        "devices": [_device_out(request, d) for d in profile.devices.all()],
    }


def _unblock_out(unblock: UnblockRequest) -> dict[str, Any]:
    return {
        "id": unblock.pk,
        "profile": unblock.profile_id,
        "profile_name": unblock.profile.name,
        "name": unblock.name,
        "reason": unblock.reason,
        "status": unblock.status,
        "created_at": unblock.created_at,
        "decided_at": unblock.decided_at,
    }


def _with_rules(profiles: QuerySet[Profile]) -> QuerySet[Profile]:
    return profiles.prefetch_related("entries", "schedules", "devices")


# Families


@router.get("/filter/families", response=list[FamilyOut], summary="The families you are a guardian of")
@paginate(LimitOffset)
def list_families(request: HttpRequest) -> Any:
    families = access.families_of(_user(request)).prefetch_related("guardians__user").order_by("name", "pk")
    return Page(families, _family_out)


@router.post(
    "/filter/families", response={201: FamilyOut}, summary="Create a family; you become its guardian"
)
def create_family(request: HttpRequest, body: FamilyIn) -> Any:
    family = actions.create_family(_user(request), _text(body.name), body.kind, body.time_zone)
    return Status(201, _family_out(family))


def _invitation_out(invitation: Invitation) -> dict[str, Any]:
    return {
        "id": invitation.pk,
        "email": invitation.email,
        "status": invitation.status,
        "invited_by": invitation.invited_by.get_username() if invitation.invited_by else None,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
    }


@router.get(
    "/filter/families/{family_id}/invitations",
    response=list[InvitationOut],
    summary="Invitations to become a guardian that wait for an answer",
)
@paginate(LimitOffset)
def list_invitations(request: HttpRequest, family_id: int) -> Any:
    family = access.family_for(_user(request), family_id)
    return Page(invitations.live(family).select_related("invited_by"), _invitation_out)


@router.post(
    "/filter/families/{family_id}/invitations",
    response={201: InvitationOut, 409: ErrorOut, 429: ErrorOut},
    summary="Invite another guardian by e-mail",
)
def create_invitation(request: HttpRequest, family_id: int, body: InvitationIn) -> Any:
    """A link to accept goes to the address; nobody becomes a guardian until they accept it. The answer is
    the same whether or not the address has an account. Needs a confirmed e-mail address (403 without)."""
    family = access.family_for(_user(request), family_id)
    address = body.email.strip()
    try:
        validate_email(address)
    except ValidationError:
        raise Invalid(_("Enter a valid email address.")) from None
    invitation = invitations.invite(family, _user(request), address, link_maker(request))
    return Status(201, _invitation_out(invitation))


@router.delete(
    "/filter/families/{family_id}/invitations/{invitation_id}",
    response={204: None},
    summary="Revoke a pending invitation",
)
def revoke_invitation(request: HttpRequest, family_id: int, invitation_id: int) -> Any:
    family = access.family_for(_user(request), family_id)
    invitation = invitations.live(family).filter(pk=invitation_id).first()
    if invitation is None:
        raise NotFound(_("No pending invitation with this number is yours to revoke."))
    invitations.revoke(invitation)
    return Status(204, None)


# Profiles


# A `family` filter naming a family that is not the caller's is a 404, as everywhere in this API.
@router.get(
    "/filter/profiles",
    response={200: list[ProfileOut], 404: ErrorOut},
    summary="Children's profiles of your families",
)
@paginate(LimitOffset)
def list_profiles(request: HttpRequest, filters: Query[ProfileFilter]) -> Any:
    profiles = access.profiles_of(_user(request))
    if filters.family is not None:
        profiles = profiles.filter(family=access.family_for(_user(request), filters.family))
    return Page(_with_rules(profiles).order_by("family", "name", "pk"), lambda p: _profile_out(request, p))


# The `family` of the body may name a family that is not the caller's: 404, as in a path.
@router.post("/filter/profiles", response={201: ProfileOut, 404: ErrorOut}, summary="Add a child's profile")
def create_profile(request: HttpRequest, body: ProfileIn) -> Any:
    """Without `blocked_categories` the profile starts with those usual for the age band."""
    family = access.family_for(_user(request), body.family)
    categories = (
        None if body.blocked_categories is None else _valid(forms.check_categories, body.blocked_categories)
    )
    profile = actions.create_profile(family, _text(body.name), body.age_band, categories)
    return Status(201, _profile_out(request, profile))


@router.get("/filter/profiles/{profile_id}", response=ProfileOut, summary="A child's profile with its rules")
def get_profile(request: HttpRequest, profile_id: int) -> Any:
    return _profile_out(request, access.profile_for(_user(request), profile_id))


@router.patch("/filter/profiles/{profile_id}", response=ProfileOut, summary="Change a child's settings")
def update_profile(request: HttpRequest, profile_id: int, body: ProfilePatch) -> Any:
    profile = access.profile_for(_user(request), profile_id)
    changes = body.model_dump(exclude_unset=True)
    # Everything is checked before anything is saved: a bad value changes nothing.
    if changes.get("name") is not None:
        changes["name"] = _text(changes["name"])
    if changes.get("blocked_categories") is not None:
        changes["blocked_categories"] = _valid(forms.check_categories, changes["blocked_categories"])
    for field, value in changes.items():
        if value is None:
            raise Invalid(_("%(field)s cannot be null."), field=field)
        setattr(profile, field, value)
    if changes:
        profile.save()
    return _profile_out(request, profile)


@router.delete("/filter/profiles/{profile_id}", response={204: None}, summary="Delete a child's profile")
def delete_profile(request: HttpRequest, profile_id: int) -> Any:
    access.profile_for(_user(request), profile_id).delete()
    return Status(204, None)


@router.post("/filter/profiles/{profile_id}/pause", response=PauseOut, summary="Pause a child's rules")
def pause_profile(request: HttpRequest, profile_id: int, body: PauseIn) -> Any:
    """For `minutes` from now. Illegal content stays blocked during a pause."""
    profile = access.profile_for(_user(request), profile_id)
    return {"paused_until": actions.pause(profile, body.minutes)}


@router.delete("/filter/profiles/{profile_id}/pause", response=PauseOut, summary="Resume a child's rules now")
def resume_profile(request: HttpRequest, profile_id: int) -> Any:
    actions.resume(access.profile_for(_user(request), profile_id))
    return {"paused_until": None}


@router.post(
    "/filter/profiles/{profile_id}/query-log", response=QueryLogOut, summary="Turn the raw query log on"
)
def query_log_on(request: HttpRequest, profile_id: int, body: QueryLogIn) -> Any:
    """For `hours` from now, at most as many as the installation allows (COP_FILTER_QUERY_LOG_MAX_HOURS)."""
    profile = access.profile_for(_user(request), profile_id)
    return {"query_log_until": actions.set_query_log(profile, body.hours)}


@router.delete(
    "/filter/profiles/{profile_id}/query-log", response=QueryLogOut, summary="Turn the raw query log off"
)
def query_log_off(request: HttpRequest, profile_id: int) -> Any:
    actions.set_query_log(access.profile_for(_user(request), profile_id), None)
    return {"query_log_until": None}


@router.get("/filter/profiles/{profile_id}/report", response=ReportOut, summary="What was blocked, and when")
def profile_report(request: HttpRequest, profile_id: int) -> Any:
    profile = access.profile_for(_user(request), profile_id)
    report = reporting.build(profile)
    codes = [code for code, _label in report.categories]
    return {
        "today": report.today,
        "blocked_by_day": [
            {"day": row.day, "by_category": dict(zip(codes, row.counts, strict=True)), "total": row.total}
            for row in report.days
        ],
        "top_sites": [
            {"name": s.name, "category": s.category, "category_label": s.category_label, "count": s.count}
            for s in report.top_sites
        ],
        "activity_by_hour": [{"hour": h.hour, "queries": h.queries} for h in report.hours],
        "query_log_until": profile.query_log_until if report.query_log_on else None,
        "query_log": [
            {"at": q.at, "name": q.name, "qtype": q.qtype, "blocked": q.blocked, "reason": q.reason}
            for q in report.query_log
        ],
    }


# Entries, schedules, devices


@router.post(
    "/filter/profiles/{profile_id}/entries",
    response={201: EntryCreatedOut, 409: ErrorOut},
    summary="Allow or block a site",
)
def add_entry(request: HttpRequest, profile_id: int, body: EntryIn) -> Any:
    """A pasted address (`https://www.example.org/page`) blocks its whole site (`example.org`) but
    allows only its own name, less `www.`; a name sent without a scheme is kept as sent, less `www.`."""
    profile = access.profile_for(_user(request), profile_id)
    site = _valid(lambda raw: forms.read_site(raw, whole_site=body.action == Entry.Action.BLOCK), body.name)
    entry = actions.add_entry(profile, site.name, body.action)
    return Status(201, {**_entry_out(entry), "note": forms.stored_note(site)})


@router.delete(
    "/filter/entries/{entry_id}", response={204: None}, summary="Remove a site from a child's list"
)
def delete_entry(request: HttpRequest, entry_id: int) -> Any:
    access.entry_for(_user(request), entry_id).delete()
    return Status(204, None)


@router.post(
    "/filter/profiles/{profile_id}/schedules",
    response={201: ScheduleOut, 409: ErrorOut},
    summary="Add a schedule",
)
def create_schedule(request: HttpRequest, profile_id: int, body: ScheduleIn) -> Any:
    profile = access.profile_for(_user(request), profile_id)
    categories = _valid(forms.check_categories, body.categories)
    if not body.block_everything and not categories:
        raise Invalid(_("Give at least one category, or set block_everything."))
    values = {
        "label": _text(body.label),
        "days": sorted(set(body.days)),
        "start": body.start.replace(tzinfo=None),
        "end": body.end.replace(tzinfo=None),
        "block_everything": body.block_everything,
        "categories": [] if body.block_everything else categories,
        "allowed": _valid(forms.parse_sites, body.allowed),
    }
    return Status(201, _schedule_out(actions.create_schedule(profile, values)))


@router.delete("/filter/schedules/{schedule_id}", response={204: None}, summary="Delete a schedule")
def delete_schedule(request: HttpRequest, schedule_id: int) -> Any:
    access.schedule_for(_user(request), schedule_id).delete()
    return Status(204, None)


@router.post(
    "/filter/profiles/{profile_id}/devices",
    response={201: DeviceOut, 409: ErrorOut},
    summary="Add a child's device",
)
def create_device(request: HttpRequest, profile_id: int, body: DeviceIn) -> Any:
    """The answer carries the device's token: set it up with `doh_url` or, on a home router, as the CPE-ID.

    `networks` binds addresses too, if they are yours to bind (cop/filter/README.md): around the
    address this request comes from, or inside the ranges assigned to your family. Any other network,
    or one another family uses, is refused with 422 and the same message either way.
    """
    profile = access.profile_for(_user(request), profile_id)
    networks = _valid(forms.parse_networks, body.networks)
    device = actions.add_device(profile, _text(body.name), networks, client_address=client_ip(request))
    return Status(201, _device_out(request, device))


@router.post(
    "/filter/devices/{device_id}/ask-link", response=DeviceOut, summary="Replace the child's ask link"
)
def new_ask_link(request: HttpRequest, device_id: int) -> Any:
    """The old link stops working at once; the answer carries the new `ask_url`."""
    device = actions.new_ask_link(access.device_for(_user(request), device_id))
    return _device_out(request, device)


@router.delete("/filter/devices/{device_id}", response={204: None}, summary="Remove a device")
def delete_device(request: HttpRequest, device_id: int) -> Any:
    access.device_for(_user(request), device_id).delete()
    return Status(204, None)


# Unblock requests


@router.get(
    "/filter/unblock-requests",
    response={200: list[UnblockOut], 404: ErrorOut},
    summary="Children's requests to unblock sites",
)
@paginate(LimitOffset)
def list_requests(request: HttpRequest, filters: Query[UnblockFilter]) -> Any:
    found = access.requests_of(_user(request))
    if filters.status is not None:
        found = found.filter(status=filters.status)
    if filters.profile is not None:
        found = found.filter(profile=access.profile_for(_user(request), filters.profile))
    return Page(found.order_by("-created_at", "-pk"), _unblock_out)


@router.post(
    "/filter/unblock-requests/{request_id}/approve",
    response={200: ApprovedOut, 409: ErrorOut},
    summary="Allow the site asked for",
)
def approve_request(request: HttpRequest, request_id: int) -> Any:
    user = _user(request)
    unblock = access.unblock_request_for(user, request_id)
    entry, outcome = actions.approve(unblock, user)
    return {"request": _unblock_out(unblock), "entry": _entry_out(entry), "outcome": outcome}


@router.post(
    "/filter/unblock-requests/{request_id}/decline",
    response={200: UnblockOut, 409: ErrorOut},
    summary="Decline a request",
)
def decline_request(request: HttpRequest, request_id: int) -> Any:
    user = _user(request)
    unblock = access.unblock_request_for(user, request_id)
    actions.decline(unblock, user)
    return _unblock_out(unblock)


class PreventiveRow(Schema):
    month: str = Field(description="YYYY-MM")
    category: str = Field(description="A category code of the family filter, e.g. gambling.")
    risk: str = Field(description="The risk of the classification the category maps to, when one fits.")
    blocked: int | None = Field(description="Blocked attempts; null when withheld.")


class PreventiveMonth(Schema):
    month: str = Field(description="YYYY-MM")
    blocked: int | None = Field(
        description="Blocked attempts in the month, every category; null when withheld."
    )


class PreventiveCategory(Schema):
    category: str
    risk: str
    blocked: int | None = Field(
        description="Blocked attempts in the category, every month; null when withheld."
    )


class PreventiveOut(Schema):
    suppression_threshold: int
    note: str = Field(description="What is withheld and why, in the request's language.")
    total: int | None = Field(
        description="Every blocked attempt counted, withheld ones included; null when withheld."
    )
    rows: list[PreventiveRow]
    by_month: list[PreventiveMonth]
    by_category: list[PreventiveCategory]


@router.get(
    "/filter/statistics/preventive",
    response=PreventiveOut,
    auth=None,
    summary="Blocked attempts by month and category, over every client: anonymous",
)
def preventive_statistics(request: HttpRequest) -> Any:
    """The filter's part of the "preventive actions" indicators: counts only, no child, device or site.
    A count below `suppression_threshold` is null, and so is any count or total that would let a null
    one be worked out by subtraction; the totals include the withheld counts."""
    return preventive_by_month()


class CategoryOut(Schema):
    code: str = Field(description="The category code a profile's blocked_categories uses.")
    label: str
    risk: str = Field(description="The risk of the classification the category maps to, when one fits.")
    state: Literal["ready", "pending", "failed", "not-imported", "no-list", "uncovered"] = Field(
        description="ready: its lists are in force; the others say why it is empty."
    )
    empty: bool = Field(description="True when it holds no names, so blocking it blocks nothing yet.")
    names: int = Field(description="Names its lists block now.")
    lists: int = Field(description="Enabled lists in the category.")
    refreshed_at: datetime.datetime | None = Field(
        description="When its newest list version in force was read."
    )
    message: str = Field(description="What the parent's page says about it, in the request's language.")


@router.get(
    "/filter/categories",
    response=list[CategoryOut],
    summary="Categories a parent may block, and what each holds",
)
def list_categories(request: HttpRequest) -> Any:
    _user(request)
    return [
        {
            "code": status.code,
            "label": str(status.label),
            "risk": BY_CODE[status.code].risk,
            "state": status.state,
            "empty": status.empty,
            "names": status.names,
            "lists": status.lists,
            "refreshed_at": status.refreshed_at,
            "message": status.message,
        }
        for status in coverage.category_statuses().values()
    ]
