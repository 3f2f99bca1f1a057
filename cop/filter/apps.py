from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.apps import AppConfig

if TYPE_CHECKING:
    from cop.core.models import User
    from cop.filter.models import Family


class FilterConfig(AppConfig):
    name = "cop.filter"
    label = "filter"
    verbose_name = "Family filter"

    def ready(self) -> None:
        from django.db.models.signals import post_delete

        from cop.core import audit, deletion
        from cop.filter import (
            jobs,  # noqa: F401 - registers the list import and refresh jobs
            leaving,
            permissions,  # noqa: F401 - registers who manages lists
            queues,
            signals,  # noqa: F401 - compiles a snapshot after every policy change
        )

        queues.register()

        from django.db.models.signals import post_save

        from cop.filter import notifications
        from cop.filter.models import UnblockRequest as Asked

        notifications.register()
        post_save.connect(notifications.notify_request, sender=Asked, dispatch_uid="cop-filter-notify")
        from cop.filter.models import (
            AssignedRange,
            Device,
            DeviceNetwork,
            Entry,
            Family,
            Guardian,
            Invitation,
            Profile,
            Schedule,
            UnblockRequest,
        )

        # Who changed a child's rules, and when, is on record whichever door the change came through.
        # Every record is about a family, and the family's guardians alone read the values: anyone
        # else who reads the audit log sees that something happened, not a child's name, a network,
        # a site or a reason (cop/core/audit.py, `Reader`).
        family = (Family, "family_id")
        profile_family = (Family, "profile.family_id")
        audit.track(Family, subject=(Family, "pk"))
        audit.track(Guardian, subject=family)
        audit.track(Profile, subject=family)
        audit.track(Entry, subject=profile_family)
        audit.track(Schedule, subject=profile_family)
        # The token lets a device be filtered (and ask) as the child: the log notes it, never its value.
        # The resolver's "last seen" bookkeeping alone is not worth a record.
        audit.track(Device, redact={"token", "ask_token"}, ignore={"last_seen_at"}, subject=profile_family)
        audit.track(DeviceNetwork, subject=family)
        audit.track(AssignedRange, subject=family)
        audit.track(UnblockRequest, subject=profile_family)
        # The nonce is half of an invitation's link.
        audit.track(Invitation, redact={"nonce"}, subject=family)
        audit.private(Family, readers=guardians_families)
        # A parent deleting their account takes the families only they manage with them.
        deletion.register("filter", leaving.describe, leaving.erase)
        # A deleted family leaves on record that things happened, never what they held (a child's
        # name, a network, a site). After the family's own delete record, which is connected first.
        post_delete.connect(forget_family, sender=Family, dispatch_uid="filter-audit-forget-family")


def guardians_families(user: User) -> Iterable[int]:
    """The keys of the families whose audit records `user` reads in full: those they are a guardian of."""
    from cop.filter.access import families_of

    return families_of(user).values_list("pk", flat=True)


def forget_family(sender: type[Family], instance: Family, **kwargs: Any) -> None:
    """Erase the values of every audit record about a family once it is deleted (its profiles,
    devices, lists and requests went with it), keeping that each event happened."""
    from cop.core import audit

    audit.erase_details(sender, instance.pk)
