"""The case queue: open cases of the analyst's hotline, and unrouted ones for the secretariat."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from cop.core import queues
from cop.core.permissions import Actor
from cop.reports.cases import visible_cases
from cop.reports.models import CaseStatus


def _open_cases(actor: Actor) -> int:
    # What the case queue lists by default: every case not closed yet.
    return visible_cases(actor).exclude(status=CaseStatus.CLOSED).count()


def register() -> None:
    queues.register(queues.Queue("reports.cases", _("Open cases"), "reports:queue", _open_cases))
