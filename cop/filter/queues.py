"""A guardian's queue: children's unblock requests waiting for a decision."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cop.core import queues
from cop.core.permissions import Actor
from cop.filter import access
from cop.filter.models import UnblockRequest


def _pending(actor: Actor) -> int:
    assert actor.user is not None  # shown to guardians only
    return access.requests_of(actor.user).filter(status=UnblockRequest.Status.PENDING).count()


def register() -> None:
    queues.register(
        queues.Queue(
            "filter.unblock-requests",
            _("Unblock requests"),
            "filter:dashboard",
            _pending,
            shown_to=access.guards_a_family,
        )
    )
