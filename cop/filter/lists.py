"""Reading block lists in the formats people already use, never failing on a bad line.

Supported, line by line, in one file:
- hosts files: `0.0.0.0 example.com`, `127.0.0.1 a.example b.example` (localhost entries skipped)
- plain lists: `example.com`
- wildcards: `*.example.com` (the subdomains) — `example.com` itself also blocks its subdomains
- adblock style: `||example.com^` blocks, `@@||example.com^` is an exception (allowed)
Comments (`#`, `!`, `[Adblock ...]`) and blank lines are ignored. Anything else is counted
as invalid with its line number, and the good lines are kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from cop.filter.names import BadName, describe, normalise

HOSTS_ADDRESSES = {"0.0.0.0", "127.0.0.1", "::", "::1", "0:0:0:0:0:0:0:0"}  # noqa: S104 - addresses as written in hosts files, nothing binds to them
LOCAL_NAMES = {
    "localhost",
    "localhost.localdomain",
    "local",
    "broadcasthost",
    "ip6-localhost",
    "ip6-loopback",
}
_ADBLOCK = re.compile(r"^(@@)?\|\|([^/^$]+)\^(\$.*)?$")
MAX_LINE = 1024


@dataclass
class Problem:
    line: int
    text: str
    reason: str  # a code of names.REASONS
    params: dict[str, str] = field(default_factory=dict)

    def describe(self) -> str:
        return describe(self.reason, self.params)


@dataclass
class ParsedList:
    blocked: set[str] = field(default_factory=set)
    allowed: set[str] = field(default_factory=set)
    lines: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def usable(self) -> bool:
        """A list is worth activating when something in it was understood."""
        return bool(self.blocked or self.allowed)


def _names_of_line(line: str) -> tuple[list[str], bool]:
    """The names a line blocks (or allows, when the second value is True)."""
    match = _ADBLOCK.match(line)
    if match:
        options = match.group(3) or ""
        if options and options not in ("$important", "$all"):
            raise BadName("adblock-options")
        return [match.group(2)], bool(match.group(1))
    parts = line.split()
    if parts[0] in HOSTS_ADDRESSES:
        if len(parts) < 2:
            raise BadName("hosts-without-name")
        return [p for p in parts[1:] if p not in LOCAL_NAMES], False
    if len(parts) > 1:
        raise BadName("words")
    return [parts[0].removeprefix("*.")], False


def parse(lines: Iterable[str], progress: Callable[[int], None] | None = None) -> ParsedList:
    result = ParsedList()
    for number, raw in enumerate(lines, start=1):
        result.lines = number
        if progress is not None and number % 10_000 == 0:
            progress(number)
        line = raw.split("#", 1)[0].strip() if not raw.lstrip().startswith("||") else raw.strip()
        if not line or line.startswith(("!", "[")):
            continue
        if len(line) > MAX_LINE:
            result.problems.append(Problem(number, line[:80], "line-too-long"))
            continue
        try:
            names, allowed = _names_of_line(line)
            normalised = [normalise(name) for name in names]
        except BadName as error:
            result.problems.append(Problem(number, line[:200], error.code, error.params))
            continue
        (result.allowed if allowed else result.blocked).update(normalised)
    if progress is not None:
        progress(result.lines)
    return result
