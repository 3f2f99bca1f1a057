from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from cop.core.visible import render_inert

register = template.Library()


@register.filter
def visible(value: object) -> SafeString:
    """Free text with each invisible or direction-changing character shown as its code (core/visible.py)."""
    return render_inert("" if value is None else str(value))
