from __future__ import annotations

from django import template

from cop.threats.models import Risk

register = template.Library()


@register.filter
def for_children(risk: Risk, band: str) -> dict[str, str]:
    return risk.for_children(band) if band else {}


@register.filter
def child_name(risk: Risk, band: str) -> str:
    return risk.for_children(band).get("name") or risk.name
