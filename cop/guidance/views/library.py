"""The resource library: public listing with facets and search, submission and moderation."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cop.core import permissions
from cop.core.collation import sort_by_name
from cop.core.models import Country, Membership
from cop.guidance import search
from cop.guidance.forms import ModerationForm, ResourceForm
from cop.guidance.indexing import index_resource
from cop.guidance.models import (
    Origin,
    Resource,
    ResourceText,
    ResourceType,
    SearchDocument,
    Status,
    Tag,
)
from cop.threats.models import Classification, language_code

PAGE_SIZE = 20


@dataclass
class FacetValue:
    value: str
    label: str
    count: int
    selected: bool


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue]


def _language_names() -> dict[str, str]:
    from django.conf import settings

    return dict(settings.LANGUAGES)


def _apply(resources: QuerySet[Resource], name: str, value: str) -> QuerySet[Resource]:
    if name == "type":
        return resources.filter(type=value)
    if name == "audience":
        return resources.filter(tags__kind=Tag.Kind.AUDIENCE, tags__code=value)
    if name == "age":
        return resources.filter(tags__kind=Tag.Kind.AGE_BAND, tags__code=value)
    if name == "language":
        return resources.filter(language=value)
    if name == "country":
        return (
            resources.filter(country_id=value) if value != "international" else resources.filter(country=None)
        )
    if name == "risk":
        return resources.filter(risks__code=value)
    raise ValueError(name)


FACETS = ["type", "audience", "age", "language", "country", "risk"]


def _facet_counts(name: str, resources: QuerySet[Resource]) -> dict[str, int]:
    ids = resources.values("pk")
    base = Resource.objects.filter(pk__in=ids)
    if name == "type":
        rows = base.values_list("type").annotate(n=Count("pk", distinct=True))
    elif name in ("audience", "age"):
        kind = Tag.Kind.AUDIENCE if name == "audience" else Tag.Kind.AGE_BAND
        rows = base.filter(tags__kind=kind).values_list("tags__code").annotate(n=Count("pk", distinct=True))
    elif name == "language":
        rows = base.values_list("language").annotate(n=Count("pk", distinct=True))
    elif name == "country":
        rows = base.values_list("country_id").annotate(n=Count("pk", distinct=True))
    else:
        rows = base.values_list("risks__code").annotate(n=Count("pk", distinct=True))
    return {
        (code or "international") if name == "country" else code: n
        for code, n in rows
        if code or name == "country"
    }


def _facet_labels(name: str, codes: set[str]) -> dict[str, str]:
    if name == "type":
        return {c: str(ResourceType(c).label) for c in codes if c in ResourceType.values}
    if name in ("audience", "age"):
        kind = Tag.Kind.AUDIENCE if name == "audience" else Tag.Kind.AGE_BAND
        return {t.code: t.label for t in Tag.objects.filter(kind=kind, code__in=codes)}
    if name == "language":
        names = _language_names()
        return {c: names.get(c, c) for c in codes}
    if name == "country":
        labels = {c.iso2: c.name for c in Country.objects.filter(iso2__in=codes)}
        labels["international"] = _("International")
        return {c: labels.get(c, c) for c in codes}
    current = Classification.objects.current()
    risks = current.risks.filter(code__in=codes) if current else []
    return {r.code: r.name for r in risks}


def _facet_title(name: str) -> str:
    titles = {
        "type": _("Type"),
        "audience": _("For whom"),
        "age": _("Children's ages"),
        "language": _("Language"),
        "country": _("Country"),
        "risk": _("Online risk"),
    }
    return titles[name]


def library(request: HttpRequest) -> HttpResponse:
    published: QuerySet[Resource] = Resource.objects.published()
    query = request.GET.get("q", "").strip()[:300]
    ranked: list[int] | None = None
    if query:
        documents = search.search(language_code(), query, kind=SearchDocument.Kind.RESOURCE)
        ranked = [d.object_id for d in documents]
        published = published.filter(pk__in=ranked)
    chosen = {name: request.GET.get(name, "") for name in FACETS}
    facets = []
    for name in FACETS:
        others: QuerySet[Resource] = published
        for other, value in chosen.items():
            if value and other != name:
                others = _apply(others, other, value)
        counts = _facet_counts(name, others)
        labels = _facet_labels(name, set(counts) | ({chosen[name]} if chosen[name] else set()))
        values = [
            FacetValue(code, labels.get(code, code), counts.get(code, 0), chosen[name] == code)
            for code in sort_by_name(labels, labels.__getitem__)
        ]
        facets.append(Facet(name, _facet_title(name), values))
    results: QuerySet[Resource] = published
    for name, value in chosen.items():
        if value:
            results = _apply(results, name, value)
    results = results.distinct().prefetch_related("texts", "tags", "risks", "country")
    if ranked is not None:
        order = {pk: i for i, pk in enumerate(ranked)}
        ordered: list[Resource] | QuerySet[Resource] = sorted(results, key=lambda r: order[r.pk])
    else:
        ordered = results.order_by("-published_at", "pk")
    page = Paginator(ordered, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "guidance/library.html",
        {
            "page": page,
            "query": query,
            "facets": facets,
            "filtered": any(chosen.values()) or bool(query),
            "can_submit": permissions.allows(
                permissions.actor_of(request),
                "guidance.submit_resource",
                organisation_id=_organisation_id(request),
            )
            if request.user.is_authenticated
            else False,
        },
    )


def _organisation_id(request: HttpRequest) -> int | None:
    if not request.user.is_authenticated:
        return None
    membership = Membership.objects.filter(user_id=request.user.pk).order_by("pk").first()
    return membership.organisation_id if membership else None


def _can_moderate(request: HttpRequest) -> bool:
    return permissions.allows(permissions.actor_of(request), "guidance.moderate_resource")


def _visible(request: HttpRequest, resource: Resource) -> bool:
    if resource.status == Status.APPROVED:
        return True
    if not request.user.is_authenticated:
        return False
    return resource.submitted_by_id == request.user.pk or _can_moderate(request)


def resource_detail(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(
        Resource.objects.prefetch_related("texts", "tags", "risks").select_related("country"), slug=slug
    )
    if not _visible(request, resource):
        raise Http404("not published")
    context: dict[str, Any] = {
        "resource": resource,
        "text": resource.text(),
        "language_name": _language_names().get(resource.language, resource.language),
        "can_moderate": _can_moderate(request) and resource.status == Status.PENDING,
        "is_submitter": request.user.is_authenticated and resource.submitted_by_id == request.user.pk,
    }
    if context["can_moderate"]:
        context["moderation_form"] = ModerationForm()
    return render(request, "guidance/resource_detail.html", context)


def resource_file(request: HttpRequest, slug: str) -> FileResponse:
    resource = get_object_or_404(Resource, slug=slug)
    if not resource.file or not _visible(request, resource):
        raise Http404("no file")
    # Always a download with the type we detected, never rendered by the browser as a page.
    response = FileResponse(
        resource.file.open("rb"), as_attachment=True, filename=(resource.file.name or "").rsplit("/", 1)[-1]
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _unique_slug(title: str) -> str:
    base = slugify(title)[:60] or "resource"
    slug = base
    while Resource.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(3)}"
    return slug


def _save_submission(request: HttpRequest, form: ResourceForm, resource: Resource | None) -> Resource:
    data = form.cleaned_data
    organisation_id = _organisation_id(request)
    with transaction.atomic():
        if resource is None:
            resource = Resource(
                slug=_unique_slug(data["title"]),
                origin=Origin.WEB,
                submitted_by=request.user,  # type: ignore[misc]
                organisation_id=organisation_id,
            )
        resource.title, resource.publisher, resource.year = data["title"], data["publisher"], data["year"]
        resource.url, resource.type, resource.language = data["url"], data["type"], data["language"]
        resource.country, resource.licence = data["country"], data["licence"]
        resource.status = Status.PENDING
        if data.get("file"):
            upload = data["file"]
            upload.name = f"{resource.slug}.{form.detected_type}"
            resource.file = upload
        resource.save()
        tags = Tag.objects.filter(
            Q(kind=Tag.Kind.AUDIENCE, code__in=data["audiences"])
            | Q(kind=Tag.Kind.AGE_BAND, code__in=data["age_bands"])
        )
        resource.tags.set(tags)
        resource.risks.set(data["risks"])
        ResourceText.objects.update_or_create(
            resource=resource,
            language=language_code(),
            defaults={"title": data["title"], "summary": data["summary"]},
        )
        index_resource(resource)
    form.discard_kept()
    return resource


@login_required
def resource_submit(request: HttpRequest) -> HttpResponse:
    permissions.require(
        permissions.actor_of(request),
        "guidance.submit_resource",
        organisation_id=_organisation_id(request),
    )
    form = ResourceForm(
        request.POST or None,
        request.FILES or None,
        initial={"language": language_code()},
        owner=request.user.pk,
    )
    if request.method == "POST" and form.is_valid():
        resource = _save_submission(request, form, None)
        messages.success(request, _("Thank you. The secretariat will review your resource."))
        return redirect(reverse("guidance:my-resources") + f"#resource-{resource.pk}")
    if request.method == "POST":
        form.keep_upload()
    return render(request, "guidance/resource_form.html", {"form": form, "resource": None})


@login_required
def resource_edit(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(Resource, slug=slug, submitted_by_id=request.user.pk)
    if resource.status != Status.CHANGES_REQUESTED:
        raise Http404("only a resource sent back for changes can be edited")
    text = resource.text(language_code())
    initial = {
        "title": resource.title,
        "summary": text.summary if text else "",
        "publisher": resource.publisher,
        "year": resource.year,
        "url": resource.url,
        "type": resource.type,
        "language": resource.language,
        "country": resource.country,
        "licence": resource.licence,
        "audiences": resource.tag_codes(Tag.Kind.AUDIENCE),
        "age_bands": resource.tag_codes(Tag.Kind.AGE_BAND),
        "risks": list(resource.risks.all()),
        "has_file": bool(resource.file),
        "file_name": (resource.file.name or "").rsplit("/", 1)[-1],
    }
    form = ResourceForm(request.POST or None, request.FILES or None, initial=initial, owner=request.user.pk)
    if request.method == "POST" and form.is_valid():
        _save_submission(request, form, resource)
        messages.success(request, _("Your changes were sent to the secretariat."))
        return redirect(reverse("guidance:my-resources") + f"#resource-{resource.pk}")
    if request.method == "POST":
        form.keep_upload()
    return render(request, "guidance/resource_form.html", {"form": form, "resource": resource})


@login_required
def my_resources(request: HttpRequest) -> HttpResponse:
    resources = (
        Resource.objects.filter(submitted_by_id=request.user.pk)
        .prefetch_related("texts")
        .order_by("-submitted_at")
    )
    return render(request, "guidance/my_resources.html", {"resources": resources})


@login_required
def moderation_queue(request: HttpRequest) -> HttpResponse:
    permissions.require_page(permissions.actor_of(request), "guidance:moderation")
    pending = (
        Resource.objects.filter(status=Status.PENDING)
        .prefetch_related("texts")
        .select_related("submitted_by", "organisation")
        .order_by("submitted_at")
    )
    return render(request, "guidance/moderation.html", {"resources": pending})


@login_required
@require_POST
def resource_moderate(request: HttpRequest, slug: str) -> HttpResponse:
    permissions.require(permissions.actor_of(request), "guidance.moderate_resource")
    resource = get_object_or_404(Resource, slug=slug, status=Status.PENDING)
    form = ModerationForm(request.POST)
    if not form.is_valid():
        return render(
            request,
            "guidance/resource_detail.html",
            {
                "resource": resource,
                "text": resource.text(),
                "language_name": _language_names().get(resource.language, resource.language),
                "can_moderate": True,
                "moderation_form": form,
            },
            status=400,
        )
    decision = form.cleaned_data["decision"]
    now = timezone.now()
    with transaction.atomic():
        resource.status = {
            "approve": Status.APPROVED,
            "changes": Status.CHANGES_REQUESTED,
            "reject": Status.REJECTED,
        }[decision]
        resource.moderation_note = form.cleaned_data["note"].strip()
        resource.moderated_by = request.user  # type: ignore[assignment]
        resource.moderated_at = now
        if resource.status == Status.APPROVED and resource.published_at is None:
            resource.published_at = now
        resource.save()
        index_resource(resource)
    messages.success(request, _("Decision recorded: %(status)s.") % {"status": resource.get_status_display()})
    return redirect("guidance:moderation")
