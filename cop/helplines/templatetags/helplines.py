from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from cop.helplines.sources import describe

register = template.Library()


@register.filter
def source_text(value: object) -> SafeString:
    """A source of a helpline fact in the reader's language where the platform wrote it."""
    return describe("" if value is None else str(value))
