"""The library found by the words people type, in each of the six languages, on both databases.

Each phrasing is how a teacher, a parent or a policy maker would ask (synonyms, inflections,
function words, Chinese without spaces), with the facet it means: every published resource of
that facet must be found, and the search must not simply return the whole library. Before the
labels of type, audience and age band were indexed in every language, "培训材料" (the Chinese
name of the type "Training material") found none of the eight training resources.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import QuerySet

from cop.guidance import search
from cop.guidance.models import Resource, SearchDocument, Tag

RESOURCE = SearchDocument.Kind.RESOURCE

# (language, what is typed, {facet: code}); facets: type, audience, age.
PHRASINGS: list[tuple[str, str, dict[str, str]]] = [
    # English
    ("en", "training material", {"type": "training"}),
    ("en", "teaching materials for teachers", {"type": "training", "audience": "educators"}),
    ("en", "lessons for the classroom", {"type": "training"}),
    ("en", "courses for parents", {"type": "training", "audience": "parents"}),
    ("en", "awareness campaigns", {"type": "campaign"}),
    ("en", "research reports", {"type": "research"}),
    ("en", "national strategy", {"type": "strategy"}),
    ("en", "policies for governments", {"type": "strategy", "audience": "policy"}),
    ("en", "tools for parents", {"type": "tool", "audience": "parents"}),
    ("en", "resources for children 8 years old", {"age": "8-12"}),
    ("en", "good practice examples", {"type": "best-practice"}),
    ("en", "studies for school staff", {"type": "research", "audience": "educators"}),
    # French
    ("fr", "support de formation", {"type": "training"}),
    ("fr", "supports pédagogiques pour les enseignants", {"type": "training", "audience": "educators"}),
    ("fr", "cours pour les professeurs", {"type": "training", "audience": "educators"}),
    ("fr", "formations pour parents", {"type": "training", "audience": "parents"}),
    ("fr", "campagne de sensibilisation", {"type": "campaign"}),
    ("fr", "études et enquêtes", {"type": "research"}),
    ("fr", "stratégie nationale", {"type": "strategy"}),
    ("fr", "politiques publiques pour le gouvernement", {"type": "strategy", "audience": "policy"}),
    ("fr", "outils pour les familles", {"type": "tool", "audience": "parents"}),
    ("fr", "ressources pour les adolescents de 15 ans", {"age": "13-17"}),
    ("fr", "bonnes pratiques", {"type": "best-practice"}),
    # Spanish
    ("es", "material de formación", {"type": "training"}),
    ("es", "materiales didácticos para docentes", {"type": "training", "audience": "educators"}),
    ("es", "cursos de capacitación", {"type": "training"}),
    ("es", "talleres para padres", {"type": "training", "audience": "parents"}),
    ("es", "campañas de sensibilización", {"type": "campaign"}),
    ("es", "estudios e informes", {"type": "research"}),
    ("es", "estrategia nacional", {"type": "strategy"}),
    ("es", "políticas del gobierno", {"type": "strategy", "audience": "policy"}),
    ("es", "herramientas para las familias", {"type": "tool", "audience": "parents"}),
    ("es", "recursos para niños de 10 años", {"age": "8-12"}),
    ("es", "buenas prácticas", {"type": "best-practice"}),
    ("es", "guía para maestros", {"type": "training", "audience": "educators"}),
    # Russian
    ("ru", "учебный материал", {"type": "training"}),
    ("ru", "учебные материалы для учителей", {"type": "training", "audience": "educators"}),
    ("ru", "тренинг", {"type": "training"}),
    ("ru", "тренинги для родителей", {"type": "training", "audience": "parents"}),
    ("ru", "методические пособия для педагогов", {"type": "training", "audience": "educators"}),
    ("ru", "информационная кампания", {"type": "campaign"}),
    ("ru", "исследования и опросы", {"type": "research"}),
    ("ru", "национальная стратегия", {"type": "strategy"}),
    ("ru", "политика правительства", {"type": "strategy", "audience": "policy"}),
    ("ru", "инструменты для родителей", {"type": "tool", "audience": "parents"}),
    ("ru", "для подростков 14 лет", {"age": "13-17"}),
    ("ru", "передовой опыт", {"type": "best-practice"}),
    # Arabic
    ("ar", "مواد تدريبية", {"type": "training"}),
    ("ar", "مواد تعليمية للمعلمين", {"type": "training", "audience": "educators"}),
    ("ar", "دورات تدريبية", {"type": "training"}),
    ("ar", "تدريب الآباء", {"type": "training", "audience": "parents"}),
    ("ar", "حملة توعية", {"type": "campaign"}),
    ("ar", "دراسات وتقارير", {"type": "research"}),
    ("ar", "استراتيجية وطنية", {"type": "strategy"}),
    ("ar", "سياسات الحكومة", {"type": "strategy", "audience": "policy"}),
    ("ar", "أدوات للأسرة", {"type": "tool", "audience": "parents"}),
    ("ar", "للأطفال 10 سنوات", {"age": "8-12"}),
    ("ar", "ممارسات فضلى", {"type": "best-practice"}),
    # Simplified Chinese
    ("zh-hans", "培训材料", {"type": "training"}),
    ("zh-hans", "教材", {"type": "training"}),
    ("zh-hans", "给老师的培训材料", {"type": "training", "audience": "educators"}),
    ("zh-hans", "家长培训课程", {"type": "training", "audience": "parents"}),
    ("zh-hans", "宣传活动", {"type": "campaign"}),
    ("zh-hans", "研究报告", {"type": "research"}),
    ("zh-hans", "国家战略", {"type": "strategy"}),
    ("zh-hans", "政府的政策", {"type": "strategy", "audience": "policy"}),
    ("zh-hans", "适合家长的工具", {"type": "tool", "audience": "parents"}),
    ("zh-hans", "青少年", {"age": "13-17"}),
    ("zh-hans", "最佳做法案例", {"type": "best-practice"}),
]


def _matching(facets: dict[str, str]) -> QuerySet[Resource]:
    resources = Resource.objects.published()
    for facet, code in facets.items():
        if facet == "type":
            resources = resources.filter(type=code)
        else:
            kind = Tag.Kind.AUDIENCE if facet == "audience" else Tag.Kind.AGE_BAND
            resources = resources.filter(tags__kind=kind, tags__code=code)
    return resources.distinct()


@pytest.mark.django_db
@pytest.mark.parametrize(("language", "query", "facets"), PHRASINGS)
def test_a_phrasing_finds_every_resource_of_what_it_names(
    language: str, query: str, facets: dict[str, str]
) -> None:
    expected = set(_matching(facets).values_list("pk", flat=True))
    assert expected, f"the library has no resource for {facets}"
    found = {d.object_id for d in search.search(language, query, kind=RESOURCE)}
    where = f"{connection.vendor}, {language}: {query!r}"
    assert expected - found == set(), f"{where} misses {len(expected - found)} of {len(expected)}"
    assert len(found) < Resource.objects.published().count(), f"{where} finds the whole library"


def test_every_language_has_at_least_ten_phrasings() -> None:
    counts = {code: sum(1 for p in PHRASINGS if p[0] == code) for code in search.POSTGRES_CONFIGS}
    counts["zh-hans"] = sum(1 for p in PHRASINGS if p[0] == "zh-hans")
    assert min(counts.values()) >= 10, counts


@pytest.mark.django_db
def test_the_library_page_finds_training_material_by_its_chinese_name(client) -> None:  # type: ignore[no-untyped-def]
    training = Resource.objects.published().filter(type="training")
    response = client.get("/zh-hans/library/", {"q": "培训材料"})
    assert response.context["page"].paginator.count == training.count() == 8
    assert client.get("/ru/library/", {"q": "тренинг"}).context["page"].paginator.count == 8


@pytest.mark.django_db
def test_a_word_found_nowhere_is_left_out_but_a_query_of_only_such_words_finds_nothing() -> None:
    assert search.search("en", "training qzxwv", kind=RESOURCE)
    assert search.search("en", "qzxwv", kind=RESOURCE) == []
    assert search.search("zh-hans", "的", kind=RESOURCE) == []
