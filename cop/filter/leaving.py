"""What of the family filter goes with a deleted account (cop/core/deletion.py).

A family whose only guardian the account is goes with it, with everything hanging off it
(children's profiles, devices and their networks, lists, schedules, requests, reports, invitations).
A family with another guardian stays with them; only the account's guardianship goes.
"""

from __future__ import annotations

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from cop.core.deletion import Consequences
from cop.core.models import User
from cop.filter import access
from cop.filter.models import Family, Invitation


def _families(user: User) -> QuerySet[Family]:
    # Counted on a query of its own: after a filter on guardians, Count would see only this account's row.
    mine = access.families_of(user).values("pk")
    return (
        Family.objects.filter(pk__in=mine).annotate(guardian_count=Count("guardians")).order_by("name", "pk")
    )


def describe(user: User, consequences: Consequences) -> None:
    for family in _families(user):
        if family.guardian_count == 1:  # type: ignore[attr-defined]
            consequences.goes.append(
                _(
                    "%(family)s, with its children's profiles, devices, lists, schedules, requests "
                    "and reports."
                )
                % {"family": family.name}
            )
        else:
            consequences.stays.append(
                _("%(family)s stays with its other guardians; you are no longer one of them.")
                % {"family": family.name}
            )


def erase(user: User) -> None:
    # Evaluated before anything is deleted: the count changes as guardianships go.
    alone = [family for family in _families(user) if family.guardian_count == 1]  # type: ignore[attr-defined]
    for family in alone:
        family.delete()
    # The invitations this account accepted name it; those of families that stay go too.
    for invitation in Invitation.objects.filter(accepted_by=user):
        invitation.delete()
