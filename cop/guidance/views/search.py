"""One search box over the guidelines and the library, in the language of the page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cop.guidance import search
from cop.guidance.models import Guideline, Resource, SearchDocument
from cop.threats.models import language_code


def site_search(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:300]
    kind = request.GET.get("kind", "")
    if kind not in SearchDocument.Kind.values:
        kind = ""
    results = []
    if query:
        documents = search.search(language_code(), query, kind=kind or None)
        guidelines = Guideline.objects.prefetch_related("texts").in_bulk(
            [d.object_id for d in documents if d.kind == SearchDocument.Kind.GUIDELINE]
        )
        resources = (
            Resource.objects.published()
            .prefetch_related("texts")
            .in_bulk([d.object_id for d in documents if d.kind == SearchDocument.Kind.RESOURCE])
        )
        for document in documents:
            found = (guidelines if document.kind == SearchDocument.Kind.GUIDELINE else resources).get(
                document.object_id
            )
            if found is not None:
                # A resource without a text in this language is indexed under the text it falls
                # back to: the title shown carries that text's language.
                language = found.display_language if isinstance(found, Resource) else document.language
                results.append(
                    {
                        "kind": document.get_kind_display(),
                        "object": found,
                        "title": document.title,
                        "language": language,
                    }
                )
    page = Paginator(results, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "guidance/search.html",
        {"query": query, "page": page, "selected_kind": kind, "kinds": SearchDocument.Kind.choices},
    )
