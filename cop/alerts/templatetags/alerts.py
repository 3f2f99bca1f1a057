"""Names for the codes a webhook filters on, in the language of the page."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from cop.core.collation import sort_by_name
from cop.core.models import Country
from cop.threats.models import Classification

register = template.Library()


@register.filter
def country_names(codes: Iterable[str]) -> str:
    wanted = list(codes)
    names = {c.iso2: c.name for c in Country.objects.filter(iso2__in=wanted)}
    return ", ".join(sort_by_name(names.get(code, code) for code in wanted))


@register.filter
def risk_names(codes: Iterable[str]) -> str:
    wanted = list(codes)
    current = Classification.objects.current()
    names = {r.code: r.name for r in current.risks.filter(code__in=wanted)} if current else {}
    return ", ".join(names.get(code, code) for code in wanted)
