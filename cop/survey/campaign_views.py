"""The secretariat's campaign pages (list, open, dashboard, reminders, deadline, closing) and the
overview of one country's response, where the invitations link to."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cop.core import permissions
from cop.core.errors import DomainError, show_on_page
from cop.survey import campaigns, dashboard
from cop.survey.campaign_forms import DeadlineForm, OpenCampaignForm
from cop.survey.models import Campaign, CampaignStatus, Response, ResponseState

# The dashboard's views of its country list, by the `show` parameter: states shown.
SHOWN: dict[str, set[str]] = {
    "all": set(),
    "late": {ResponseState.DRAFT},
    "waiting": set(dashboard.WAITING),
    "has-issues": {ResponseState.HAS_ISSUES},
    "approved": {ResponseState.APPROVED},
}


def _campaign(request: HttpRequest, pk: int) -> tuple[permissions.Actor, Campaign]:
    actor = permissions.actor_of(request)
    permissions.require_page(actor, "survey-campaign")
    campaign = get_object_or_404(Campaign.objects.select_related("version", "version__questionnaire"), pk=pk)
    return actor, campaign


@login_required
def campaign_list(request: HttpRequest) -> HttpResponse:
    permissions.require_page(permissions.actor_of(request), "survey-campaigns")
    return render(request, "survey/campaigns/list.html", {"campaigns": dashboard.campaigns_with_counts()})


@login_required
@never_cache
def campaign_open(request: HttpRequest) -> HttpResponse:
    actor = permissions.actor_of(request)
    permissions.require_page(actor, "survey-campaign-open")
    form = OpenCampaignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            campaign = campaigns.open_campaign(
                actor,
                version=data["version"],
                name=data["name"],
                year=data["year"],
                deadline=data["deadline"],
                countries=data["countries"] or None,
            )
        except DomainError as error:
            show_on_page(request, error)
        else:
            messages.success(
                request,
                _(
                    "The campaign is open. Countries asked: %(count)s. Each has a draft response, and "
                    "its focal points an invitation."
                )
                % {"count": campaign.responses.count()},
            )
            return redirect("survey-campaign", pk=campaign.pk)
    return render(
        request,
        "survey/campaigns/open.html",
        {"form": form, "has_versions": form.fields["version"].queryset.exists()},  # type: ignore[attr-defined]
        status=400 if form.is_bound else 200,
    )


@login_required
def campaign_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    _actor, campaign = _campaign(request, pk)
    show = request.GET.get("show", "all")
    if show not in SHOWN:
        show = "all"
    title, title_language = dashboard.version_title(campaign.version)
    context: dict[str, Any] = {
        "campaign": campaign,
        "version_title": title,
        "version_language": title_language,
        "rates": dashboard.rates(campaign),
        "states": list(ResponseState),
        "rows": dashboard.country_rows(campaign, SHOWN[show]),
        "show": show,
        "draft": ResponseState.DRAFT,
        "is_open": campaign.status == CampaignStatus.OPEN,
        "deadline_form": DeadlineForm(),
    }
    return render(request, "survey/campaigns/dashboard.html", context)


@login_required
@require_POST
def campaign_remind(request: HttpRequest, pk: int) -> HttpResponse:
    actor, campaign = _campaign(request, pk)
    # Two buttons: every country not submitted, or those ticked in the list.
    chosen = None if request.POST.get("scope") == "late" else request.POST.getlist("countries")
    try:
        result = campaigns.remind(actor, campaign, chosen)
    except DomainError as error:
        show_on_page(request, error)
        return redirect("survey-campaign", pk=campaign.pk)
    if result.reminded:
        messages.success(
            request,
            _("Reminded: %(countries)s.") % {"countries": campaigns.names_of(result.reminded)},
        )
    if result.already:
        messages.warning(
            request,
            _("Not reminded again: %(countries)s had a reminder today already (one a day at most).")
            % {"countries": campaigns.names_of(result.already)},
        )
    if result.unreachable:
        messages.warning(
            request,
            _(
                "Not reminded: %(countries)s. No focal point of these countries has a confirmed e-mail "
                "address that takes reminders."
            )
            % {"countries": campaigns.names_of(result.unreachable)},
        )
    if not (result.reminded or result.already or result.unreachable):
        messages.info(request, _("Every country asked has submitted its response: nobody to remind."))
    return redirect("survey-campaign", pk=campaign.pk)


@login_required
@require_POST
def campaign_deadline(request: HttpRequest, pk: int) -> HttpResponse:
    actor, campaign = _campaign(request, pk)
    form = DeadlineForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter the new deadline as a date."))
        return redirect("survey-campaign", pk=campaign.pk)
    try:
        campaigns.extend_deadline(actor, campaign, form.cleaned_data["deadline"])
    except DomainError as error:
        show_on_page(request, error)
    else:
        messages.success(request, _("The deadline is moved."))
    return redirect("survey-campaign", pk=campaign.pk)


@login_required
@require_POST
def campaign_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor, campaign = _campaign(request, pk)
    try:
        campaigns.close_campaign(actor, campaign)
    except DomainError as error:
        show_on_page(request, error)
    else:
        messages.success(request, _("The campaign is closed."))
    return redirect("survey-campaign", pk=campaign.pk)


@login_required
def response_page(request: HttpRequest, pk: int) -> HttpResponse:
    """A country's response: its state, deadline, progress and contributors."""
    actor = permissions.actor_of(request)
    permissions.require_page(actor, "survey-response")
    response = get_object_or_404(
        Response.objects.select_related(
            "campaign", "campaign__version", "country", "prefilled_from", "prefilled_from__campaign"
        ),
        pk=pk,
    )
    if not dashboard.readable_response(actor, response):
        # Not found rather than forbidden: another country's response is not even confirmed to exist.
        raise Http404("no such response")
    context = {
        "response": response,
        "campaign": response.campaign,
        "progress": dashboard.progress(response),
        "contributors": dashboard.contributors(response),
        "events": response.events.select_related("by"),
        "is_open": response.campaign.status == CampaignStatus.OPEN,
    }
    return render(request, "survey/campaigns/response.html", context)
