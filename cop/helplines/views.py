"""The public "get help now" pages, and the directory editor for focal points and the secretariat."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from cop.core import permissions
from cop.core.collation import sort_by_name
from cop.core.models import Country, Organisation, OrganisationKind
from cop.guidance.models import Audience
from cop.helplines.forms import ChannelFormSet, ServiceForm
from cop.helplines.models import Channel, Service, ServiceKind
from cop.threats.models import AgeBand


def _age(request: HttpRequest) -> str:
    age = request.GET.get("age", "")
    return age if age in AgeBand.values else ""


def help_index(request: HttpRequest) -> HttpResponse:
    code = request.GET.get("country", "").upper()
    if code:
        if Country.objects.filter(iso2=code).exists():
            target = reverse("helplines:country", args=[code])
            age = _age(request)
            return HttpResponseRedirect(f"{target}?age={age}" if age else target)
        messages.error(request, _("Choose your country from the list."))
    countries = sort_by_name(Country.objects.all(), lambda c: c.name)
    return render(request, "helplines/index.html", {"countries": countries, "age": _age(request)})


def help_country(request: HttpRequest, iso2: str) -> HttpResponse:
    country = get_object_or_404(Country, iso2=iso2.upper())
    services = list(
        Service.objects.filter(country=country).prefetch_related(
            Prefetch("channels", queryset=Channel.objects.order_by("position", "pk"))
        )
    )
    hotlines = [s for s in services if s.kind == ServiceKind.HOTLINE]
    # Hotlines registered on the platform receive reports for their country through it.
    platform_hotlines = Organisation.objects.filter(country=country, kind=OrganisationKind.HOTLINE)
    age = _age(request)
    context: dict[str, Any] = {
        "country": country,
        "emergency": list(country.emergency_numbers.all()),
        "helplines": [s for s in services if s.kind == ServiceKind.CHILD_HELPLINE],
        "hotlines": hotlines,
        "platform_hotlines": platform_hotlines,
        "age": age,
        "advice_url": reverse(
            "guidance:item", args=[Audience.CHILDREN, age or AgeBand.AGES_8_12, "getting-help"]
        ),
        "can_edit": permissions.allows(
            permissions.actor_of(request), "helplines.change_service", country_id=country.iso2
        ),
    }
    return render(request, "helplines/country.html", context)


def _edit(request: HttpRequest, country: Country, service: Service | None) -> HttpResponse:
    permissions.require(permissions.actor_of(request), "helplines.change_service", country_id=country.iso2)
    instance = service or Service(country=country)
    form = ServiceForm(request.POST or None, instance=instance)
    channels = ChannelFormSet(
        request.POST or None, instance=instance, form_kwargs={"country": country.iso2}, prefix="channels"
    )
    if request.method == "POST" and form.is_valid() and channels.is_valid():
        with transaction.atomic():
            saved = form.save()
            channels.instance = saved
            channels.save()
        messages.success(request, _("The help directory was updated."))
        return redirect("helplines:country", iso2=country.iso2)
    return render(
        request,
        "helplines/service_form.html",
        {"form": form, "channels": channels, "country": country, "service": service},
        status=400 if request.method == "POST" else 200,
    )


@login_required
def service_create(request: HttpRequest, iso2: str) -> HttpResponse:
    return _edit(request, get_object_or_404(Country, iso2=iso2.upper()), None)


@login_required
def service_edit(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_object_or_404(Service, pk=pk)
    return _edit(request, service.country, service)
