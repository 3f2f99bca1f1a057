"""Asking to unblock a site (a child, without an account) and answering (a guardian)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cop.core.errors import show_on_page
from cop.filter import access, actions
from cop.filter.forms import AskForm
from cop.filter.models import Device, UnblockRequest
from cop.filter.views.common import guardian, page

RECENT_FOR_CHILD = 10


@never_cache
def ask(request: HttpRequest, token: str) -> HttpResponse:
    """The child's page, reached through the link on the device. The device's ask token is the only
    key (never its DNS token, which this page neither takes nor shows): an unknown one is not found."""
    device = Device.objects.select_related("profile").filter(ask_token=token).first()
    if device is None:
        raise Http404(_("This link does not work. Ask a parent for the right one."))
    profile = device.profile
    form = AskForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _unblock, new = actions.ask(profile, form.cleaned_data["site"], form.cleaned_data["reason"])
        except actions.Refused as refused:
            form.add_error(None, refused.text())
        else:
            if new:
                messages.success(request, _("Sent! A parent will look at it."))
            else:
                messages.info(request, _("You already asked for this website. A parent will look at it."))
            # Back to the same page, so that reloading it does not send the question again.
            return redirect("filter:ask", token=token)
    recent = UnblockRequest.objects.filter(profile=profile)[:RECENT_FOR_CHILD]
    return page(request, "filter/ask.html", {"form": form, "recent": recent}, invalid=form.is_bound)


def _back(request: HttpRequest) -> HttpResponse:
    # The dashboard and the profile page both answer requests; the guardian goes back where they were.
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("filter:dashboard")


@login_required
@require_POST
def request_approve(request: HttpRequest, pk: int) -> HttpResponse:
    user = guardian(request)
    unblock = access.unblock_request_for(user, pk)
    try:
        entry, outcome = actions.approve(unblock, user)
    except actions.Refused as refused:
        show_on_page(request, refused)
        return _back(request)
    values = {"site": entry.name, "child": unblock.profile.name}
    if outcome == "kept":
        messages.success(
            request, _("%(site)s was allowed for %(child)s already; the request is approved.") % values
        )
    elif outcome == "changed":
        messages.success(
            request, _("%(site)s was on the block list of %(child)s; it is now allowed.") % values
        )
    else:
        messages.success(request, _("%(site)s is now allowed for %(child)s.") % values)
    return _back(request)


@login_required
@require_POST
def request_decline(request: HttpRequest, pk: int) -> HttpResponse:
    user = guardian(request)
    unblock = access.unblock_request_for(user, pk)
    try:
        actions.decline(unblock, user)
    except actions.Refused as refused:
        show_on_page(request, refused)
    else:
        messages.success(
            request,
            _("The request of %(child)s for %(site)s is declined.")
            % {"child": unblock.profile.name, "site": unblock.name},
        )
    return _back(request)
