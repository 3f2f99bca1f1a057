"""Open data: the guideline texts and the library, as JSON and CSV, under a stated licence."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone

from cop.core import csvfile
from cop.guidance.coverage import coverage
from cop.guidance.models import Guideline, Resource
from cop.guidance.serialize import guideline_dict, resource_dict

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


def _guidelines() -> list[dict[str, Any]]:
    guidelines = Guideline.objects.prefetch_related("texts", "risks__classification")
    return [guideline_dict(g) for g in guidelines.order_by("audience", "group", "position")]


def _resources() -> list[dict[str, Any]]:
    resources = Resource.objects.published().prefetch_related("texts", "tags", "risks")
    return [resource_dict(r) for r in resources.order_by("slug")]


def _envelope(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "dataset": name,
        "publisher": "COP Platform",
        "licence": LICENCE,
        "licence_url": LICENCE_URL,
        "generated_at": timezone.now().isoformat(),
        name: rows,
    }


def _csv(filename: str, header: list[str], rows: list[list[Any]]) -> HttpResponse:
    return csvfile.response(filename, header, rows, {"Link": f'<{LICENCE_URL}>; rel="license"'})


def guidelines_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_envelope("guidelines", _guidelines()), json_dumps_params={"ensure_ascii": False})


def resources_json(request: HttpRequest) -> JsonResponse:
    return JsonResponse(_envelope("resources", _resources()), json_dumps_params={"ensure_ascii": False})


def guidelines_csv(request: HttpRequest) -> HttpResponse:
    rows = []
    for g in _guidelines():
        risks = " ".join(r["code"] for r in g["risks"])
        for language, text in sorted(g["texts"].items()):
            meta = [g["audience"], g["group"], g["slug"], g["position"], risks, language]
            rows.append([*meta, text["title"], text["summary"], text["body_markdown"]])
    header = [
        "audience",
        "group",
        "slug",
        "position",
        "risks",
        "language",
        "title",
        "summary",
        "body_markdown",
    ]
    return _csv("cop-guidelines.csv", header, rows)


def resources_csv(request: HttpRequest) -> HttpResponse:
    rows = []
    for r in _resources():
        for language, text in sorted(r["texts"].items()):
            facts = [r["slug"], r["title"], r["publisher"], r["year"], r["url"], r["type"], r["language"]]
            tags = [
                r["country"],
                r["licence"],
                " ".join(r["audiences"]),
                " ".join(r["age_bands"]),
            ]
            rows.append(
                [
                    *facts,
                    *tags,
                    " ".join(r["risks"]),
                    r["published_at"],
                    language,
                    text["title"],
                    text["summary"],
                ]
            )
    header = [
        "slug", "title", "publisher", "year", "url", "type", "language", "country", "licence",
        "audiences", "age_bands", "risks", "published_at", "text_language", "text_title", "text_summary",
    ]  # fmt: skip
    return _csv("cop-resources.csv", header, rows)


def open_data(request: HttpRequest) -> HttpResponse:
    return render(request, "guidance/open_data.html", {"licence": LICENCE, "licence_url": LICENCE_URL})


def translations(request: HttpRequest) -> HttpResponse:
    return render(request, "guidance/translations.html", {"languages": coverage()})
