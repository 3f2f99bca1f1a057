"""Schedules: windows of the week when more is blocked (bedtime, school nights)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cop.core.errors import show_on_page
from cop.filter import access, actions
from cop.filter.forms import ScheduleForm
from cop.filter.models import Schedule
from cop.filter.views.common import back_to_profile, guardian, page


def _initial(schedule: Schedule) -> dict[str, Any]:
    return {
        "label": schedule.label,
        "days": [str(day) for day in schedule.days],
        "start": schedule.start,
        "end": schedule.end,
        "mode": ScheduleForm.EVERYTHING if schedule.block_everything else ScheduleForm.CATEGORIES,
        "categories": schedule.categories,
        "allowed": "\n".join(schedule.allowed),
    }


@login_required
def schedule_create(request: HttpRequest, pk: int) -> HttpResponse:
    profile = access.profile_for(guardian(request), pk)
    form = ScheduleForm(request.POST or None, initial={"days": [str(d) for d in range(7)]})
    if request.method == "POST" and form.is_valid():
        schedule = actions.create_schedule(profile, form.values())
        messages.success(request, _("The schedule %(label)s is saved.") % {"label": schedule.label})
        return back_to_profile(profile.pk, "schedules")
    return page(
        request,
        "filter/schedule_form.html",
        {"form": form, "profile": profile, "family": profile.family, "schedule": None},
        invalid=form.is_bound,
    )


@login_required
def schedule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = access.schedule_for(guardian(request), pk)
    profile = schedule.profile
    form = ScheduleForm(request.POST or None, initial=_initial(schedule))
    if request.method == "POST" and form.is_valid():
        actions.update_schedule(schedule, form.values())
        messages.success(request, _("The schedule %(label)s is saved.") % {"label": schedule.label})
        return back_to_profile(profile.pk, "schedules")
    return page(
        request,
        "filter/schedule_form.html",
        {"form": form, "profile": profile, "family": profile.family, "schedule": schedule},
        invalid=form.is_bound,
    )


@login_required
@require_POST
def schedule_delete(request: HttpRequest, pk: int) -> HttpResponse:
    schedule = access.schedule_for(guardian(request), pk)
    schedule.delete()
    messages.success(request, _("The schedule %(label)s is deleted.") % {"label": schedule.label})
    return back_to_profile(schedule.profile_id, "schedules")


@login_required
@require_POST
def schedule_template(request: HttpRequest, pk: int) -> HttpResponse:
    profile = access.profile_for(guardian(request), pk)
    try:
        schedule = actions.apply_template(profile, request.POST.get("template", ""))
    except actions.Refused as refused:
        show_on_page(request, refused)
    else:
        messages.success(request, _("The schedule %(label)s is added.") % {"label": schedule.label})
    return back_to_profile(profile.pk, "schedules")
