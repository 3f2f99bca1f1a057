"""Report intake for apps and partners, and the case API for hotlines (with an organisation's token).

No `from __future__ import annotations` here: django-ninja reads the
parameter annotations at run time.
"""

import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from ninja import Field, Header, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import ConfigDict, JsonValue

from cop.core.api import ErrorOut, actor, token_auth
from cop.core.api_fields import Body, CountryCode, FreeText, OneOf, refusing
from cop.core.errors import Invalid, NotFound, TooMany
from cop.core.middleware import client_ip
from cop.core.models import Organisation, OrganisationKind
from cop.core.pagination import LimitOffset, Page
from cop.core.visible import is_invisible
from cop.reports import cases as workflow
from cop.reports import intake, models, ratelimit
from cop.reports.models import ActionKind, Case
from cop.threats.loader import parse_classification

router = Router(tags=["reports"])


# Reported text as the intake accepts it (intake.refused_in_text): no control, private-use or unassigned
# characters but tabs and line breaks.
ReportText = Annotated[str, Field(json_schema_extra={"pattern": refusing(intake.refused_in_text)})]


# A contact detail: the text rule above, and no invisible or direction-changing character (core/visible.py).
ContactText = Annotated[
    str,
    Field(
        max_length=intake.MAX_CONTACT_FIELD,
        json_schema_extra={"pattern": refusing(lambda c: intake.refused_in_text(c) or is_invisible(c))},
    ),
]


class ContactIn(Body):
    name: ContactText = ""
    email: Annotated[
        ContactText, Field(json_schema_extra={"anyOf": [{"maxLength": 0}, {"format": "email"}]})
    ] = ""
    phone: ContactText = ""
    share_abroad: bool = Field(
        False,
        description="The reporter agrees that these details go with the report to the hotline of another "
        "country if it is forwarded there. Without it they stay with the hotline of the reporter's country, "
        "unless an analyst records why they must be shared.",
    )


# A web link as the intake accepts it (cop/reports/intake.py, clean_url): a host name with a dot, with or
# without http(s)://, then an optional path of visible ASCII; never empty. Spaces around it are trimmed.
Link = Annotated[
    str,
    Field(
        min_length=4,
        max_length=intake.MAX_URL_LENGTH,
        pattern=r"^\s*(https?://)?([A-Za-z0-9]([A-Za-z0-9-]{0,60}[A-Za-z0-9])?\.){1,3}[A-Za-z]{2,63}([/?#][!-~]*)?\s*$",
        description="e.g. https://example.com/page or example.com/page",
    ),
]


# The codes the classification is loaded from (cop/threats/loader.py; codes never change meaning between
# versions); the intake checks against the loaded one.
RISK_CODES = frozenset(["", *(str(risk["code"]) for risk in parse_classification().risks)])

# The intake's rules between fields (cop/reports/intake.py), in the schema too: a link is needed unless
# the content was seen where there is none; without a link, the description must say something.
LINK_OPTIONAL: list[JsonValue] = [str(place) for place in sorted(models.LINK_OPTIONAL)]
NO_LINKS: dict[str, JsonValue] = {
    "anyOf": [
        {"not": {"required": ["urls"]}},
        {"properties": {"urls": {"maxItems": 0}}, "required": ["urls"]},
    ]
}


class ReportIn(Body):
    model_config = ConfigDict(
        json_schema_extra={
            "allOf": [
                {
                    "if": {
                        "properties": {"where_seen": {"not": {"enum": LINK_OPTIONAL}}},
                        "required": ["where_seen"],
                    },
                    "then": {"properties": {"urls": {"minItems": 1}}, "required": ["urls"]},
                },
                {
                    "if": NO_LINKS,
                    # Something visible once trimmed: not only spaces or control characters.
                    "then": {
                        "properties": {"description": {"pattern": "[^\\s\\u0000-\\u001f\\u007f-\\u009f]"}},
                        "required": ["description"],
                    },
                },
            ]
        }
    )
    country: CountryCode = Field(description="ISO 3166 alpha-2 of the reporter")
    reporter_age: Literal["8-12", "13-17", "adult"]
    where_seen: Literal[
        "website", "social-network", "video", "game", "messaging", "email", "in-person", "other"
    ]
    urls: Annotated[
        list[Link],
        Field(
            max_length=10,
            description="Web links of what was seen, at least one for web content. May be empty when "
            "`where_seen` is `messaging`, `game` or `in-person`; `description` then says what happened.",
        ),
    ] = []
    description: Annotated[
        ReportText, Field(max_length=intake.MAX_DESCRIPTION, description="Required when `urls` is empty.")
    ] = ""
    risk: Annotated[
        str, OneOf(RISK_CODES, "A risk code of the classification (/api/v1/threats), or empty.")
    ] = ""
    in_danger: bool = False
    language: Literal["ar", "zh-hans", "en", "fr", "ru", "es"] = "en"
    contact: ContactIn | None = None


class ReceiptOut(Schema):
    receipt: str
    secret: str
    status: str


class StatusIn(Body):
    receipt: Annotated[str, Field(max_length=20)]
    secret: Annotated[str, Field(max_length=40)]


class StatusOut(Schema):
    receipt: str
    status: str
    submitted_at: datetime.datetime


class CaseOut(Schema):
    id: int
    receipt: str
    organisation: str | None
    priority: int
    status: str
    assessment: str
    submitted_at: datetime.datetime
    assessed_at: datetime.datetime | None
    actioned_at: datetime.datetime | None
    country: str
    urls: list[str]
    risk: str | None
    contact: dict[str, str] | None


class AssessmentIn(Body):
    assessment: Literal[
        "internationally-illegal", "nationally-illegal", "harmful-legal", "not-actionable", "duplicate"
    ]
    duplicate_of: int | None = None


class ActionIn(Body):
    # The server refuses a contact_reason with any other kind (act_on_case): the schema says so too.
    model_config = ConfigDict(
        json_schema_extra={
            "if": {"properties": {"kind": {"not": {"const": "forward-hotline"}}}, "required": ["kind"]},
            "then": {"properties": {"contact_reason": {"maxLength": 0}}},
        }
    )

    kind: Literal["takedown-notice", "law-enforcement", "forward-hotline", "refer-helpline", "close"]
    target: Annotated[FreeText, Field(max_length=300)] = ""
    target_organisation: int | None = None
    note: Annotated[FreeText, Field(max_length=2000)] = ""
    contact_reason: Annotated[
        FreeText,
        Field(
            max_length=500,
            description="forward-hotline only: why the reporter's contact details must go to the other "
            "country's hotline although the reporter did not agree. Without it, and without their "
            "agreement, the other hotline does not get them. Recorded and audited.",
        ),
    ] = ""


@router.post(
    "/reports",
    response={201: ReceiptOut, 200: ReceiptOut, 409: ErrorOut, 415: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Report something (anonymous; links and text only)",
)
def create_report(
    request: HttpRequest,
    body: ReportIn,
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key", max_length=100)] = "",
) -> Any:
    """Send the body as `Content-Type: application/json` (anything else is refused with 415, so that no
    web page can make its visitors' browsers send reports).

    Send the same `Idempotency-Key` when retrying the same report: the answer is the same receipt (200),
    never a second report. A key already used for a different report is refused with 409, which says
    nothing about that report; use a new key for each new report.
    Keep the `secret`: with the receipt it shows the status later, and it cannot be shown again otherwise."""
    if not ratelimit.allow(client_ip(request) or ""):
        raise TooMany(_("Too many reports from this address; try again in a few minutes."))
    contact = body.contact.model_dump() if body.contact else {}
    submission = intake.Submission(
        country=body.country.upper(),
        language=body.language or get_language() or "en",
        reporter_age=body.reporter_age,
        where_seen=body.where_seen,
        urls=body.urls,
        description=body.description,
        risk=body.risk,
        in_danger=body.in_danger,
        contact={k: v for k, v in contact.items() if k != "share_abroad"},
        share_contact_abroad=bool(contact.get("share_abroad")),
        idempotency_key=idempotency_key,
    )
    # ReportInvalid and KeyReused are domain errors: cop/api.py answers them.
    receipt = intake.submit(submission)
    answer = {"receipt": receipt.receipt, "secret": receipt.secret, "status": "received"}
    return Status(201 if receipt.created else 200, answer)


@router.post(
    "/reports/status",
    response={200: StatusOut, 404: ErrorOut, 415: ErrorOut, 422: ErrorOut},
    summary="The status of a report, with its receipt and secret",
)
def report_status(request: HttpRequest, body: StatusIn) -> Any:
    """The receipt and secret may be typed in any unambiguous spelling: lower case, without the dash,
    O for 0 and I or L for 1."""
    report = intake.find(body.receipt, body.secret)
    if report is None:
        raise NotFound(_("No report matches this receipt and secret."))
    return {
        "receipt": report.receipt,
        "status": report.public_status().value,
        "submitted_at": report.submitted_at,
    }


def _case_out(request: HttpRequest, case: Case) -> dict[str, Any]:
    report = case.report
    return {
        "id": case.pk,
        "receipt": report.receipt,
        "organisation": case.organisation.name if case.organisation else None,
        "priority": case.priority,
        "status": case.status,
        "assessment": case.assessment,
        "submitted_at": report.submitted_at,
        "assessed_at": case.assessed_at,
        "actioned_at": case.actioned_at,
        "country": report.country_id,
        "urls": [u.url for u in report.urls.all()],
        "risk": report.risk.code if report.risk else None,
        "contact": report.contact_details() if workflow.can_view_contact(actor(request), case) else None,
    }


def _visible_case(request: HttpRequest, pk: int) -> Case:
    case = get_object_or_404(Case.objects.select_related("report", "organisation"), pk=pk)
    if not workflow.can_handle(actor(request), case):
        raise NotFound(_("No such case."))
    return case


@router.get(
    "/cases", response=list[CaseOut], auth=token_auth, summary="Open cases of the token's organisation"
)
@paginate(LimitOffset)
def list_cases(request: HttpRequest) -> Any:
    cases = workflow.visible_cases(actor(request)).exclude(status="closed").prefetch_related("report__urls")
    return Page(cases.order_by("priority", "created_at", "pk"), lambda case: _case_out(request, case))


@router.get("/cases/{case_id}", response=CaseOut, auth=token_auth, summary="One case")
def get_case(request: HttpRequest, case_id: int) -> Any:
    return _case_out(request, _visible_case(request, case_id))


@router.post(
    "/cases/{case_id}/assessment",
    response={200: CaseOut, 409: ErrorOut},
    auth=token_auth,
    summary="Assess a case",
)
def assess_case(request: HttpRequest, case_id: int, body: AssessmentIn) -> Any:
    case = _visible_case(request, case_id)
    duplicate = None
    if body.duplicate_of is not None:
        duplicate = workflow.visible_cases(actor(request)).filter(pk=body.duplicate_of).first()
    workflow.assess(actor(request), case, body.assessment, duplicate)
    return _case_out(request, case)


@router.post(
    "/cases/{case_id}/actions",
    response={200: CaseOut, 409: ErrorOut},
    auth=token_auth,
    summary="Act on a case",
)
def act_on_case(request: HttpRequest, case_id: int, body: ActionIn) -> Any:
    case = _visible_case(request, case_id)
    who = actor(request)
    by = who.token.created_by if who.token else None
    if body.contact_reason and str(body.kind) != ActionKind.FORWARD.value:
        raise Invalid(_("contact_reason applies to forward-hotline only."))
    kind_value = str(body.kind)
    if kind_value in (ActionKind.TAKEDOWN.value, ActionKind.LAW_ENFORCEMENT.value):
        workflow.act(who, case, body.kind, by, body.target, body.note)
    elif kind_value == ActionKind.CLOSE.value:
        workflow.close(who, case, by, body.note)
    else:
        forwarding = kind_value == ActionKind.FORWARD.value
        kind = OrganisationKind.HOTLINE if forwarding else OrganisationKind.HELPLINE
        target = Organisation.objects.filter(pk=body.target_organisation or 0, kind=kind).first()
        if target is None:
            raise workflow.CaseError(
                _("target_organisation must name an organisation of the kind %(kind)s."), kind=kind.label
            )
        if forwarding:
            workflow.forward(who, case, target, by, body.note, contact_reason=body.contact_reason)
        else:
            workflow.refer(who, case, target, by, body.note)
    return _case_out(request, case)


class CountOut(Schema):
    key: str
    count: int | None = Field(
        description="null when withheld: below the threshold, or so that another cannot be worked out"
    )


class TimingOut(Schema):
    month: str
    cases: int | None = Field(description="null when withheld, as counts are")
    median_hours: float | None = Field(description="null when the count of cases is withheld")


class StatisticsOut(Schema):
    suppression_threshold: int
    note: str = Field(description="What is withheld and why, in the request's language.")
    total: int | None = Field(description="Reports in this view, withheld ones included; null when withheld.")
    by_month: list[CountOut]
    by_risk: list[CountOut]
    by_country: list[CountOut]
    by_outcome: list[CountOut]
    time_to_action: list[TimingOut]


def _cells(rows: list[Any]) -> list[dict[str, Any]]:
    return [{"key": c.key, "count": c.count} for c in rows]


@router.get("/statistics/reports", response=StatisticsOut, summary="Reports and responses in figures")
def report_statistics(
    request: HttpRequest,
    year: Annotated[int | None, Field(ge=2000, le=2100)] = None,
    country: CountryCode | None = None,
) -> Any:
    """Anonymous counts protected by the platform's disclosure control: a count below
    `suppression_threshold` is null, and so is any count or total that would let a null one be worked
    out by subtraction (a zero is a real zero). The totals include the withheld counts."""
    from cop.core import disclosure
    from cop.reports import statistics

    figures = statistics.figures(year, country.upper() if country else None)
    return {
        "suppression_threshold": figures.threshold,
        "note": disclosure.note(figures.threshold),
        "total": figures.total,
        "by_month": _cells(figures.by_month),
        "by_risk": _cells(figures.by_risk),
        "by_country": _cells(figures.by_country),
        "by_outcome": _cells(figures.by_outcome),
        "time_to_action": [vars(t) for t in figures.timing],
    }
