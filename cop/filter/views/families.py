"""The dashboard and families; inviting guardians is in invitations.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from cop.filter import access, actions, invitations, time_zones
from cop.filter.categories import CHOOSABLE
from cop.filter.forms import FamilyForm, InvitationForm
from cop.filter.models import Family, Profile, UnblockRequest
from cop.filter.views.common import guardian, page

PENDING_ON_DASHBOARD = 50


def dashboard(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        # What the filter is, for a parent who does not have an account yet.
        return page(request, "filter/about.html", {"categories": CHOOSABLE})
    user = guardian(request)
    families = access.families_of(user).prefetch_related(
        Prefetch("profiles", queryset=Profile.objects.order_by("name", "pk"))
    )
    pending = access.requests_of(user).filter(status=UnblockRequest.Status.PENDING)[:PENDING_ON_DASHBOARD]
    return page(request, "filter/dashboard.html", {"families": families, "pending": pending})


@login_required
def family_create(request: HttpRequest) -> HttpResponse:
    form = FamilyForm(request.POST or None, country_hint=time_zones.country_hint(request))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        family = actions.create_family(
            guardian(request), data["name"], data["kind"], data["time_zone"], data.get("country")
        )
        messages.success(
            request, _("%(family)s is created. Now add a child's profile.") % {"family": family.name}
        )
        return redirect("filter:family", pk=family.pk)
    return page(request, "filter/family_form.html", {"form": form, "family": None}, invalid=form.is_bound)


def family_page(
    request: HttpRequest, family: Family, invitation_form: InvitationForm | None = None
) -> HttpResponse:
    return page(
        request,
        "filter/family.html",
        {
            "family": family,
            "profiles": family.profiles.order_by("name", "pk"),
            "guardians": family.guardians.select_related("user").order_by("user__username"),
            "ranges": list(family.assigned_ranges.all()),
            "invitations": invitations.live(family).select_related("invited_by"),
            "invitation_form": invitation_form or InvitationForm(),
        },
        invalid=invitation_form is not None,
    )


@login_required
def family_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return family_page(request, access.family_for(guardian(request), pk))


@login_required
def family_edit(request: HttpRequest, pk: int) -> HttpResponse:
    family = access.family_for(guardian(request), pk)
    form = FamilyForm(request.POST or None, instance=family)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The changes are saved."))
        return redirect("filter:family", pk=family.pk)
    return page(request, "filter/family_form.html", {"form": form, "family": family}, invalid=form.is_bound)
