"""A child's unblock request tells the family's guardians by e-mail."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cop.core import notifications
from cop.core.models import User
from cop.filter import access
from cop.filter.models import UnblockRequest

UNBLOCK_REQUEST = "filter.unblock-request"


def register() -> None:
    notifications.register(
        notifications.Kind(UNBLOCK_REQUEST, _("a child asks me to unblock a site"), access.guards_a_family)
    )


def notify_request(
    sender: type[UnblockRequest], instance: UnblockRequest, created: bool, **kwargs: Any
) -> None:
    if not created:
        return
    guardians = User.objects.filter(filter_guardianships__family_id=instance.profile.family_id)
    notifications.notify(
        guardians,
        UNBLOCK_REQUEST,
        subject=_("%(child)s asks to open %(site)s"),
        message=_(
            "%(child)s asks you to unblock %(site)s. Approve or decline it on your family filter's page."
        ),
        context={"child": instance.profile.name, "site": instance.name},
        link=lambda: reverse("filter:dashboard"),
    )
