"""A case assigned to an analyst tells them by e-mail, unless they took it themselves."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cop.core import audit, notifications
from cop.reports.models import Case

CASE_ASSIGNED = "reports.case-assigned"


def register() -> None:
    notifications.register(
        notifications.Kind(
            CASE_ASSIGNED, _("a case is assigned to me"), notifications.holding("reports.handle_case")
        )
    )


def remember_assignee(sender: type[Case], instance: Case, **kwargs: Any) -> None:
    before = (
        Case.objects.filter(pk=instance.pk).values_list("assigned_to_id", flat=True).first()
        if instance.pk
        else None
    )
    instance._assignee_before = before  # type: ignore[attr-defined]


def notify_assignment(sender: type[Case], instance: Case, created: bool, **kwargs: Any) -> None:
    assignee = instance.assigned_to
    if assignee is None or instance.assigned_to_id == getattr(instance, "_assignee_before", None):
        return
    acting = audit.current_actor().user
    if acting is not None and acting.pk == assignee.pk:
        return  # they took it themselves
    notifications.notify(
        [assignee],
        CASE_ASSIGNED,
        subject=_("Case %(number)s is assigned to you"),
        # The mail says which case, never what was reported: the page behind the sign-in does.
        message=_("Case %(number)s is assigned to you on the COP Platform."),
        context={"number": instance.pk},
        link=lambda: reverse("reports:case", args=[instance.pk]),
    )
