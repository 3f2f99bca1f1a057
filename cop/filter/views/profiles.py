"""A child's profile: creating it from the age band's preset, its page, its settings, pausing it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from cop.filter import access, actions, coverage
from cop.filter.categories import BY_CODE, CHOOSABLE, ILLEGAL, PRESETS
from cop.filter.forms import (
    PAUSE_MINUTES,
    EntryForm,
    PauseForm,
    ProfileCreateForm,
    ProfileSettingsForm,
    describe_days,
)
from cop.filter.models import AgeBand, Profile, UnblockRequest
from cop.filter.views.common import back_to_profile, guardian, page


def presets_table() -> list[dict[str, Any]]:
    """Which categories each age band starts with, so that parents see it before choosing."""
    return [
        {
            "label": label,
            "categories": [c.label for c in CHOOSABLE if c.code in PRESETS.get(band, frozenset())],
        }
        for band, label in AgeBand.choices
    ]


def profile_context(profile: Profile, entry_form: EntryForm | None = None) -> dict[str, Any]:
    return {
        "profile": profile,
        "family": profile.family,
        "blocked": [BY_CODE[code].label for code in profile.blocked_categories if code in BY_CODE],
        "illegal_label": BY_CODE[ILLEGAL].label,
        "entries": profile.entries.order_by("action", "name"),
        "schedules": [
            {
                "schedule": schedule,
                "days": describe_days(schedule.days),
                "categories": [BY_CODE[code].label for code in schedule.categories if code in BY_CODE],
            }
            for schedule in profile.schedules.all()
        ],
        "devices": profile.devices.all(),
        "pending": profile.unblock_requests.filter(status=UnblockRequest.Status.PENDING),
        "entry_form": entry_form or EntryForm(profile=profile),
        "pause_minutes": PAUSE_MINUTES,
        "paused": profile.is_paused(),
        "query_log_on": actions.query_log_on(profile),
    }


@login_required
def profile_create(request: HttpRequest, family_pk: int) -> HttpResponse:
    family = access.family_for(guardian(request), family_pk)
    form = ProfileCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        profile = actions.create_profile(family, form.cleaned_data["name"], form.cleaned_data["age_band"])
        messages.success(
            request,
            _(
                "The profile of %(child)s is created with the usual choices for %(age)s. "
                "Check them below and change what you wish."
            )
            % {"child": profile.name, "age": profile.get_age_band_display()},
        )
        return redirect("filter:profile-settings", pk=profile.pk)
    return page(
        request,
        "filter/profile_create.html",
        {"form": form, "family": family, "presets": presets_table(), "illegal_label": BY_CODE[ILLEGAL].label},
        invalid=form.is_bound,
    )


@login_required
def profile_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = access.profile_for(guardian(request), pk)
    return page(request, "filter/profile.html", profile_context(profile))


@login_required
def profile_settings(request: HttpRequest, pk: int) -> HttpResponse:
    profile = access.profile_for(guardian(request), pk)
    form = ProfileSettingsForm(request.POST or None, instance=profile)
    statuses = coverage.category_statuses()
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The settings of %(child)s are saved.") % {"child": profile.name})
        warn_empty(request, profile.blocked_categories, statuses)
        return back_to_profile(profile.pk)
    rows = [(choice, statuses[choice.data["value"]]) for choice in form["blocked_categories"]]
    context = {
        "form": form,
        "profile": profile,
        "family": profile.family,
        "illegal_label": BY_CODE[ILLEGAL].label,
        "category_rows": rows,
    }
    return page(request, "filter/profile_settings.html", context, invalid=form.is_bound)


def warn_empty(
    request: HttpRequest, blocked: list[str], statuses: dict[str, coverage.CategoryStatus]
) -> None:
    """Tell a parent who blocks a category that holds no names that it blocks nothing yet, and why."""
    empty = coverage.empty_among(blocked, statuses)
    if empty:
        described = "; ".join(f"{status.label} ({status.short})" for status in empty)
        messages.warning(
            request,
            _("These blocked categories are empty for now, so they block nothing yet: %(categories)s.")
            % {"categories": described},
        )


@login_required
def profile_delete(request: HttpRequest, pk: int) -> HttpResponse:
    profile = access.profile_for(guardian(request), pk)
    if request.method == "POST":
        family_pk, name = profile.family_id, profile.name
        profile.delete()
        messages.success(request, _("The profile of %(child)s is deleted.") % {"child": name})
        return redirect("filter:family", pk=family_pk)
    return page(request, "filter/profile_delete.html", {"profile": profile, "family": profile.family})


@login_required
@require_POST
def profile_pause(request: HttpRequest, pk: int) -> HttpResponse:
    profile = access.profile_for(guardian(request), pk)
    form = PauseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the pause buttons."))
        return back_to_profile(profile.pk, "pause")
    minutes = form.cleaned_data["minutes"]
    actions.pause(profile, minutes)
    text = ngettext(
        "The rules of %(child)s are paused for %(minutes)s minute. Illegal content stays blocked.",
        "The rules of %(child)s are paused for %(minutes)s minutes. Illegal content stays blocked.",
        minutes,
    )
    messages.success(request, text % {"child": profile.name, "minutes": minutes})
    return back_to_profile(profile.pk, "pause")


@login_required
@require_POST
def profile_resume(request: HttpRequest, pk: int) -> HttpResponse:
    profile = access.profile_for(guardian(request), pk)
    actions.resume(profile)
    messages.success(request, _("The rules of %(child)s apply again.") % {"child": profile.name})
    return back_to_profile(profile.pk, "pause")
