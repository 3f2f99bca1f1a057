from __future__ import annotations

from typing import Any

from django.apps import apps
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cop.core import audit, deletion, permissions, request_size
from cop.core.collation import sort_by_name
from cop.core.errors import STATUS_CODES
from cop.core.forms import OrganisationForm, TokenForm
from cop.core.models import (
    ApiToken,
    Country,
    DevelopmentLevel,
    Membership,
    Organisation,
    OrganisationKind,
    Region,
    User,
)
from cop.core.permissions import actor_for
from cop.core.reference.sources import source_notes
from cop.outbox import status as outbox_status


def _actor(request: HttpRequest) -> permissions.Actor:
    return actor_for(request.user if request.user.is_authenticated else None)  # type: ignore[arg-type]


def home(request: HttpRequest) -> HttpResponse:
    stats = {
        "countries": Country.objects.count(),
        "regions": Region.objects.count(),
        "organisations": Organisation.objects.count(),
        # By label, so that core does not import the apps built on top of it.
        "guidelines": apps.get_model("guidance", "Guideline").objects.count(),
        "resources": apps.get_model("guidance", "Resource").objects.filter(status="approved").count(),
    }
    return render(request, "core/home.html", {"stats": stats})


def country_list(request: HttpRequest) -> HttpResponse:
    countries = Country.objects.select_related("region")
    region = request.GET.get("region", "")
    level = request.GET.get("level", "")
    regions = list(Region.objects.all())
    if region and region in {r.code for r in regions}:
        countries = countries.filter(region_id=region)
    else:
        region = ""
    if level in DevelopmentLevel.values:
        countries = countries.filter(development_level=level)
    else:
        level = ""
    rows = sort_by_name(countries, lambda c: c.name)
    return render(
        request,
        "core/country_list.html",
        {
            "countries": rows,
            "regions": regions,
            "levels": DevelopmentLevel.choices,
            "selected_region": region,
            "selected_level": level,
        },
    )


def country_detail(request: HttpRequest, iso2: str) -> HttpResponse:
    country = get_object_or_404(Country.objects.select_related("region"), iso2=iso2.upper())
    names = [(code, name, country.names.get(code, "")) for code, name in settings.LANGUAGES]
    return render(
        request,
        "core/country_detail.html",
        {
            "country": country,
            "names": names,
            "sources": source_notes(),
            "organisations": sort_by_name(country.organisations.all(), lambda o: o.name),
            "can_add_organisation": permissions.allows(
                _actor(request), "core.add_organisation", country_id=country.iso2
            ),
        },
    )


def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = Organisation.objects.select_related("country")
    kind = request.GET.get("kind", "")
    if kind in OrganisationKind.values:
        organisations = organisations.filter(kind=kind)
    else:
        kind = ""
    query = request.GET.get("q", "").strip()[:100]
    if query:
        organisations = organisations.filter(Q(name__icontains=query) | Q(description__icontains=query))
    page = Paginator(sort_by_name(organisations, lambda o: o.name), 50).get_page(request.GET.get("page"))
    actor = _actor(request)
    return render(
        request,
        "core/organisation_list.html",
        {
            "page": page,
            "kinds": OrganisationKind.choices,
            "selected_kind": kind,
            "query": query,
            "can_add": not permissions.reach(actor, "core.add_organisation").nowhere,
        },
    )


def _organisation_page(
    request: HttpRequest, organisation: Organisation, token_form: TokenForm | None = None, status: int = 200
) -> HttpResponse:
    actor = _actor(request)
    where: dict[str, Any] = {"country_id": organisation.country_id, "organisation_id": organisation.pk}
    can_manage_tokens = permissions.allows(actor, "core.manage_tokens", **where)
    context: dict[str, Any] = {
        "organisation": organisation,
        "can_edit": permissions.allows(actor, "core.change_organisation", **where),
        "can_manage_tokens": can_manage_tokens,
    }
    if can_manage_tokens:
        context["tokens"] = organisation.tokens.select_related("created_by")
        context["token_form"] = token_form or TokenForm(roles=_token_roles(request, organisation))
    return render(request, "core/organisation_detail.html", context, status=status)


def organisation_detail(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation.objects.select_related("country"), pk=pk)
    return _organisation_page(request, organisation)


@login_required
def organisation_create(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    if permissions.reach(actor, "core.add_organisation").nowhere:
        raise PermissionDenied
    form = OrganisationForm(request.POST or None, actor=actor, permission="core.add_organisation")
    if request.method == "POST" and form.is_valid():
        organisation = form.save(commit=False)
        permissions.require(actor, "core.add_organisation", country_id=organisation.country_id)
        organisation.save()
        return redirect("core:organisation", pk=organisation.pk)
    return render(request, "core/organisation_form.html", {"form": form, "organisation": None})


@login_required
def organisation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    actor = _actor(request)
    permissions.require(
        actor,
        "core.change_organisation",
        country_id=organisation.country_id,
        organisation_id=organisation.pk,
    )
    form = OrganisationForm(
        request.POST or None, instance=organisation, actor=actor, permission="core.change_organisation"
    )
    if request.method == "POST" and form.is_valid():
        # Moving an organisation to another country needs the right there too.
        permissions.require(actor, "core.change_organisation", country_id=form.instance.country_id)
        # One transaction with what the save sets off (the cases of a former hotline go back to routing).
        with transaction.atomic():
            form.save()
        return redirect("core:organisation", pk=organisation.pk)
    return render(request, "core/organisation_form.html", {"form": form, "organisation": organisation})


def _token_roles(request: HttpRequest, organisation: Organisation) -> list[tuple[str, str]]:
    memberships = Membership.objects.filter(user=request.user.pk, organisation=organisation)
    return [(m.role, m.get_role_display()) for m in memberships]


@login_required
@require_POST
@never_cache
def token_create(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = get_object_or_404(Organisation, pk=pk)
    actor = _actor(request)
    permissions.require(
        actor, "core.manage_tokens", country_id=organisation.country_id, organisation_id=organisation.pk
    )
    form = TokenForm(request.POST, roles=_token_roles(request, organisation))
    if not form.is_valid():
        return _organisation_page(request, organisation, token_form=form, status=400)
    token, plain = ApiToken.issue(
        organisation=organisation,
        role=form.cleaned_data["role"],
        name=form.cleaned_data["name"],
        created_by=request.user,  # type: ignore[arg-type]
    )
    return render(
        request, "core/token_created.html", {"organisation": organisation, "token": token, "plain": plain}
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int, token_id: int) -> HttpResponse:
    token = get_object_or_404(
        ApiToken.objects.select_related("organisation"), pk=token_id, organisation_id=pk
    )
    permissions.require(
        _actor(request),
        "core.manage_tokens",
        country_id=token.organisation.country_id,
        organisation_id=token.organisation_id,
    )
    if token.revoked_at is None:
        token.revoke()
    return redirect("core:organisation", pk=pk)


@login_required
def account(request: HttpRequest) -> HttpResponse:
    memberships = Membership.objects.filter(user=request.user.pk).select_related(
        "organisation", "organisation__country"
    )
    return render(
        request,
        "core/account.html",
        {"memberships": memberships, "may_delete_itself": deletion.may_delete_itself(request.user)},  # type: ignore[arg-type]
    )


@login_required
def audit_log(request: HttpRequest) -> HttpResponse:
    # Who reads which events, and which of them in full, is decided in cop/core/audit.py.
    permissions.require_page(permissions.actor_of(request), "core:audit")
    reader = audit.Reader(request.user if isinstance(request.user, User) else None)
    page = Paginator(reader.events(), 50).get_page(request.GET.get("page"))
    shown = [reader.show(event) for event in page.object_list]
    return render(request, "core/audit_log.html", {"page": page, "events": shown})


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring: is the database reachable and loaded?"""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        countries = Country.objects.count()
    except Exception as exc:  # noqa: BLE001 - any database failure means unhealthy
        return JsonResponse(
            {"status": "error", "database": "unreachable", "detail": type(exc).__name__}, status=503
        )
    status = "ok" if countries else "degraded"
    return JsonResponse(
        {
            "status": status,
            "database": connection.vendor,
            "reference_data": {"countries": countries},
            # Background work: queue depth and how long the oldest due job has waited for a worker.
            "outbox": outbox_status.summary(),
        },
        status=200 if countries else 503,
    )


def api_index(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"versions": {"v1": {"docs": "/api/v1/docs", "openapi": "/api/v1/openapi.json"}}})


def _error(request: HttpRequest, status: int, title: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        # The API's one code per status (cop/core/errors.py).
        return JsonResponse({"code": STATUS_CODES[status], "message": message}, status=status)
    return render(request, "core/error.html", {"title": title, "message": message}, status=status)


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if isinstance(exception, RequestDataTooBig):
        # Form fields or a JSON body over DATA_UPLOAD_MAX_MEMORY_SIZE: too large, not malformed.
        return request_size.too_large(request, settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    return _error(request, 400, _("Bad request"), _("The request could not be understood."))


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 403, _("Not allowed"), _("You do not have permission to do this here."))


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return _error(request, 404, _("Page not found"), _("There is no page at this address."))


def error_500(request: HttpRequest) -> HttpResponse:
    return _error(
        request, 500, _("Something went wrong"), _("The error has been logged. Please try again later.")
    )
