"""Domain names as the filter compares them: lower case, no trailing dot, IDN as punycode (IDNA 2008)."""

from __future__ import annotations

import re

import idna

MAX_NAME = 253
_LABEL = re.compile(r"^(?!-)[a-z0-9_-]{1,63}(?<!-)$")


class BadName(ValueError):
    pass


def normalise(raw: str) -> str:
    """`Bücher.Example.` -> `xn--bcher-kva.example`; raises BadName for anything that is not a host name."""
    name = raw.strip().rstrip(".").lower()
    if not name:
        raise BadName("empty name")
    if not name.isascii():
        try:
            name = idna.encode(name, uts46=True).decode("ascii")
        except idna.IDNAError as error:
            raise BadName(f"not a valid international name: {error}") from None
    if len(name) > MAX_NAME:
        raise BadName("longer than 253 characters")
    labels = name.split(".")
    if len(labels) < 2:
        raise BadName("a single label is not a domain")
    for label in labels:
        if not _LABEL.match(label):
            raise BadName(f"invalid label {label!r}")
    if labels[-1].isdigit():
        raise BadName("an IP address is not a domain name")
    return name


def suffixes(name: str) -> list[str]:
    """`a.b.example` -> [`a.b.example`, `b.example`, `example`]: what a wildcard rule may match."""
    labels = name.split(".")
    return [".".join(labels[i:]) for i in range(len(labels))]
