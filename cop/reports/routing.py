"""Which organisation is competent for a report, and how urgent it is."""

from __future__ import annotations

from django.db.models import Exists, OuterRef

from cop.core import permissions
from cop.core.models import Membership, Organisation, OrganisationKind
from cop.reports.models import Priority, Report

# Risks whose reports are urgent even when nobody says a child is in danger right now.
URGENT_RISKS = {"contact-sexual", "conduct-sexual", "contract-sexual", "content-sexual"}


def competent_hotline(country_id: str, exclude: int | None = None) -> Organisation | None:
    """The hotline of the reporter's country that someone handles; None sends the case to the secretariat.

    A hotline counts only once somebody active holds a role there that handles cases (the permissions
    registry says which): a hotline registered without analysts yet would be a black hole.
    """
    handlers = Membership.objects.filter(
        organisation=OuterRef("pk"),
        role__in=list(permissions.rules("reports.handle_case")),
        user__is_active=True,
    )
    hotlines = Organisation.objects.filter(country_id=country_id, kind=OrganisationKind.HOTLINE).filter(
        Exists(handlers)
    )
    if exclude is not None:
        hotlines = hotlines.exclude(pk=exclude)
    return hotlines.order_by("pk").first()


def priority_of(report: Report) -> Priority:
    if report.in_danger:
        return Priority.CHILD_IN_DANGER
    if report.risk is not None and report.risk.code in URGENT_RISKS:
        return Priority.HIGH
    return Priority.NORMAL
