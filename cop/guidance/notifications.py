"""Library notifications: a new proposal to the secretariat, a decision to its submitter.

Hung on the model's saves, so a proposal or a decision made through any door (a page, the API)
is notified, in the same transaction.
"""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cop.core import notifications
from cop.guidance.models import Resource, Status

NEW_PROPOSAL = "guidance.new-proposal"
DECISION = "guidance.decision"
DECIDED = {Status.APPROVED, Status.CHANGES_REQUESTED, Status.REJECTED}


def register() -> None:
    notifications.register(
        notifications.Kind(
            NEW_PROPOSAL,
            _("a resource is proposed for the library"),
            notifications.holding("guidance.moderate_resource"),
        )
    )
    notifications.register(
        notifications.Kind(
            DECISION,
            _("the secretariat decides on a resource I proposed"),
            notifications.holding("guidance.submit_resource"),
        )
    )


def remember_status(sender: type[Resource], instance: Resource, **kwargs: Any) -> None:
    before = (
        Resource.objects.filter(pk=instance.pk).values_list("status", flat=True).first()
        if instance.pk
        else None
    )
    instance._status_before = before  # type: ignore[attr-defined]


def notify_change(sender: type[Resource], instance: Resource, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_status_before", None)
    if instance.status == before:
        return
    context = {"title": instance.title}
    if instance.status == Status.PENDING:
        moderators = [
            u
            for u in notifications.members_holding("guidance.moderate_resource")
            if u.pk != instance.submitted_by_id
        ]
        notifications.notify(
            moderators,
            NEW_PROPOSAL,
            subject=_("A resource is proposed for the library: %(title)s"),
            message=_("A member proposed “%(title)s” for the library. It waits for your review."),
            context=context,
            link=lambda: reverse("guidance:moderation"),
        )
    elif before == Status.PENDING and instance.status in DECIDED and instance.submitted_by is not None:
        decisions = {
            Status.APPROVED: _("The secretariat published “%(title)s” in the library."),
            Status.CHANGES_REQUESTED: _(
                "The secretariat asks for changes to “%(title)s”. Its note is on the page."
            ),
            Status.REJECTED: _("The secretariat did not accept “%(title)s”. Its reason is on the page."),
        }
        notifications.notify(
            [instance.submitted_by],
            DECISION,
            subject=_("A decision on your proposal: %(title)s"),
            message=decisions[Status(instance.status)],
            context=context,
            link=lambda: reverse("guidance:my-resources") + f"#resource-{instance.pk}",
        )
