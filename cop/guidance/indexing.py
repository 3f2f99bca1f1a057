"""What goes into the search index for each guideline and resource."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from cop.guidance import markdown, search
from cop.guidance.models import Guideline, Resource, SearchDocument, Status, Tag
from cop.guidance.search_words import WORDS


def index_guideline(guideline: Guideline) -> None:
    languages = set()
    for text in guideline.texts.all():
        languages.add(text.language)
        body = f"{text.summary}\n{markdown.plain_text(text.body)}"
        search.index_document(SearchDocument.Kind.GUIDELINE, guideline.pk, text.language, text.title, body)
    search.remove_documents(SearchDocument.Kind.GUIDELINE, guideline.pk, keep_languages=languages)


def _facet_words(resource: Resource, language: str) -> str:
    """The labels of the resource's type, audiences, age bands and risks in `language`, with the
    words people type for them there (search_words.py)."""
    words = WORDS.get(language, {})
    facets = [("type", resource.type)] + [
        ("audience" if tag.kind == Tag.Kind.AUDIENCE else "age", tag.code) for tag in resource.tags.all()
    ]
    with translation.override(language):
        labels = [str(resource.get_type_display())] + [tag.label for tag in resource.tags.all()]
        labels += [risk.name for risk in resource.risks.all()]
    return "\n".join(labels + [words.get(facet, "") for facet in facets])


def index_resource(resource: Resource) -> None:
    """A published resource is searchable in every language: by its text in that language (or the
    text it falls back to), and by the labels of its type, audiences, age bands and risks in that
    language. Unpublished resources are not searchable."""
    if resource.status != Status.APPROVED:
        search.remove_documents(SearchDocument.Kind.RESOURCE, resource.pk)
        return
    for language, _name in settings.LANGUAGES:
        text = resource.text(language)
        title = text.title if text else resource.title
        summary = text.summary if text else ""
        body = f"{summary}\n{resource.title}\n{resource.publisher}\n{_facet_words(resource, language)}"
        search.index_document(SearchDocument.Kind.RESOURCE, resource.pk, language, title, body)


def reindex_library() -> int:
    """Index every resource again, after the index's contents changed (run by load_content)."""
    resources = Resource.objects.prefetch_related("texts", "tags", "risks")
    for resource in resources:
        index_resource(resource)
    return len(resources)
