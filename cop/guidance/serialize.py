"""The one dictionary shape of a guideline and of a resource, for the API and the open-data exports."""

from __future__ import annotations

from typing import Any

from cop.guidance.models import Guideline, Resource, Tag


def guideline_dict(guideline: Guideline) -> dict[str, Any]:
    """Expects texts and risks__classification prefetched."""
    return {
        "audience": guideline.audience,
        "group": guideline.group,
        "slug": guideline.slug,
        "position": guideline.position,
        "risks": [{"code": r.code, "version": r.classification.version} for r in guideline.risks.all()],
        "url": guideline.get_absolute_url(),
        "texts": {
            t.language: {"title": t.title, "summary": t.summary, "body_markdown": t.body}
            for t in guideline.texts.all()
        },
    }


def resource_dict(resource: Resource) -> dict[str, Any]:
    """Expects texts, tags and risks prefetched; `licence` is the one its publisher states."""
    return {
        "slug": resource.slug,
        "title": resource.title,
        "publisher": resource.publisher,
        "year": resource.year,
        "url": resource.url,
        "type": resource.type,
        "language": resource.language,
        "country": resource.country_id or "",
        "licence": resource.licence,
        "audiences": resource.tag_codes(Tag.Kind.AUDIENCE),
        "age_bands": resource.tag_codes(Tag.Kind.AGE_BAND),
        "risks": [r.code for r in resource.risks.all()],
        "published_at": resource.published_at.isoformat() if resource.published_at else None,
        "texts": {t.language: {"title": t.title, "summary": t.summary} for t in resource.texts.all()},
    }
