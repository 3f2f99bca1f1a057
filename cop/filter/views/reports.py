"""A child's report, and the raw query log a guardian may turn on for a few hours."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cop.filter import access, actions, reporting
from cop.filter.forms import QueryLogForm
from cop.filter.models import Profile
from cop.filter.views.common import guardian, page


def _report_page(request: HttpRequest, profile: Profile, form: QueryLogForm | None = None) -> HttpResponse:
    return page(
        request,
        "filter/report.html",
        {
            "profile": profile,
            "family": profile.family,
            "report": reporting.build(profile),
            "query_log_form": form or QueryLogForm(),
            "max_hours": actions.max_log_hours(),
            "retention_days": settings.FILTER_REPORT_RETENTION_DAYS,
        },
        invalid=form is not None,
    )


@login_required
def report(request: HttpRequest, pk: int) -> HttpResponse:
    return _report_page(request, access.profile_for(guardian(request), pk))


@login_required
@require_POST
def query_log(request: HttpRequest, pk: int) -> HttpResponse:
    profile = access.profile_for(guardian(request), pk)
    if request.POST.get("turn") == "off":
        actions.set_query_log(profile, None)
        messages.success(request, _("The query log of %(child)s is off.") % {"child": profile.name})
        return redirect("filter:report", pk=profile.pk)
    form = QueryLogForm(request.POST)
    if not form.is_valid():
        return _report_page(request, profile, form)
    hours = form.cleaned_data["hours"]
    actions.set_query_log(profile, hours)
    text = ngettext(
        "The query log of %(child)s is on for %(hours)s hour.",
        "The query log of %(child)s is on for %(hours)s hours.",
        hours,
    )
    messages.success(request, text % {"child": profile.name, "hours": hours})
    return redirect("filter:report", pk=profile.pk)
