"""Wildcards and regular expressions of block lists, checked so that running them on every query is safe.

Python's `re` backtracks: a repetition inside a repetition (`(a+)+`) can take exponential time,
and each repetition without a limit multiplies the work on an unlucky name. A DNS name has at
most 253 characters, so with no nesting and at most two unlimited repetitions a pattern costs at
most a few milliseconds even on a name made to be slow; anything riskier is refused with a reason.
"""

from __future__ import annotations

import re
import re._constants as sre_constants  # type: ignore[import-not-found]  # noqa: PLC2701 - the parser's opcodes
import re._parser as sre_parse  # type: ignore[import-not-found]  # noqa: PLC2701 - `re` has no public parser
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from cop.filter.names import BadName, wire_key
from cop.filter.rules import BELOW, EXACT, REGEX, Rule, decide

MAX_PATTERN = 256  # characters of a regular expression
MAX_UNBOUNDED = 2  # repetitions without an upper limit in one expression
MAX_PATTERNS = 1000  # wildcard and regular-expression rules in one list
_REPEATS = {sre_constants.MAX_REPEAT, sre_constants.MIN_REPEAT, sre_constants.POSSESSIVE_REPEAT}
_REFUSED = {sre_constants.GROUPREF, sre_constants.GROUPREF_EXISTS}
_WILDCARD = re.compile(r"^(\|\|?)?([a-z0-9_.*-]+)(\^\|?|\|)?$")


def from_wildcard(pattern: str, narrowed: bool = False) -> str:
    """An adblock pattern with `*` as AdGuard Home reads it on a host name, as a regular expression.

    `||` starts at a label, `|` at the start, `^` or a final `|` ends the name; anything else is a
    piece of the name and `*` any run of characters. A pattern that matches every name is refused
    unless the rule is `narrowed` by $denyallow or $dnstype. Raises BadName when it is not such a
    pattern.
    """
    match = _WILDCARD.match(pattern.lower())
    if not match:
        raise BadName("pattern")
    start, body, end = match.groups()
    pieces = [re.escape(piece) for piece in body.split("*")]
    expression = ".*".join(pieces)
    if start == "||":
        expression = r"(?:^|\.)" + expression
    elif start == "|":
        expression = "^" + expression
    if end:
        expression += "$"
    if not body.strip("*.") and not narrowed:
        raise BadName("too-wide")
    check(expression)
    return expression


def check(expression: str) -> None:
    """Refuse an expression that is too long, invalid, or can take too long; returns nothing if it is fine."""
    if len(expression) > MAX_PATTERN:
        raise BadName("regex-too-long", limit=str(MAX_PATTERN))
    try:
        parsed = sre_parse.parse(expression)
        re.compile(expression, re.IGNORECASE)
    except (re.error, OverflowError, RecursionError) as error:
        raise BadName("regex-invalid", error=str(error)[:100]) from None
    if parsed.state.flags & ~re.UNICODE or parsed.state.groupdict:
        # Inline flags and named groups would break the expressions of a list combined into one.
        raise BadName("regex-unsupported")
    unbounded = _inspect(parsed, nested=False)
    if unbounded > MAX_UNBOUNDED:
        raise BadName("regex-repeats", limit=str(MAX_UNBOUNDED))


def _inspect(items: Any, nested: bool) -> int:
    """Unlimited repetitions in `items`; raises for what the module refuses."""
    unbounded = 0
    for op, value in items:  # type: ignore[misc]
        if op in _REFUSED:
            raise BadName("regex-unsupported")
        if op in _REPEATS:
            _low, high, body = value
            repeats = high is sre_constants.MAXREPEAT or high > 1
            if repeats and nested:
                raise BadName("regex-nested")
            unbounded += high is sre_constants.MAXREPEAT
            unbounded += _inspect(body, nested or repeats)
        elif op == sre_constants.SUBPATTERN:
            unbounded += _inspect(value[-1], nested)
        elif op == sre_constants.BRANCH:
            unbounded += max((_inspect(branch, nested) for branch in value[1]), default=0)
        elif op in (sre_constants.ASSERT, sre_constants.ASSERT_NOT):
            unbounded += _inspect(value[1], nested)
        elif op == sre_constants.ATOMIC_GROUP:
            unbounded += _inspect(value, nested)
    return unbounded


def combine(expressions: list[str]) -> re.Pattern[str]:
    """One compiled expression that finds any of `expressions`: one pass over the name instead of many."""
    return re.compile("|".join(f"(?:{expression})" for expression in expressions), re.IGNORECASE)


@dataclass(frozen=True)
class _Group:
    """Pattern rules of one list that share their modifiers, found with one combined expression."""

    search: Callable[[str], object]
    rule: Rule  # the modifiers (and the kind of rule) they share
    denied: frozenset[bytes]  # $denyallow names, as table keys


class PatternList:
    """A list with wildcard or regular-expression rules, as a resolver holds it.

    `marks.py` decides what it carries. When the list has no pattern exception, its name rules
    are in the table too, and only its exceptions and `$important` blocks are here: a pattern
    that blocks can only add to what the table says, and those rules are what can stop it. A
    list with a pattern exception is here whole and out of the table, since its exception may
    undo a block the table would otherwise report.
    """

    def __init__(self, bit: int, full: bool, names: dict[bytes, list[Rule]], rules: list[Rule]) -> None:
        self.bit = bit
        self.full = full
        self.names = {key: [(rule, _denied(rule)) for rule in found] for key, found in names.items()}
        by_modifiers: dict[Rule, list[str]] = {}
        for rule in rules:
            shared = Rule(
                REGEX, "", rule.exception, rule.important, rule.denyallow, rule.dnstypes, rule.not_dnstypes
            )
            by_modifiers.setdefault(shared, []).append(rule.target)
        self.groups = [
            _Group(combine(expressions).search, rule, _denied(rule))
            for rule, expressions in by_modifiers.items()
        ]
        self.blocking = [group for group in self.groups if not group.rule.exception]

    @classmethod
    def load(cls, data: dict[str, Any]) -> PatternList:
        names = {
            bytes.fromhex(key): [Rule.from_line(line) for line in lines]
            for key, lines in data["names"].items()
        }
        return cls(data["bit"], data["full"], names, [Rule.from_line(line) for line in data["patterns"]])

    @staticmethod
    def dump(bit: int, full: bool, names: dict[bytes, list[Rule]], rules: list[Rule]) -> dict[str, Any]:
        return {
            "bit": bit,
            "full": full,
            "names": {
                key.hex(): sorted(rule.line() for rule in found) for key, found in sorted(names.items())
            },
            "patterns": sorted(rule.line() for rule in rules),
        }

    def blocks(self, name: str, key: bytes, probes: list[bytes], qtype: int) -> bool:
        """Whether this list blocks the name (`key`, its keys `probes` from the most specific)."""
        if not self.full and not any(
            group.rule.for_type(qtype) and not group.denied.intersection(probes) and group.search(name)
            for group in self.blocking
        ):
            return False  # no pattern of the list blocks it: the table has said all there is to say
        matching = [
            group.rule
            for group in self.groups
            if group.rule.for_type(qtype) and not group.denied.intersection(probes) and group.search(name)
        ]
        for probe in probes:
            for rule, denied in self.names.get(probe, ()):
                if (rule.kind == EXACT and probe != key) or (rule.kind == BELOW and probe == key):
                    continue
                if rule.for_type(qtype) and not denied.intersection(probes):
                    matching.append(rule)
        return decide(matching)


def _denied(rule: Rule) -> frozenset[bytes]:
    return frozenset(wire_key(name) for name in rule.denyallow)
