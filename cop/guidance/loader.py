"""Load the guideline sets and the starter library from `content/` into the database.

Loading is idempotent. A text the secretariat edited on the platform since the
file was last loaded is kept, and reported, unless `force` is given: the web
edit is newer than the file, and overwriting it silently would lose work.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from cop.core.content import Problems
from cop.core.models import Country
from cop.guidance.content import ParsedGuideline, ParsedResource, parse_guidelines, parse_library
from cop.guidance.indexing import index_guideline, index_resource
from cop.guidance.models import (
    Guideline,
    GuidelineRevision,
    GuidelineText,
    Origin,
    Resource,
    ResourceText,
    Status,
    Tag,
    ensure_tags,
)
from cop.threats.models import Classification, Risk

Progress = Callable[[int, int, str], None]


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: list[str] = field(default_factory=list)


def _current_risks() -> dict[str, Risk]:
    current = Classification.objects.current()
    if current is None:
        problems = Problems()
        problems.add("threats", "load the classification of risks first")
        problems.raise_if_any()
        raise AssertionError  # unreachable: raise_if_any raised
    return {risk.code: risk for risk in current.risks.all()}


def _load_guideline(item: ParsedGuideline, risks: dict[str, Risk], force: bool, result: LoadResult) -> None:
    guideline, changed = Guideline.objects.get_or_create(
        audience=item.audience, group=item.group, slug=item.slug, defaults={"position": item.position}
    )
    if guideline.position != item.position:
        guideline.position = item.position
        guideline.save()
    wanted = {risks[code].pk for code in item.risks}
    if set(guideline.risks.values_list("pk", flat=True)) != wanted:
        guideline.risks.set(wanted)
    for language, parsed in item.texts.items():
        text = GuidelineText.objects.filter(guideline=guideline, language=language).first()
        if text is None:
            text = GuidelineText.objects.create(
                guideline=guideline,
                language=language,
                title=parsed.title,
                summary=parsed.summary,
                body=parsed.body,
                file_digest=parsed.digest,
            )
            number = 1
            result.created += 1
            changed = True
        elif text.file_digest == parsed.digest:
            result.unchanged += 1
            continue
        else:
            latest = text.latest_revision()
            if latest is not None and latest.origin == Origin.WEB and not force:
                result.kept.append(f"{item.path}/{language}.md")
                continue
            text.title, text.summary, text.body = parsed.title, parsed.summary, parsed.body
            text.file_digest = parsed.digest
            text.save()
            number = (latest.number if latest else 0) + 1
            result.updated += 1
            changed = True
        GuidelineRevision.objects.create(
            text=text,
            number=number,
            title=parsed.title,
            summary=parsed.summary,
            body=parsed.body,
            origin=Origin.FILE,
            note=f"{item.path}/{language}.md",
        )
    if changed:
        index_guideline(guideline)


@transaction.atomic
def load_guidelines(force: bool = False, progress: Progress | None = None) -> LoadResult:
    items = parse_guidelines()
    risks = _current_risks()
    result = LoadResult()
    for done, item in enumerate(items, start=1):
        _load_guideline(item, risks, force, result)
        if progress:
            progress(done, len(items), item.path)
    return result


def _tags(parsed: ParsedResource) -> list[Tag]:
    wanted = [(Tag.Kind.AUDIENCE, c) for c in parsed.audiences] + [
        (Tag.Kind.AGE_BAND, c) for c in parsed.age_bands
    ]
    tags = ensure_tags()
    return [tags[key] for key in wanted]


@transaction.atomic
def load_library(progress: Progress | None = None) -> LoadResult:
    parsed_resources = parse_library()
    risks = _current_risks()
    countries = set(Country.objects.values_list("iso2", flat=True))
    problems = Problems()
    for parsed in parsed_resources:
        if parsed.country and parsed.country not in countries:
            problems.add(f"library/{parsed.slug}.toml", f"unknown country {parsed.country}")
        existing = Resource.objects.filter(slug=parsed.slug).first()
        if existing is not None and existing.origin != Origin.FILE:
            problems.add(
                f"library/{parsed.slug}.toml", "this name is taken by a resource submitted on the platform"
            )
    problems.raise_if_any()
    result = LoadResult()
    now = timezone.now()
    for done, parsed in enumerate(parsed_resources, start=1):
        resource = Resource.objects.filter(slug=parsed.slug).first()
        if resource is not None and resource.file_digest == parsed.digest:
            result.unchanged += 1
            continue
        if resource is None:
            resource = Resource(slug=parsed.slug, origin=Origin.FILE, status=Status.APPROVED)
            resource.published_at = resource.moderated_at = now
            result.created += 1
        else:
            result.updated += 1
        resource.title, resource.publisher, resource.year = parsed.title, parsed.publisher, parsed.year
        resource.url, resource.type, resource.language = parsed.url, parsed.type, parsed.language
        resource.country_id = parsed.country or None
        resource.licence, resource.file_digest = parsed.licence, parsed.digest
        resource.save()
        resource.tags.set(_tags(parsed))
        resource.risks.set([risks[code] for code in parsed.risks])
        for language, text in parsed.texts.items():
            ResourceText.objects.update_or_create(
                resource=resource,
                language=language,
                defaults={"title": text["title"], "summary": text["summary"]},
            )
        index_resource(resource)
        if progress:
            progress(done, len(parsed_resources), parsed.slug)
    return result
