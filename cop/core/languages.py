"""Text shown in a language other than the page's: its `lang` and direction, and a note when
content exists only in another language.

Screen readers pick their voice from `lang`, and right-to-left pages scramble the punctuation of
embedded left-to-right text unless it is isolated; `<bdi>` does both jobs for inline text. Every
place that shows content of a known language (a resource's title, a publisher's name, a guideline
text that fell back to English, a publication's name inside a translated sentence) goes through
`in_language`, so that the rule lives in one place.
"""

from __future__ import annotations

from functools import cache

from babel import Locale, UnknownLocaleError
from django.conf import settings
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _


def normalise(code: str) -> str:
    """'zh_Hans', 'zh-Hans' and 'zh-hans' are the same language."""
    return code.strip().replace("_", "-").lower()


def page_language() -> str:
    return normalise(get_language() or settings.LANGUAGE_CODE)


def direction(code: str) -> str:
    return (
        "rtl" if normalise(code).split("-")[0] in {normalise(c) for c in settings.LANGUAGES_BIDI} else "ltr"
    )


def differs(code: str | None) -> bool:
    """True when `code` names a language and it is not the page's."""
    return bool(code) and normalise(code or "") != page_language()


@cache
def _babel_locale(code: str) -> Locale | None:
    try:
        return Locale.parse(code.replace("-", "_"), sep="_")
    except (UnknownLocaleError, ValueError):
        return None


def language_name(code: str, in_language: str | None = None) -> str:
    """The name of language `code` written in `in_language` (the page's language by default)."""
    wanted = normalise(code)
    locale = _babel_locale(normalise(in_language or page_language()).replace("-hans", "_Hans"))
    if locale is not None:
        babel_code = "zh_Hans" if wanted == "zh-hans" else wanted
        found = locale.languages.get(babel_code) or locale.languages.get(wanted.split("-")[0])
        if found:
            return str(found)
    return dict((normalise(c), str(n)) for c, n in settings.LANGUAGES).get(wanted, code)


def in_language(text: object, code: str | None) -> SafeString:
    """`text`, escaped, carrying `lang` and `dir` when its language is not the page's."""
    value = "" if text is None else str(text)
    if not value or not differs(code):
        return conditional_escape(value)
    language = normalise(code or "")
    return format_html('<bdi lang="{}" dir="{}">{}</bdi>', language, direction(language), value)


def only_in(code: str | None) -> SafeString:
    """A short note, in the page's language, that content exists only in language `code`."""
    if not differs(code):
        return mark_safe("")  # noqa: S308 - a constant empty string
    note = _("Available only in this language: %(language)s") % {"language": language_name(code or "")}
    return format_html('<span class="language-note">{}</span>', note)


def with_names(message: str, names: dict[str, tuple[str, str | None]]) -> SafeString:
    """A translated `message` with `%(key)s` placeholders filled by proper names that stay in their
    own language, each isolated: `names` maps key to (name, language or None for the page's)."""
    escaped = str(conditional_escape(message))
    return mark_safe(escaped % {key: in_language(name, code) for key, (name, code) in names.items()})  # noqa: S308
