"""Full-text search in the six languages; runs on SQLite (FTS5) and on PostgreSQL (tsvector) alike."""

from __future__ import annotations

import pytest
from django.db import connection

from cop.guidance import search
from cop.guidance.models import Guideline, Resource, SearchDocument

GUIDELINE = SearchDocument.Kind.GUIDELINE

# A query per language, inflected differently from the text where the language
# inflects, and the item it must find among the first results.
QUERIES = [
    ("en", "parental control", ("parents", "home", "filters")),
    ("en", "bullied", ("children", "8-12", "bullying")),
    ("fr", "filtre parental", ("parents", "home", "filters")),
    ("fr", "harcèlements", ("children", "8-12", "bullying")),
    ("es", "filtro parental", ("parents", "home", "filters")),
    ("ru", "фильтр родительского контроля", ("parents", "home", "filters")),
    ("ar", "الرقابة الأبوية", ("parents", "home", "filters")),
    ("zh-hans", "家长控制", ("parents", "home", "filters")),
    ("zh-hans", "欺凌", ("children", "8-12", "bullying")),
]


def _top(language: str, query: str, count: int = 8) -> list[tuple[str, str, str]]:
    documents = search.search(language, query, kind=GUIDELINE)[:count]
    guidelines = Guideline.objects.in_bulk([d.object_id for d in documents])
    return [(g.audience, g.group, g.slug) for g in (guidelines[d.object_id] for d in documents)]


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "query", "expected"), QUERIES)
def test_search_finds_the_relevant_guideline_in_each_language(
    language: str, query: str, expected: tuple[str, str, str]
) -> None:
    assert expected in _top(language, query), f"{connection.vendor}: {query!r} in {language}"


@pytest.mark.django_db
def test_search_stays_within_the_language_asked() -> None:
    assert _top("en", "家长控制") == []
    assert _top("zh-hans", "parental control") == []


@pytest.mark.django_db
def test_a_teacher_finds_training_material_in_french() -> None:
    training = set(
        Resource.objects.published().filter(type="training", language="fr").values_list("pk", flat=True)
    )
    found = [
        d.object_id for d in search.search("fr", "formation enseignants", kind=SearchDocument.Kind.RESOURCE)
    ]
    assert training & set(found), "a French training resource for teachers must come up"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        '"',
        "AND OR NOT",
        "*",
        "(",
        "NEAR(a b)",
        "'; DROP TABLE guidance_searchdocument; --",
        "title:x",
        "^",
        "!!!",
        "",
    ],
)
def test_search_syntax_in_a_query_is_taken_as_plain_words(query: str) -> None:
    for language in ("en", "zh-hans", "ar"):
        assert isinstance(search.search(language, query), list)
    assert SearchDocument.objects.exists()


@pytest.mark.django_db
def test_a_very_long_query_is_cut_not_refused() -> None:
    assert isinstance(search.search("en", "bullying " * 500), list)


def test_chinese_is_indexed_as_character_pairs() -> None:
    assert search.chinese_pairs("网络安全").split() == ["网络", "络安", "安全"]
    assert search.chinese_pairs("家").split() == ["家"]
    assert search.chinese_pairs("COP 指南").split() == ["cop", "指南"]


@pytest.mark.django_db
def test_the_search_page_lists_guidelines_and_resources(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/es/search/?q=filtro+parental")
    assert response.status_code == 200
    assert "/es/guidelines/parents/home/filters/" in response.content.decode()
    only_resources = client.get("/es/search/?q=filtro+parental&kind=resource").content.decode()
    assert "/es/guidelines/parents/home/filters/" not in only_resources


@pytest.mark.django_db
def test_the_search_api_answers_per_language(client) -> None:  # type: ignore[no-untyped-def]
    hits = client.get("/api/v1/search", {"q": "家长控制", "language": "zh-hans"}).json()
    assert any(hit["url"].endswith("/guidelines/parents/home/filters/") for hit in hits)
    assert client.get("/api/v1/search", {"q": "x", "language": "xx"}).status_code == 422
