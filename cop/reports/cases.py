"""What analysts do with a case. Each step checks the permission in one place and leaves an audit record."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cop.core import audit, permissions
from cop.core.errors import Conflict
from cop.core.models import Organisation, OrganisationKind, User
from cop.reports.models import ActionKind, Assessment, Case, CaseAction, CaseStatus, Report
from cop.reports.routing import competent_hotline

# Actions that count as acting on the report, for the time-to-action timer.
ACTING = {ActionKind.TAKEDOWN, ActionKind.LAW_ENFORCEMENT, ActionKind.FORWARD, ActionKind.REFER}


class CaseError(Conflict):
    """A step that does not fit the case (e.g. forwarding to one's own organisation)."""


def can_handle(actor: permissions.Actor, case: Case) -> bool:
    if case.organisation_id is None:
        return permissions.allows(actor, "reports.route_case")
    return permissions.allows(actor, "reports.handle_case", organisation_id=case.organisation_id)


def contact_goes_to(case: Case) -> bool:
    """Whether the reporter's contact details go with this case to its organisation.

    They stay in the reporter's country unless the reporter agreed to share them abroad, or the analyst
    who forwarded the case recorded why the other hotline needs them.
    """
    organisation = case.organisation
    if organisation is None:
        return False
    report = case.report
    return (
        organisation.country_id == report.country_id
        or report.share_contact_abroad
        or bool(case.contact_reason)
    )


def can_view_contact(actor: permissions.Actor, case: Case) -> bool:
    return (
        case.organisation_id is not None
        and permissions.allows(actor, "reports.view_contact", organisation_id=case.organisation_id)
        and contact_goes_to(case)
    )


def needs_contact_reason(report: Report) -> bool:
    """Forwarding abroad shares this report's contact details only with a reason: some, not agreed to."""
    return report.has_contact and not report.share_contact_abroad


def visible_cases(actor: permissions.Actor) -> QuerySet[Case]:
    """The cases of the organisations the actor handles cases for, and unrouted ones for the secretariat."""
    organisations = [
        g.organisation_id
        for g in actor.grants
        if permissions.allows(actor, "reports.handle_case", organisation_id=g.organisation_id)
    ]
    query = Q(organisation_id__in=organisations)
    if permissions.allows(actor, "reports.route_case"):
        query |= Q(organisation__isnull=True)
    return Case.objects.filter(query).select_related("report", "organisation", "assigned_to")


def _require(actor: permissions.Actor, case: Case) -> None:
    if not can_handle(actor, case):
        raise PermissionDenied("reports.handle_case")


def _record(case: Case, kind: str, by: User | None, **fields: object) -> CaseAction:
    return CaseAction.objects.create(case=case, kind=kind, by=by, **fields)  # type: ignore[arg-type]


@transaction.atomic
def assign(actor: permissions.Actor, case: Case, user: User) -> None:
    _require(actor, case)
    case.assigned_to = user
    if case.status == CaseStatus.NEW:
        case.status = CaseStatus.ASSIGNED
    case.save()


@transaction.atomic
def assess(actor: permissions.Actor, case: Case, assessment: str, duplicate_of: Case | None = None) -> None:
    _require(actor, case)
    if assessment not in Assessment.values:
        raise CaseError(_("Unknown assessment."))
    if assessment == Assessment.DUPLICATE:
        if (
            duplicate_of is None
            or duplicate_of.pk == case.pk
            or duplicate_of.organisation_id != case.organisation_id
        ):
            raise CaseError(_("A duplicate must point at another case of the same organisation."))
    case.assessment = assessment
    case.duplicate_of = duplicate_of if assessment == Assessment.DUPLICATE else None
    case.assessed_at = case.assessed_at or timezone.now()
    if case.status in (CaseStatus.NEW, CaseStatus.ASSIGNED):
        case.status = CaseStatus.ASSESSED
    case.save()


def _mark_acted(case: Case) -> None:
    now = timezone.now()
    case.actioned_at = case.actioned_at or now
    if case.status != CaseStatus.CLOSED:
        case.status = CaseStatus.ACTIONED
    case.save()


@transaction.atomic
def act(
    actor: permissions.Actor, case: Case, kind: str, by: User | None, target: str = "", note: str = ""
) -> None:
    """Notice and takedown, or a forward to law enforcement."""
    _require(actor, case)
    if kind not in (ActionKind.TAKEDOWN, ActionKind.LAW_ENFORCEMENT):
        raise CaseError(_("Use forward or refer for those actions."))
    if not case.assessment:
        raise CaseError(_("Assess the case before acting on it."))
    _record(case, kind, by, target=target, note=note)
    _mark_acted(case)


def _hand_over(
    case: Case, to: Organisation, kind: str, by: User | None, note: str, contact_reason: str = ""
) -> Case:
    """Record the hand-over and open a linked case in the receiving organisation's queue."""
    _record(case, kind, by, target_organisation=to, note=note)
    _mark_acted(case)
    return Case.objects.create(
        report=case.report,
        organisation=to,
        forwarded_from=case,
        priority=case.priority,
        contact_reason=contact_reason,
    )


@transaction.atomic
def forward(
    actor: permissions.Actor,
    case: Case,
    to: Organisation,
    by: User | None,
    note: str = "",
    *,
    contact_reason: str = "",
) -> Case:
    """Cross-border exchange: a new case in the other country's hotline queue, linked to this one.

    The reporter's contact details go with it only if they agreed, or with `contact_reason`, which is
    kept on the new case (and so in its audit record, which never holds the details themselves).
    """
    _require(actor, case)
    if to.kind != OrganisationKind.HOTLINE or to.pk == case.organisation_id:
        raise CaseError(_("Forward to the hotline of another country."))
    abroad = to.country_id != case.report.country_id
    reason = contact_reason.strip() if abroad and needs_contact_reason(case.report) else ""
    return _hand_over(case, to, ActionKind.FORWARD, by, note, contact_reason=reason)


@transaction.atomic
def refer(actor: permissions.Actor, case: Case, to: Organisation, by: User | None, note: str = "") -> Case:
    """Refer the reporter's situation to a helpline, which gets a case of its own."""
    _require(actor, case)
    if to.kind != OrganisationKind.HELPLINE:
        raise CaseError(_("Refer to a helpline."))
    return _hand_over(case, to, ActionKind.REFER, by, note)


@transaction.atomic
def route(actor: permissions.Actor, case: Case, to: Organisation, by: User | None) -> None:
    """The secretariat gives an unrouted case to a hotline."""
    if case.organisation_id is not None or not permissions.allows(actor, "reports.route_case"):
        raise PermissionDenied("reports.route_case")
    if to.kind != OrganisationKind.HOTLINE:
        raise CaseError(_("Route to a hotline."))
    case.organisation = to
    case.save()


@transaction.atomic
def return_to_routing(organisation: Organisation) -> int:
    """Send the open cases of an organisation whose kind or country changed back to routing.

    A case was given to the organisation for what it was (a hotline, a helpline, of a country). Once it
    is something else, nobody there is meant to handle it: a report's own case goes to the competent
    hotline of the reporter's country if there is another one; anything else, and a report whose country
    has none, to the secretariat's queue of cases to route. Closed cases stay where they are, as history.
    Returns how many cases moved.
    """
    who = audit.current_actor().user
    moved = 0
    for case in (
        Case.objects.filter(organisation=organisation)
        .exclude(status=CaseStatus.CLOSED)
        .select_related("report")
    ):
        target = None
        if case.forwarded_from_id is None:
            target = competent_hotline(case.report.country_id, exclude=organisation.pk)
        case.organisation = target
        case.assigned_to = None
        if case.status == CaseStatus.ASSIGNED:
            case.status = CaseStatus.NEW
        case.save()
        _record(case, ActionKind.REROUTE, who, target_organisation=target)
        moved += 1
    return moved


@transaction.atomic
def close(actor: permissions.Actor, case: Case, by: User | None, note: str = "") -> None:
    _require(actor, case)
    if case.status == CaseStatus.CLOSED:
        # A second close would record a second closing and move the closing time.
        raise CaseError(_("This case is closed already."))
    if not case.assessment:
        raise CaseError(_("Assess the case before closing it."))
    _record(case, ActionKind.CLOSE, by, note=note)
    case.status = CaseStatus.CLOSED
    case.closed_at = timezone.now()
    case.save()


@transaction.atomic
def export(actor: permissions.Actor, case: Case, by: User | None) -> dict[str, object]:
    """Everything about a case, contact details included, for law enforcement; the export is recorded."""
    _require(actor, case)
    report = case.report
    _record(case, ActionKind.EXPORT, by)
    return {
        "receipt": report.receipt,
        "submitted_at": report.submitted_at.isoformat(),
        "country": report.country_id,
        "language": report.language,
        "reporter_age": report.reporter_age,
        "child_in_danger": report.in_danger,
        "where_seen": report.where_seen,
        "urls": [u.url for u in report.urls.all()],
        "description": report.description,
        "risk": {"code": report.risk.code, "version": report.risk.classification.version}
        if report.risk
        else None,
        "contact": report.contact_details() if can_view_contact(actor, case) else None,
        "case": {
            "id": case.pk,
            "organisation": case.organisation.name if case.organisation else None,
            "assessment": case.assessment,
            "assessed_at": case.assessed_at.isoformat() if case.assessed_at else None,
            "actioned_at": case.actioned_at.isoformat() if case.actioned_at else None,
            "actions": [
                {"kind": a.kind, "at": a.at.isoformat(), "target": a.target, "note": a.note}
                for a in case.actions.all()
            ],
        },
    }
