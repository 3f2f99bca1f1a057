"""API of the guideline sets, the library and search.

No `from __future__ import annotations` here: django-ninja reads the
parameter annotations at run time.
"""

import datetime
from typing import Annotated, Any, Literal

from django.conf import settings
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja.pagination import paginate

from cop.core.api_fields import OneOf
from cop.core.errors import Invalid
from cop.core.pagination import LimitOffset, Page
from cop.guidance import search as search_index
from cop.guidance.models import AUDIENCE_GROUPS, Guideline, Resource, SearchDocument
from cop.guidance.serialize import guideline_dict, resource_dict

router = Router(tags=["guidance"])

LanguageCode = Literal["ar", "zh-hans", "en", "fr", "ru", "es"]


class GuidelineTextOut(Schema):
    title: str
    summary: str
    body_markdown: str


class RiskRef(Schema):
    code: str
    version: int


class GuidelineOut(Schema):
    audience: str
    group: str
    slug: str
    position: int
    risks: list[RiskRef]
    url: str
    texts: dict[str, GuidelineTextOut]


class ResourceTextOut(Schema):
    title: str
    summary: str


class ResourceOut(Schema):
    slug: str
    title: str
    publisher: str
    year: int
    url: str
    type: str
    language: str
    country: str
    licence: str
    audiences: list[str]
    age_bands: list[str]
    risks: list[str]
    published_at: datetime.datetime | None
    texts: dict[str, ResourceTextOut]


class SearchHit(Schema):
    kind: str
    title: str
    url: str


Audience = Annotated[str, OneOf(frozenset(AUDIENCE_GROUPS), "Whom the guidelines are for.")]


@router.get(
    "/guidelines", response=list[GuidelineOut], summary="Guideline items, with their texts in every language"
)
@paginate(LimitOffset)
def list_guidelines(request: HttpRequest, audience: Audience | None = None, group: str | None = None) -> Any:
    items = Guideline.objects.prefetch_related("texts", "risks__classification").order_by(
        "audience", "group", "position"
    )
    if audience:
        items = items.filter(audience=audience)
    if group:
        items = items.filter(group=group)
    return Page(items, guideline_dict)


@router.get("/guidelines/{audience}/{group}/{slug}", response=GuidelineOut, summary="One guideline item")
def get_guideline(request: HttpRequest, audience: str, group: str, slug: str) -> Any:
    guideline = get_object_or_404(
        Guideline.objects.prefetch_related("texts", "risks__classification"),
        audience=audience,
        group=group,
        slug=slug,
    )
    return guideline_dict(guideline)


@router.get("/resources", response=list[ResourceOut], summary="Published resources of the library")
@paginate(LimitOffset)
def list_resources(request: HttpRequest, type: str | None = None, language: str | None = None) -> Any:
    resources = (
        Resource.objects.published()
        .prefetch_related("texts", "tags", "risks")
        .order_by("-published_at", "pk")
    )
    if type:
        resources = resources.filter(type=type)
    if language:
        resources = resources.filter(language=language)
    return Page(resources, resource_dict)


@router.get("/resources/{slug}", response=ResourceOut, summary="One published resource")
def get_resource(request: HttpRequest, slug: str) -> Any:
    resource = get_object_or_404(
        Resource.objects.published().prefetch_related("texts", "tags", "risks"), slug=slug
    )
    return resource_dict(resource)


@router.get("/search", response=list[SearchHit], summary="Full-text search of guidelines and resources")
def search(request: HttpRequest, q: str, language: LanguageCode = "en") -> Any:
    """Searches the texts written in `language`, with its stemming (Chinese by character pairs)."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise Invalid(_("Unknown language."))
    hits = []
    documents = search_index.search(language, q, limit=50)
    guidelines = Guideline.objects.in_bulk(
        [d.object_id for d in documents if d.kind == SearchDocument.Kind.GUIDELINE]
    )
    resources = Resource.objects.published().in_bulk(
        [d.object_id for d in documents if d.kind == SearchDocument.Kind.RESOURCE]
    )
    for document in documents:
        table = guidelines if document.kind == SearchDocument.Kind.GUIDELINE else resources
        found = table.get(document.object_id)
        if found is not None:
            hits.append({"kind": document.kind, "title": document.title, "url": found.get_absolute_url()})
    return hits
