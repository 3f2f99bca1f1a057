"""The public pages: the list of published alerts with filters, and one alert."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from cop.alerts import permissions as alert_permissions
from cop.alerts.forms import AlertFilterForm
from cop.alerts.models import Alert, AlertQuerySet, Status
from cop.core import permissions
from cop.core.models import Country
from cop.threats.models import language_code

PAGE_SIZE = 20


def _filtered(form: AlertFilterForm) -> AlertQuerySet:
    alerts = Alert.objects.published()
    data = form.cleaned_data if form.is_bound else {}
    if data.get("country"):
        alerts = alerts.concerning(data["country"])
    if data.get("risk"):
        alerts = alerts.filter(risks__code=data["risk"]).distinct()
    if data.get("language"):
        alerts = alerts.in_language(data["language"])
    return alerts


def alert_list(request: HttpRequest) -> HttpResponse:
    form = AlertFilterForm(request.GET or None)
    valid = not form.is_bound or form.is_valid()
    # A filter value that is not on offer gets its error, not a list that looks filtered but is not.
    alerts = _filtered(form) if valid else Alert.objects.none()
    alerts = alerts.select_related("organisation").prefetch_related("texts", "countries", "risks")
    page = Paginator(alerts.order_by("-published_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    country = form.cleaned_data.get("country") if valid and form.is_bound else ""
    actor = permissions.actor_of(request)
    return render(
        request,
        "alerts/list.html",
        {
            "form": form,
            "page": page,
            "filtered": form.is_bound and any(request.GET.get(name) for name in form.fields),
            "feed_country": Country.objects.filter(iso2=country).first() if country else None,
            "can_write": not permissions.reach(actor, alert_permissions.WRITE).nowhere,
            "can_manage_webhooks": not permissions.reach(actor, alert_permissions.MANAGE_WEBHOOKS).nowhere,
        },
        status=200 if valid else 400,
    )


def _country_ids(alert: Alert) -> list[str]:
    return [c.iso2 for c in alert.countries.all()]


def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_object_or_404(
        Alert.objects.select_related("organisation", "organisation__country").prefetch_related(
            "texts", "countries", "risks"
        ),
        pk=pk,
    )
    actor = permissions.actor_of(request)
    can_write = alert_permissions.allows_in(actor, alert_permissions.WRITE, _country_ids(alert))
    can_publish = alert_permissions.allows_in(actor, alert_permissions.PUBLISH, _country_ids(alert))
    if alert.status == Status.DRAFT and not can_write:
        raise Http404("not published")
    text = alert.text()
    names = dict(settings.LANGUAGES)
    current = language_code()
    context: dict[str, Any] = {
        "alert": alert,
        "text": text,
        # Set when the text shown is not in the language of the page, for its lang attribute.
        "text_language": text.language if text and text.language != current else "",
        "original_language": names.get(alert.language, alert.language),
        "translations": [
            {"code": code, "name": names.get(code, code), "url": alert.url_in(code)}
            for code in alert.languages
            if code != current
        ],
        "shown_language": names.get(text.language, text.language) if text else "",
        "can_edit": can_write and alert.status != Status.WITHDRAWN,
        "can_publish": can_publish and alert.status == Status.DRAFT,
        "can_withdraw": can_publish and alert.status == Status.PUBLISHED,
        "other_languages": [
            {"code": code, "name": name, "exists": code in alert.languages}
            for code, name in settings.LANGUAGES
            if code != alert.language
        ],
    }
    return render(request, "alerts/detail.html", context)
