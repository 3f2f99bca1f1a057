"""Text must show what it holds: no invisible or direction-changing characters in names and links.

A right-to-left override (U+202E) makes "moc.elpmaxe//:sptth" read as a trusted address, a zero-width
space makes two organisations with the "same" name, and an unclosed isolate reorders the rest of the
page around it. So:

- names and links people type refuse such characters, with one translated message (`check_name`,
  `check_link`, usable as Django validators and inside API schemas);
- free text (a report's description) keeps them, since what a reporter wrote is evidence, but shows
  each one as a visible code (`render_inert`, the `visible` template filter), so none can act.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

# Letters that draw nothing, used to make names look empty or alike.
_BLANK_LETTERS = frozenset("\u115f\u1160\u3164\uffa0\u034f")
# Control (Cc) and format (Cf) characters: the bidi embeddings, overrides, isolates and marks,
# zero-width space and joiners, the byte order mark, soft hyphen, tag characters…; line and
# paragraph separators; lone surrogates.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_JOINERS = frozenset("\u200c\u200d")
_EMOJI_PRESENTATION = "\ufe0f"
MESSAGE = _(
    "This contains an invisible or direction-changing character (%(character)s). Type it again without it."
)


def is_invisible(character: str) -> bool:
    return unicodedata.category(character) in _INVISIBLE_CATEGORIES or character in _BLANK_LETTERS


def _shapes(character: str) -> bool:
    """A letter or mark of a script whose words need joiners (Persian, Devanagari, …), not Latin-like."""
    if not character or character.isascii() or unicodedata.category(character)[0] not in "LM":
        return False
    return not unicodedata.name(character, "").startswith(("LATIN", "GREEK", "CYRILLIC"))


def _emoji(character: str) -> bool:
    return bool(character) and (unicodedata.category(character) == "So" or character == _EMOJI_PRESENTATION)


def _joiner_has_a_purpose(text: str, index: int) -> bool:
    # ZWNJ and ZWJ shape Persian and Indic words and build emoji sequences; anywhere else they only
    # hide a difference between two names that look the same.
    before = text[index - 1] if index > 0 else ""
    after = text[index + 1] if index + 1 < len(text) else ""
    return (_shapes(before) and _shapes(after)) or (_emoji(before) and _emoji(after))


def invisible_characters(text: str, *, joiners_in_words: bool = True, keep: str = "") -> list[int]:
    """Positions of the characters that would be invisible or reorder the text (`keep`: allowed ones)."""
    return [
        i
        for i, character in enumerate(text)
        if is_invisible(character)
        and character not in keep
        and not (joiners_in_words and character in _JOINERS and _joiner_has_a_purpose(text, i))
    ]


def code_point(character: str) -> str:
    return f"U+{ord(character):04X}"


def _refuse(text: str, positions: list[int]) -> None:
    if positions:
        raise ValidationError(MESSAGE, code="invisible", params={"character": code_point(text[positions[0]])})


def check_name(value: str) -> None:
    """Validator for anything called a name: refuses invisible and direction-changing characters."""
    _refuse(value, invisible_characters(value))


def check_link(value: str) -> None:
    """Validator for links and addresses: refuses them all, joiners included."""
    _refuse(value, invisible_characters(value, joiners_in_words=False))


def message_of(error: ValidationError) -> str:
    """The error as one plain sentence, for API answers."""
    return " ".join(error.messages)


def pydantic_check(check: Callable[[str], None]) -> Callable[[str], str]:
    """The same check for API schemas: `Annotated[str, AfterValidator(pydantic_check(check_name))]`."""

    def run(value: str) -> str:
        try:
            check(value)
        except ValidationError as error:
            raise ValueError(message_of(error)) from None
        return value

    return run


def render_inert(text: str) -> SafeString:
    """Escape free text for HTML and show each invisible character as its code, so none can act.

    Line breaks and tabs stay as they are: they are the text's own layout.
    """
    parts: list[str] = []
    start = 0
    for i in invisible_characters(text, keep="\n\r\t"):
        parts.append(escape(text[start:i]))
        parts.append(f'<span class="invisible-char">{code_point(text[i])}</span>')
        start = i + 1
    parts.append(escape(text[start:]))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped, or a fixed tag around a code
