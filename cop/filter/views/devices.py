"""Children's devices: bind them by address or network, or give them their own token."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cop.core.middleware import client_ip
from cop.filter import access, actions
from cop.filter.binding import Binder
from cop.filter.forms import DeviceForm
from cop.filter.models import Device
from cop.filter.setup import device_setup
from cop.filter.views.common import back_to_profile, guardian, page


def ask_url(request: HttpRequest, device: Device) -> str:
    # Its own token, never the DNS one: the link ends up in browser histories and server logs.
    return request.build_absolute_uri(reverse("filter:ask", args=[device.ask_token]))


@login_required
def device_create(request: HttpRequest, pk: int) -> HttpResponse:
    profile = access.profile_for(guardian(request), pk)
    address = client_ip(request)
    form = DeviceForm(request.POST or None, binder=Binder.of(profile.family, address))
    if request.method == "POST" and form.is_valid():
        try:
            device = actions.add_device(
                profile, form.cleaned_data["name"], form.cleaned_data["networks"], client_address=address
            )
        except actions.Refused as refused:
            form.add_error("networks", refused.text())
        else:
            messages.success(
                request, _("The device %(device)s is added. Now set it up:") % {"device": device.name}
            )
            return redirect("filter:device", pk=device.pk)
    return page(
        request,
        "filter/device_form.html",
        {"form": form, "profile": profile, "family": profile.family},
        invalid=form.is_bound,
    )


@login_required
@never_cache
def device_detail(request: HttpRequest, pk: int) -> HttpResponse:
    device = access.device_for(guardian(request), pk)
    return page(
        request,
        "filter/device.html",
        {
            "setup": device_setup(
                device, request.build_absolute_uri(reverse("filter:device-apple-profile", args=[device.pk]))
            ),
            "device": device,
            "profile": device.profile,
            "family": device.profile.family,
            "ask_url": ask_url(request, device),
        },
    )


@login_required
@require_POST
def device_new_ask_link(request: HttpRequest, pk: int) -> HttpResponse:
    device = actions.new_ask_link(access.device_for(guardian(request), pk))
    messages.success(
        request,
        _("The device %(device)s has a new ask link; the old one no longer works.") % {"device": device.name},
    )
    response = redirect("filter:device", pk=device.pk)
    response["Location"] += "#ask"
    return response


@login_required
@require_POST
def device_delete(request: HttpRequest, pk: int) -> HttpResponse:
    device = access.device_for(guardian(request), pk)
    device.delete()
    messages.success(request, _("The device %(device)s is removed.") % {"device": device.name})
    return back_to_profile(device.profile_id, "devices")
