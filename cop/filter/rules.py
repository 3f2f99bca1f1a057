"""What one rule of a block list means, how it is stored, and whether it blocks a name.

This is the readable reference of list semantics. `marks.py` compiles the same meaning into the
resolver's table, and `tests/test_compiled.py` holds the two to the same answers.

A list decides on its own, the way ad blockers read it (AdGuard Home's order of priority):
1. an `$important` exception of the list that matches: not blocked by this list;
2. an `$important` block of the list that matches: blocked;
3. an exception of the list that matches: not blocked;
4. a block of the list that matches: blocked.
A category blocks a name when any of its lists does; one list's exceptions never reach another
list's blocks, and an illegal-content list has no exceptions at all.

No Django here: resolvers use it too.
"""

from __future__ import annotations

import functools
import ipaddress
import json
import re
from collections.abc import Iterable
from typing import NamedTuple

# Kinds of rule, by what they match.
NAME = "name"  # the name and every name under it: `||example.org^`, `example.org`, hosts lines
EXACT = "exact"  # the name only: `|example.org^`
BELOW = "below"  # names under it, not the name itself: `||*.example.org^`
REGEX = "regex"  # names a regular expression finds: `/ads[0-9]+\./`, and wildcards such as `ads*.example`
ADDRESS = "address"  # an answer that contains the address: `192.0.2.1`, `||192.0.2.1^`
KINDS = (NAME, EXACT, BELOW, REGEX, ADDRESS)
NAMED = (NAME, EXACT, BELOW)  # kinds compiled into the table under the name


class Rule(NamedTuple):
    """One rule. A named tuple rather than a dataclass: lists have millions, and a tuple is made fast."""

    kind: str
    target: str  # a normalised name, a regular expression, or an address in its short form
    exception: bool = False
    important: bool = False
    denyallow: tuple[str, ...] = ()  # names (and their subdomains) the rule leaves alone
    dnstypes: tuple[int, ...] = ()  # the query types it applies to; empty: all
    not_dnstypes: tuple[int, ...] = ()  # the query types it does not apply to

    @property
    def plain(self) -> bool:
        """A block of a name and its subdomains with no modifier: what almost every line of a list is."""
        return self.kind == NAME and not (
            self.exception or self.important or self.denyallow or self.dnstypes or self.not_dnstypes
        )

    @property
    def typed(self) -> bool:
        return bool(self.dnstypes or self.not_dnstypes)

    def for_type(self, qtype: int) -> bool:
        if qtype in self.not_dnstypes:
            return False
        return not self.dnstypes or qtype in self.dnstypes

    def covers(self, name: str) -> bool:
        """Whether the rule matches `name` (lower case, no trailing dot), whatever the query type."""
        kind, target = self.kind, self.target
        if kind == NAME:
            hit = name == target or name.endswith("." + target)
        elif kind == EXACT:
            hit = name == target
        elif kind == BELOW:
            hit = name.endswith("." + target)
        elif kind == REGEX:
            hit = compiled(target).search(name) is not None
        else:
            return False
        return hit and not any(name == d or name.endswith("." + d) for d in self.denyallow)

    def matches(self, name: str, qtype: int) -> bool:
        return self.for_type(qtype) and self.covers(name)

    def without_modifiers(self) -> Rule:
        return Rule(self.kind, self.target, self.exception)

    # -- storage: one line per rule in a version file ------------------------------------------
    def line(self) -> str:
        """`+name` and `-name` for plain blocks and exceptions (the format of the first versions),
        a JSON object for everything else."""
        if self.kind == NAME and not (self.important or self.denyallow or self.typed):
            return ("-" if self.exception else "+") + self.target
        data: dict[str, object] = {"k": self.kind, "t": self.target}
        if self.exception:
            data["x"] = 1
        if self.important:
            data["i"] = 1
        if self.denyallow:
            data["d"] = list(self.denyallow)
        if self.dnstypes:
            data["T"] = list(self.dnstypes)
        if self.not_dnstypes:
            data["N"] = list(self.not_dnstypes)
        return json.dumps(data, sort_keys=True, separators=(",", ":"))

    @staticmethod
    def from_line(line: str) -> Rule:
        marker = line[0]
        if marker == "+":
            return Rule(NAME, line[1:])
        if marker == "-":
            return Rule(NAME, line[1:], exception=True)
        data = json.loads(line)
        if data["k"] not in KINDS:
            raise ValueError(f"unknown kind of rule {data['k']!r}")
        return Rule(
            data["k"],
            data["t"],
            exception=bool(data.get("x")),
            important=bool(data.get("i")),
            denyallow=tuple(data.get("d", ())),
            dnstypes=tuple(data.get("T", ())),
            not_dnstypes=tuple(data.get("N", ())),
        )


@functools.lru_cache(maxsize=4096)
def compiled(expression: str) -> re.Pattern[str]:
    return re.compile(expression, re.IGNORECASE)


def address_key(text: str) -> bytes:
    """The table key of an address rule: a zero byte (no name's key starts with one), then the address."""
    return b"\x00" + ipaddress.ip_address(text).packed


def decide(matching: Iterable[Rule]) -> bool:
    """Whether one list blocks, given its rules that match: see the order at the top of this module."""
    important_exception = important_block = exception = block = False
    for rule in matching:
        if rule.exception:
            if rule.important:
                important_exception = True
            else:
                exception = True
        elif rule.important:
            important_block = True
        else:
            block = True
    if important_exception:
        return False
    if important_block:
        return True
    return block and not exception


def list_blocks(rules: Iterable[Rule], name: str, qtype: int, exceptions: bool = True) -> bool:
    """Whether one list blocks `name` for a query of type `qtype`.

    `exceptions=False` reads the list as an illegal-content list: its exceptions, if any reached it
    (versions imported before they were refused), count for nothing.
    """
    return decide(
        rule
        for rule in rules
        if rule.kind != ADDRESS and (exceptions or not rule.exception) and rule.matches(name, qtype)
    )


def list_blocks_address(rules: Iterable[Rule], address: str, exceptions: bool = True) -> bool:
    """Whether one list blocks an answer that contains `address`."""
    wanted = ipaddress.ip_address(address)
    return decide(
        rule
        for rule in rules
        if rule.kind == ADDRESS
        and (exceptions or not rule.exception)
        and ipaddress.ip_address(rule.target) == wanted
    )
