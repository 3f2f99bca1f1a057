"""Who may see and change what of the family filter: the guardians of a family, and no one else.

Every page and API endpoint fetches families, profiles and what hangs off them only through these
functions, so a row of another family is "not found" — never "forbidden", which would confirm that
it exists. Being a member of an organisation (even the secretariat) gives no access here: a family's
rules and reports are private to its guardians.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from cop.core.models import User
from cop.core.permissions import Actor
from cop.filter.models import Device, Entry, Family, Profile, Schedule, UnblockRequest

M = TypeVar("M", bound=Model)


def families_of(user: User) -> QuerySet[Family]:
    """The families `user` is a guardian of."""
    return Family.objects.filter(guardians__user=user)


def guards_a_family(actor: Actor) -> bool:
    """Whether the actor guards any family: who sees the family filter's queue and notifications."""
    return actor.user is not None and families_of(actor.user).exists()


def _guarded(queryset: QuerySet[M], user: User, family_path: str) -> QuerySet[M]:
    # One Guardian row per (family, user) — a unique constraint — so this join never duplicates rows.
    return queryset.filter(**{f"{family_path}__guardians__user": user})


def profiles_of(user: User) -> QuerySet[Profile]:
    return _guarded(Profile.objects.select_related("family"), user, "family")


def family_for(user: User, pk: int) -> Family:
    family = families_of(user).filter(pk=pk).first()
    if family is None:
        raise Http404(_("No family with this number is yours to manage."))
    return family


def profile_for(user: User, pk: int) -> Profile:
    profile = profiles_of(user).filter(pk=pk).first()
    if profile is None:
        raise Http404(_("No child's profile with this number is yours to manage."))
    return profile


def entry_for(user: User, pk: int) -> Entry:
    entry = (
        _guarded(Entry.objects.select_related("profile__family"), user, "profile__family")
        .filter(pk=pk)
        .first()
    )
    if entry is None:
        raise Http404(_("No list entry with this number is yours to manage."))
    return entry


def schedule_for(user: User, pk: int) -> Schedule:
    schedule = (
        _guarded(Schedule.objects.select_related("profile__family"), user, "profile__family")
        .filter(pk=pk)
        .first()
    )
    if schedule is None:
        raise Http404(_("No schedule with this number is yours to manage."))
    return schedule


def device_for(user: User, pk: int) -> Device:
    device = (
        _guarded(Device.objects.select_related("profile__family"), user, "profile__family")
        .filter(pk=pk)
        .first()
    )
    if device is None:
        raise Http404(_("No device with this number is yours to manage."))
    return device


def requests_of(user: User) -> QuerySet[UnblockRequest]:
    return _guarded(UnblockRequest.objects.select_related("profile__family"), user, "profile__family")


def unblock_request_for(user: User, pk: int) -> UnblockRequest:
    found = requests_of(user).filter(pk=pk).first()
    if found is None:
        raise Http404(_("No request with this number is yours to decide."))
    return found


def is_guardian(user: User, family: Family) -> bool:
    return family.guardians.filter(user=user).exists()
