"""The library's queues: proposals waiting for moderation, and a submitter's proposals sent back."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cop.core import permissions, queues
from cop.core.permissions import Actor
from cop.guidance.models import Resource, Status


def _pending(actor: Actor) -> int:
    return Resource.objects.filter(status=Status.PENDING).count()


def _sent_back(actor: Actor) -> int:
    return Resource.objects.filter(submitted_by=actor.user, status=Status.CHANGES_REQUESTED).count()


def register() -> None:
    queues.register(
        queues.Queue("guidance.moderation", _("Proposals to review"), "guidance:moderation", _pending)
    )
    queues.register(
        queues.Queue(
            "guidance.changes-requested",
            _("My proposals sent back for changes"),
            "guidance:my-resources",
            _sent_back,
            shown_to=lambda actor: permissions.may_open(actor, "guidance:resource-submit"),
        )
    )
