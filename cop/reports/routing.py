"""Which organisation is competent for a report, and how urgent it is."""

from __future__ import annotations

from cop.core.models import Organisation, OrganisationKind
from cop.reports.models import Priority, Report

# Risks whose reports are urgent even when nobody says a child is in danger right now.
URGENT_RISKS = {"contact-sexual", "conduct-sexual", "contract-sexual", "content-sexual"}


def competent_hotline(country_id: str) -> Organisation | None:
    """The hotline of the reporter's country; None sends the case to the secretariat to route."""
    return (
        Organisation.objects.filter(country_id=country_id, kind=OrganisationKind.HOTLINE)
        .order_by("pk")
        .first()
    )


def priority_of(report: Report) -> Priority:
    if report.in_danger:
        return Priority.CHILD_IN_DANGER
    if report.risk is not None and report.risk.code in URGENT_RISKS:
        return Priority.HIGH
    return Priority.NORMAL
