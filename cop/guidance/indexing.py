"""What goes into the search index for each guideline and resource."""

from __future__ import annotations

from cop.guidance import markdown, search
from cop.guidance.models import Guideline, Resource, SearchDocument, Status


def index_guideline(guideline: Guideline) -> None:
    languages = set()
    for text in guideline.texts.all():
        languages.add(text.language)
        body = f"{text.summary}\n{markdown.plain_text(text.body)}"
        search.index_document(SearchDocument.Kind.GUIDELINE, guideline.pk, text.language, text.title, body)
    search.remove_documents(SearchDocument.Kind.GUIDELINE, guideline.pk, keep_languages=languages)


def index_resource(resource: Resource) -> None:
    """Published resources are searchable in each language they have a text in; others are not."""
    if resource.status != Status.APPROVED:
        search.remove_documents(SearchDocument.Kind.RESOURCE, resource.pk)
        return
    languages = set()
    for text in resource.texts.all():
        languages.add(text.language)
        body = f"{text.summary}\n{resource.title}\n{resource.publisher}"
        search.index_document(SearchDocument.Kind.RESOURCE, resource.pk, text.language, text.title, body)
    search.remove_documents(SearchDocument.Kind.RESOURCE, resource.pk, keep_languages=languages)
