"""Template side of cop/core/languages.py: `{{ text|in_language:code }}` and `{% only_in code %}`."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from cop.core import languages

register = template.Library()


@register.filter(name="in_language")
def in_language(value: object, code: str | None) -> SafeString:
    """The value, with `lang` and `dir` when its language is not the page's."""
    return languages.in_language(value, code)


@register.simple_tag(name="only_in")
def only_in(code: str | None) -> SafeString:
    """'Available only in this language: English' when `code` is not the page's language."""
    return languages.only_in(code)


@register.filter(name="direction")
def direction(code: str) -> str:
    """'rtl' or 'ltr', for an element whose `lang` is `code`."""
    return languages.direction(code or "")
