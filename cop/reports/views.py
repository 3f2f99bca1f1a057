"""Public report form and status page; the case queue and case pages for hotline and helpline staff."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cop.core import charts, csvfile, disclosure, permissions
from cop.core.collation import sort_by_name
from cop.core.errors import show_on_page
from cop.core.middleware import client_ip
from cop.core.models import Country, OrganisationKind
from cop.helplines.models import Service, ServiceKind
from cop.reports import cases as workflow
from cop.reports import intake, ratelimit
from cop.reports.forms import ActForm, AssessForm, ForwardForm, ReportForm, StartForm, StatusForm, wording
from cop.reports.models import Assessment, Case, CaseStatus, ReporterAge
from cop.threats.models import Classification


def _help_now(country: Country) -> dict[str, Any]:
    return {
        "emergency": list(country.emergency_numbers.all()),
        "helplines": list(
            Service.objects.filter(country=country, kind=ServiceKind.CHILD_HELPLINE).prefetch_related(
                "channels"
            )
        ),
    }


def _address(request: HttpRequest) -> str:
    return client_ip(request) or ""


@never_cache
def report_start(request: HttpRequest) -> HttpResponse:
    if "danger" not in request.GET:
        # Not the first questions answered (their buttons send "danger"), but a link from another page
        # that may know the country or age: show them chosen, and still ask about danger first.
        known = {k: request.GET[k] for k in ("age", "country") if request.GET.get(k)}
        return render(request, "reports/start.html", {"start": StartForm(initial=known)})
    start = StartForm(request.GET)
    if not start.is_valid():
        return render(request, "reports/start.html", {"start": start})
    age, country = start.cleaned_data["age"], start.cleaned_data["country"]
    danger = request.GET.get("danger") == "yes"
    form = ReportForm(
        age=age, initial={"age": age, "country": country.iso2, "danger": "yes" if danger else ""}
    )
    return _form_page(request, form, age, country, danger)


def _form_page(
    request: HttpRequest, form: ReportForm, age: str, country: Country, danger: bool, status: int = 200
) -> HttpResponse:
    context = {
        "form": form,
        "age": age,
        "country": country,
        "danger": danger,
        "child": age != ReporterAge.ADULT,
    }
    context.update(_help_now(country))
    return render(request, "reports/form.html", context, status=status)


@never_cache
@require_POST
def report_submit(request: HttpRequest) -> HttpResponse:
    age = request.POST.get("age", "")
    country = Country.objects.filter(iso2=request.POST.get("country", "")).first()
    if age not in ReporterAge.values or country is None:
        return redirect("reports:start")
    danger = request.POST.get("danger") == "yes"
    form = ReportForm(request.POST, age=age)
    if not form.is_valid():
        return _form_page(request, form, age, country, danger, status=400)
    data = form.cleaned_data
    if data["website"]:
        # A honeypot hit: answer like a refusal, store nothing.
        form.add_error(None, _("The report could not be accepted. Please try again."))
        return _form_page(request, form, age, country, danger, status=400)
    if not ratelimit.allow(_address(request)):
        form.add_error(None, _("Too many reports from your connection just now. Please wait a few minutes."))
        return _form_page(request, form, age, country, danger, status=429)
    submission = intake.Submission(
        country=country.iso2,
        language=get_language() or "en",
        reporter_age=age,
        where_seen=data["where_seen"],
        urls=data["urls"].splitlines(),
        description=data["description"],
        risk=data["risk"],
        in_danger=danger,
        contact={
            "name": data["contact_name"],
            "email": data["contact_email"],
            "phone": data["contact_phone"],
        },
        share_contact_abroad=data["share_contact_abroad"],
        idempotency_key=data["idempotency_key"],
    )
    try:
        receipt = intake.submit(submission)
    except intake.ReportInvalid as error:
        for field in error.errors:
            target = field if field in form.fields else None
            form.add_error(target, _intake_message(field, error.codes.get(field, "")))
        return _form_page(request, form, age, country, danger, status=400)
    except intake.KeyReused:
        # This form was sent before with other answers (the back button keeps its key). Nothing of
        # that report is shown; a fresh key lets the person send these answers as a report of their own.
        fresh = request.POST.copy()
        fresh["idempotency_key"] = uuid.uuid4().hex
        form = ReportForm(fresh, age=age)
        form.is_valid()
        form.add_error(
            None,
            _(
                "This form was already sent with other answers. Check these answers and send them again "
                "to make a new report."
            ),
        )
        return _form_page(request, form, age, country, danger, status=409)
    return render(
        request,
        "reports/receipt.html",
        {"receipt": receipt, "child": age != ReporterAge.ADULT, "country": country, **_help_now(country)},
    )


def _intake_message(field: str, code: str) -> str:
    """The pages' words for what intake refused (its own messages are for the API).

    Invisible characters never get this far: the form's own validators refuse them with the shared message.
    """
    by_code = {
        "link_required": _(
            "Give the link of what you saw. Only something seen in a chat, a game or in person can be "
            "reported without one."
        ),
        "description_required": _("Without a link, say here what happened."),
    }
    by_field = {
        "urls": _("Give web links (http or https), one per line, at most ten."),
        "description": _("The description is too long or contains characters that are not allowed."),
        "contact_email": _("Enter a valid e-mail address, or leave it empty."),
    }
    return by_code.get(code) or by_field.get(field) or _("Please check this answer.")


@never_cache
def report_status(request: HttpRequest) -> HttpResponse:
    form = StatusForm(request.POST or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = intake.find(form.cleaned_data["receipt"], form.cleaned_data["secret"])
        if report is None:
            form.add_error(None, _("No report matches this receipt code and secret word."))
    status = 400 if request.method == "POST" and report is None else 200
    return render(
        request,
        "reports/status.html",
        {"form": form, "report": report, "status": report.public_status() if report else None},
        status=status,
    )


def _actor(request: HttpRequest) -> permissions.Actor:
    return permissions.actor_of(request)


@login_required
def case_queue(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    cases = workflow.visible_cases(actor)
    show = request.GET.get("show", "open")
    if show == "open":
        cases = cases.exclude(status=CaseStatus.CLOSED)
    elif show == "closed":
        cases = cases.filter(status=CaseStatus.CLOSED)
    permissions.require_page(actor, "reports:queue")
    return render(
        request, "reports/queue.html", {"cases": cases.order_by("priority", "created_at"), "show": show}
    )


def _case(request: HttpRequest, pk: int) -> tuple[permissions.Actor, Case]:
    actor = _actor(request)
    case = get_object_or_404(
        Case.objects.select_related(
            "report", "report__country", "report__risk", "organisation", "assigned_to"
        ),
        pk=pk,
    )
    if not workflow.can_handle(actor, case):
        # Not found rather than forbidden: a case of another country is not even confirmed to exist.
        raise Http404("no such case")
    return actor, case


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    actor, case = _case(request, pk)
    context: dict[str, Any] = {
        "case": case,
        "report": case.report,
        "urls": case.report.urls.all(),
        "actions": case.actions.select_related("by", "target_organisation"),
        "contact": case.report.contact_details() if workflow.can_view_contact(actor, case) else None,
        "contact_withheld": case.organisation_id is not None
        and case.report.has_contact
        and not workflow.contact_goes_to(case),
        "assess_form": AssessForm(initial={"assessment": case.assessment}),
        "act_form": ActForm(),
        "forward_form": ForwardForm(
            kind=OrganisationKind.HOTLINE,
            exclude=case.organisation_id,
            ask_contact_reason=workflow.needs_contact_reason(case.report),
        ),
        "refer_form": ForwardForm(kind=OrganisationKind.HELPLINE, exclude=case.organisation_id),
        "route_form": ForwardForm(kind=OrganisationKind.HOTLINE, exclude=None)
        if case.organisation_id is None
        else None,
        "is_routing": case.organisation_id is None,
        "wording": wording(case.report.reporter_age),
    }
    return render(request, "reports/case.html", context)


@login_required
@require_POST
def case_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    actor, case = _case(request, pk)
    user = request.user if request.user.is_authenticated else None
    try:
        if step == "assign":
            workflow.assign(actor, case, user)  # type: ignore[arg-type]
        elif step == "assess":
            form = AssessForm(request.POST)
            if not form.is_valid():
                raise workflow.CaseError(_("Choose an assessment."))
            duplicate = None
            if form.cleaned_data["duplicate_of"]:
                duplicate = workflow.visible_cases(actor).filter(pk=form.cleaned_data["duplicate_of"]).first()
            workflow.assess(actor, case, form.cleaned_data["assessment"], duplicate)
        elif step == "act":
            act_form = ActForm(request.POST)
            if not act_form.is_valid():
                raise workflow.CaseError(_("Choose an action and say to whom."))
            data = act_form.cleaned_data
            workflow.act(actor, case, data["kind"], user, data["target"], data["note"])  # type: ignore[arg-type]
        elif step in ("forward", "refer", "route"):
            kind = OrganisationKind.HELPLINE if step == "refer" else OrganisationKind.HOTLINE
            forward_form = ForwardForm(
                request.POST,
                kind=kind,
                exclude=case.organisation_id if step != "route" else None,
                ask_contact_reason=step == "forward" and workflow.needs_contact_reason(case.report),
            )
            if not forward_form.is_valid():
                raise workflow.CaseError(_("Choose an organisation."))
            target, note = forward_form.cleaned_data["to"], forward_form.cleaned_data["note"]
            if step == "forward":
                reason = forward_form.cleaned_data.get("contact_reason", "")
                workflow.forward(actor, case, target, user, note, contact_reason=reason)  # type: ignore[arg-type]
            elif step == "refer":
                workflow.refer(actor, case, target, user, note)  # type: ignore[arg-type]
            else:
                workflow.route(actor, case, target, user)  # type: ignore[arg-type]
                messages.success(request, _("The case was sent to %(name)s.") % {"name": target.name})
                return redirect("reports:queue")
        elif step == "close":
            workflow.close(actor, case, user, request.POST.get("note", "")[:2000])  # type: ignore[arg-type]
        else:
            raise Http404("unknown step")
    except workflow.CaseError as error:
        show_on_page(request, error)
        return redirect("reports:case", pk=case.pk)
    messages.success(request, _("Saved."))
    return redirect("reports:case", pk=case.pk)


@login_required
def case_export(request: HttpRequest, pk: int) -> HttpResponse:
    actor, case = _case(request, pk)
    user = request.user if request.user.is_authenticated else None
    data = workflow.export(actor, case, user)  # type: ignore[arg-type]
    response = HttpResponse(
        json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8"
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="case-{case.pk}-{case.report.receipt}.json"'
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _statistics_view(request: HttpRequest) -> tuple[Any, int | None, Country | None]:
    from cop.reports import statistics

    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and len(year_text) == 4 else None
    country = Country.objects.filter(iso2=request.GET.get("country", "").upper()).first()
    return statistics.figures(year, country.iso2 if country else None), year, country


def _statistics_charts(*tables: list[tuple[Any, Any]]) -> list[str]:
    """One chart per table of counts, from the same published (disclosure-controlled) cells."""
    titles = [
        _("Reports per month"),
        _("By kind of harm"),
        _("By country of the reporter"),
        _("What the hotlines found"),
    ]
    return [
        charts.bar_chart(
            [charts.Bar(str(name), cell.count) for name, cell in rows],
            chart_id=f"chart-{number}",
            title=title,
            count_title=_("Reports"),
        )
        for number, (title, rows) in enumerate(zip(titles, tables, strict=True), start=1)
    ]


def report_statistics(request: HttpRequest) -> HttpResponse:
    figures, year, country = _statistics_view(request)
    names = {c.iso2: c.name for c in Country.objects.all()}
    current = Classification.objects.current()
    risk_names = {r.code: r.name for r in current.risks.all()} if current else {}
    assessments = dict(Assessment.choices)
    by_risk = [(risk_names.get(c.key, _("Not given")), c) for c in figures.by_risk]
    by_country = [(names.get(c.key, c.key), c) for c in figures.by_country]
    by_outcome = [(assessments.get(c.key, _("Not yet assessed")), c) for c in figures.by_outcome]
    context = {
        "threshold": figures.threshold,
        "note": disclosure.note(figures.threshold),
        "total": figures.total,
        "by_month": figures.by_month,
        "by_risk": by_risk,
        "by_country": by_country,
        "by_outcome": by_outcome,
        "charts": _statistics_charts([(c.key, c) for c in figures.by_month], by_risk, by_country, by_outcome),
        "timing": figures.timing,
        "year": year,
        "country": country,
        "countries": sort_by_name(names.items(), lambda pair: pair[1]),
    }
    return render(request, "reports/statistics.html", context)


def report_statistics_csv(request: HttpRequest) -> HttpResponse:
    """The same figures as the page, one row per count; a withheld count is an empty cell."""
    figures, year, country = _statistics_view(request)
    rows: list[list[Any]] = [
        ["note", disclosure.note(figures.threshold), "", ""],
        ["total", "", figures.total, ""],
    ]
    for table, cells in (
        ("by_month", figures.by_month),
        ("by_risk", figures.by_risk),
        ("by_country", figures.by_country),
        ("by_outcome", figures.by_outcome),
    ):
        rows += [[table, cell.key, cell.count, ""] for cell in cells]
    rows += [["time_to_action", t.month, t.cases, t.median_hours] for t in figures.timing]
    parts = ["cop-report-statistics", str(year or ""), country.iso2 if country else ""]
    name = "-".join(part for part in parts if part) + ".csv"
    return csvfile.response(name, ["table", "key", "count", "median_hours"], rows)
