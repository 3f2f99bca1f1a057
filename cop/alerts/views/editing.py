"""Analysts' pages: write, edit, translate, publish and withdraw alerts."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cop.alerts import publishing
from cop.alerts.forms import AlertForm, AlertTextForm, WithdrawForm
from cop.alerts.models import TEXT_FIELDS, Alert, Status
from cop.alerts.permissions import PUBLISH, WRITE, alerts_within_reach, allows_in, organisations_for
from cop.core import permissions
from cop.core.models import User
from cop.threats.models import language_code

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _alert_for(request: HttpRequest, pk: int, permission: str) -> Alert:
    """The alert, if the actor holds `permission` in all its countries; a draft of others is not found."""
    alert = get_object_or_404(Alert.objects.prefetch_related("texts", "countries", "risks"), pk=pk)
    country_ids = [c.iso2 for c in alert.countries.all()]
    actor = permissions.actor_of(request)
    if not allows_in(actor, permission, country_ids):
        if alert.status == Status.DRAFT and not allows_in(actor, WRITE, country_ids):
            raise Http404("not published")
        raise PermissionDenied(permission)
    return alert


@login_required
def manage(request: HttpRequest) -> HttpResponse:
    actor = permissions.actor_of(request)
    permissions.require_page(actor, "alerts:manage")
    alerts = (
        alerts_within_reach(actor, WRITE)
        .select_related("organisation")
        .prefetch_related("texts", "countries")
        .order_by("-created_at", "-pk")
    )
    page = Paginator(alerts, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "alerts/manage.html", {"page": page})


@login_required
def alert_create(request: HttpRequest) -> HttpResponse:
    actor = permissions.actor_of(request)
    organisations = organisations_for(_user(request), WRITE)
    if not organisations or permissions.reach(actor, WRITE).nowhere:
        raise PermissionDenied(WRITE)
    form = AlertForm(
        request.POST or None, actor=actor, organisations=organisations, initial={"language": language_code()}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # The form offers only allowed countries; this holds even if it stopped doing so.
        if not allows_in(actor, WRITE, data["countries"]):
            raise PermissionDenied(WRITE)
        alert = publishing.create_draft(
            author=_user(request),
            organisation=data.get("organisation") or organisations[0],
            language=data["language"],
            severity=data["severity"],
            country_ids=data["countries"],
            risks=data["risks"],
            texts=form.texts(),
        )
        messages.success(request, _("The draft is saved. Read it through, then publish it."))
        return redirect(alert.get_absolute_url())
    return render(
        request, "alerts/form.html", {"form": form, "alert": None}, status=400 if form.is_bound else 200
    )


@login_required
def alert_edit(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert_for(request, pk, WRITE)
    if alert.status == Status.WITHDRAWN:
        messages.error(request, _("A withdrawn alert cannot be changed."))
        return redirect(alert.get_absolute_url())
    actor = permissions.actor_of(request)
    original = alert.text(alert.language)
    initial: dict[str, Any] = {name: getattr(original, name) for name in TEXT_FIELDS}
    initial.update(
        severity=alert.severity,
        countries=[c.iso2 for c in alert.countries.all()],
        risks=list(alert.risks.all()),
    )
    form = AlertForm(
        request.POST or None,
        actor=actor,
        organisations=[],
        editing=True,
        initial=initial,
        text_language=alert.language,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        # Moving an alert to other countries needs the right there too.
        if not allows_in(actor, WRITE, data["countries"]):
            raise PermissionDenied(WRITE)
        try:
            changed = publishing.update(
                alert,
                severity=data["severity"],
                country_ids=data["countries"],
                risks=data["risks"],
                texts=form.texts(),
                base_url=_base_url(request),
            )
        except publishing.NotAllowedNow:
            messages.error(request, _("A withdrawn alert cannot be changed."))
            return redirect(alert.get_absolute_url())
        if not changed:
            messages.info(request, _("Nothing was changed."))
        elif alert.status == Status.PUBLISHED:
            messages.success(request, _("The alert is updated; webhooks receive the new version."))
        else:
            messages.success(request, _("The draft is saved."))
        return redirect(alert.get_absolute_url())
    return render(
        request, "alerts/form.html", {"form": form, "alert": alert}, status=400 if form.is_bound else 200
    )


@login_required
def translation_edit(request: HttpRequest, pk: int, language: str) -> HttpResponse:
    names = dict(settings.LANGUAGES)
    alert = _alert_for(request, pk, WRITE)
    if language not in names or language == alert.language:
        raise Http404("no such translation")
    if alert.status == Status.WITHDRAWN:
        messages.error(request, _("A withdrawn alert cannot be changed."))
        return redirect(alert.get_absolute_url())
    existing = alert.text(language) if language in alert.languages else None
    initial = {name: getattr(existing, name) for name in TEXT_FIELDS} if existing else {}
    form = AlertTextForm(request.POST or None, initial=initial, text_language=language)
    if request.method == "POST" and form.is_valid():
        try:
            publishing.save_translation(alert, language, form.texts(), _base_url(request))
        except publishing.NotAllowedNow:
            messages.error(request, _("A withdrawn alert cannot be changed."))
            return redirect(alert.get_absolute_url())
        messages.success(
            request, _("The translation into %(language)s is saved.") % {"language": names[language]}
        )
        return redirect(alert.url_in(language))
    return render(
        request,
        "alerts/translation_form.html",
        {
            "form": form,
            "alert": alert,
            "original": alert.text(alert.language),
            "language": language,
            "language_name": names[language],
            "original_language_name": names.get(alert.language, alert.language),
            "existing": existing,
        },
        status=400 if form.is_bound else 200,
    )


@login_required
@require_POST
def alert_publish(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert_for(request, pk, PUBLISH)
    try:
        publishing.publish(alert, _base_url(request))
    except publishing.NotAllowedNow:
        messages.error(request, _("Only a draft can be published."))
    else:
        messages.success(request, _("The alert is published."))
    return redirect(alert.get_absolute_url())


@login_required
def alert_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    alert = _alert_for(request, pk, PUBLISH)
    if alert.status != Status.PUBLISHED:
        messages.error(request, _("Only a published alert can be withdrawn."))
        return redirect(alert.get_absolute_url())
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            publishing.withdraw(alert, form.cleaned_data["reason"], _base_url(request))
        except publishing.NotAllowedNow:
            messages.error(request, _("Only a published alert can be withdrawn."))
        else:
            messages.success(request, _("The alert is withdrawn."))
        return redirect(alert.get_absolute_url())
    return render(
        request,
        "alerts/withdraw.html",
        {"form": form, "alert": alert, "text": alert.text()},
        status=400 if form.is_bound else 200,
    )
