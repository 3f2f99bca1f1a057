"""Domain names as the filter compares them: lower case, no trailing dot, IDN as punycode (IDNA 2008)."""

from __future__ import annotations

import re
from typing import Any

import idna
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cop.core.errors import Invalid

MAX_NAME = 253
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")
# The same for a whole name at once: the common case, checked without a loop over labels.
_NAME = re.compile(r"^(?:(?!-)[a-z0-9_-]{1,63}(?<!-)\.)*(?!-)[a-z0-9_-]{1,63}(?<!-)$")

# Why a name or a list line was refused, by a stable code: imports store the code, pages show
# the text in the reader's language.
REASONS: dict[str, str | Promise] = {
    "empty": _("empty name"),
    "international": _("not a valid international name"),
    "too-long": _("longer than 253 characters"),
    "single-label": _("a single label is not a domain"),
    "label": _("invalid label %(label)s"),
    "address": _("an IP address is not a domain name"),
    "adblock-options": _("adblock options other than $important are not DNS rules"),
    "hosts-without-name": _("a hosts line needs a name after the address"),
    "words": _("more than one word"),
    "line-too-long": _("line too long"),
    "exception-in-illegal": _("an illegal-content list accepts no exceptions: this line is skipped"),
    "modifier": _("the modifier $%(modifier)s has no meaning for a DNS filter: the line is not applied"),
    "modifier-value": _("the modifier $%(modifier)s needs a valid value: the line is not applied"),
    "dnstype": _("unknown DNS record type %(type)s"),
    "badfilter-unmatched": _(
        "$badfilter cancels only the identical rule of the same list, and this list has none"
    ),
    "address-modifier": _("an address rule takes no modifier other than $important and $badfilter"),
    "too-wide": _("this rule would match every name: narrow it with $denyallow or $dnstype"),
    "pattern": _("not a name, wildcard or regular expression this filter understands"),
    "regex-invalid": _("not a valid regular expression (%(error)s)"),
    "regex-too-long": _("a regular expression longer than %(limit)s characters"),
    "regex-nested": _("a repetition inside a repetition can take too long on every query"),
    "regex-repeats": _("a regular expression may repeat without limit at most %(limit)s times"),
    "regex-unsupported": _("back-references, conditions, named groups and inline flags are not supported"),
    "too-many-patterns": _("more than %(limit)s wildcard or regular-expression rules in one list"),
}


def describe(code: str, params: dict[str, str] | None = None) -> str:
    text = str(REASONS.get(code, code))
    return text % params if params else text


class BadName(Invalid):
    """A name or list line refused; `code` is the stable reason an import stores."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(REASONS.get(code, code), code=code, **params)


def normalise(raw: str) -> str:
    """`Bücher.Example.` -> `xn--bcher-kva.example`; raises BadName for anything that is not a host name."""
    name = _fold(raw)
    if "." not in name:
        raise BadName("single-label")
    return name


def normalise_rule(raw: str) -> str:
    """As `normalise`, but a single label is accepted: block lists may name a top-level domain (`||zip^`).

    Parents' own entries keep refusing single labels (`normalise`); only list rules take this path.
    """
    return _fold(raw)


def _fold(raw: str) -> str:
    name = raw.strip().rstrip(".").lower()
    if not name:
        raise BadName("empty")
    if not name.isascii():
        try:
            name = idna.encode(name, uts46=True).decode("ascii")
        except idna.IDNAError:
            raise BadName("international") from None
    if len(name) > MAX_NAME:
        raise BadName("too-long")
    if not _NAME.match(name):
        for label in name.split("."):
            if not _LABEL.match(label):
                raise BadName("label", label=repr(label[:63]))
    if name.rpartition(".")[2].isdigit():
        raise BadName("address")
    return name


def wire_key(name: str) -> bytes:
    """`www.example.com` -> `\\x03www\\x07example\\x03com`: a name as the resolver's table keys it."""
    return b"".join(bytes((len(label),)) + label.encode("ascii") for label in name.split("."))


def suffixes(name: str) -> list[str]:
    """`a.b.example` -> [`a.b.example`, `b.example`, `example`]: what a wildcard rule may match."""
    labels = name.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]
