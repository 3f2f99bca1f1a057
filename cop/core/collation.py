"""Names sorted the way readers of each language expect: one function for every list of names.

Python's own ordering compares code points, which puts "Bután" before "Bélgica" and every
accented or capitalised name out of place. Here a name is compared in three levels, as in the
Unicode Collation Algorithm: first its letters without accents or case, then its accents, then its
case. On top of that, each language's own rules:

- Spanish: ñ is a letter of its own, after n ("Noruega" < "Nueva Zelanda" < "Ñ...").
- Russian: й is a letter of its own, after и; ё sorts with the same letter without its dots.
- Arabic: hamza forms (أ إ آ) sort with alef; the letters are in the order of the alphabet already.
- French: accents count only between names that are otherwise equal ("cote" < "coté" < "côte").
- Chinese: by the pinyin of each character, then its tone (the order of Chinese dictionaries and
  of CLDR's default Chinese collation), using pypinyin's readings.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, TypeVar

from django.utils.translation import get_language

T = TypeVar("T")

# Letters that a language treats as letters of their own, written as their base letter followed
# by a character that sorts after every letter: they come right after that base letter.
AFTER = "\U0010ffff"
OWN_LETTERS: dict[str, dict[str, str]] = {
    "es": {"ñ": "n" + AFTER},
    "ru": {"й": "и" + AFTER},
}
_CJK_START, _CJK_END = 0x3400, 0x9FFF


def _language(language: str | None) -> str:
    return (language or get_language() or "en").lower().replace("_", "-")


def _alphabetic_key(text: str, language: str) -> tuple[str, str, str, str]:
    own = OWN_LETTERS.get(language.split("-")[0], {})
    primary, secondary, tertiary = [], [], []
    for char in unicodedata.normalize("NFC", text):
        lower = char.casefold()
        if lower in own:
            primary.append(own[lower])
            secondary.append("")
        else:
            decomposed = unicodedata.normalize("NFD", lower)
            primary.append("".join(c for c in decomposed if not unicodedata.combining(c)))
            secondary.append("".join(c for c in decomposed if unicodedata.combining(c)))
        tertiary.append("1" if char != lower else "0")
    # Accents compared in the order of the letters they sit on, each letter's marks padded so
    # that "no accent" sorts before any accent.
    return ("".join(primary), "\x00".join(secondary), "".join(tertiary), text)


@cache
def _readings(text: str) -> tuple[str, ...]:
    """The pinyin of each character of `text` (read as a whole, so that words that change a
    character's reading are read right), or the character itself where it is not Chinese."""
    from pypinyin import Style, lazy_pinyin

    # Characters that are not Chinese come back one by one, so that readings line up with text.
    readings = lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True, errors=list)  # type: ignore[arg-type]
    return tuple(readings) if len(readings) == len(text) else tuple(text)


def _chinese_key(text: str) -> tuple[str, str, str]:
    text = unicodedata.normalize("NFC", text)
    syllables, tones = [], []
    for char, reading in zip(text, _readings(text), strict=True):
        if _CJK_START <= ord(char) <= _CJK_END and reading != char:
            letters = reading.rstrip("012345")
            syllables.append(letters + " ")
            tones.append(reading[len(letters) :] or "5")
        else:
            syllables.append(char.casefold())
            tones.append("0")
    return ("".join(syllables), "".join(tones), text)


def collation_key(text: str, language: str | None = None) -> tuple[str, ...]:
    """A key that sorts `text` among others in `language` (the active language by default)."""
    code = _language(language)
    if code.startswith("zh"):
        return _chinese_key(text)
    return _alphabetic_key(text, code)


def sort_by_name(items: Iterable[T], name: Callable[[T], Any] = str, language: str | None = None) -> list[T]:
    """`items` sorted by `name(item)` with the collation of `language` (the active language)."""
    code = _language(language)
    return sorted(items, key=lambda item: collation_key(str(name(item)), code))


def sort_model_choices(field: Any, label: Callable[[Any], str] = str) -> None:
    """Give a ModelChoiceField its choices in collation order (a database orders by code point).
    The field's queryset still decides what is valid."""
    key = field.to_field_name or "pk"
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    field.choices = [*empty, *((getattr(o, key), label(o)) for o in sort_by_name(field.queryset, label))]
