"""Reading block lists as their authors mean them, in the formats people use, never failing on a bad line.

Line by line, in one file (the compatibility table in README.md lists every form, with a test each):
- hosts files: `0.0.0.0 example.com`, `127.0.0.1 a.example b.example` (localhost entries skipped)
- plain lists: `example.com` (the name and its subdomains), `*.example.com` (the same)
- adblock style, as AdGuard Home reads it for DNS: `||example.com^` (the name and its subdomains),
  `|example.com^` (the name only), `||*.example.com^` (its subdomains only), `@@` before any of
  them for an exception, a trailing `|` or none after `^`, `||zip^` for a top-level domain,
  `*` inside a pattern, `/regular expression/`, and the modifiers `$important`, `$badfilter`,
  `$denyallow=` and `$dnstype=`
- addresses: `192.0.2.1`, `||192.0.2.1^`: an answer that contains the address is blocked.
Comments (`!`, `#` at the start of a line or after a space, `[Adblock ...]`) and blank lines are
ignored. Cosmetic and web-address rules (`example.org##.ad`, `||example.org/ads.js`, `$$`) are
counted as "not DNS rules" and skipped: they never become a block of the whole domain. Anything
else is a problem with its line number and reason, and the good lines are kept.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import dns.rdatatype

from cop.filter import patterns
from cop.filter.names import BadName, describe, normalise, normalise_rule
from cop.filter.rules import ADDRESS, BELOW, EXACT, NAME, REGEX, Rule

HOSTS_ADDRESSES = {"0.0.0.0", "127.0.0.1", "::", "::1", "0:0:0:0:0:0:0:0"}  # noqa: S104 - addresses as written in hosts files, nothing binds to them
LOCAL_NAMES = {
    "localhost",
    "localhost.localdomain",
    "local",
    "broadcasthost",
    "ip6-localhost",
    "ip6-loopback",
}
MAX_LINE = 1024
# A comment starts at `#` at the start of a line or after white space; `#` elsewhere belongs to the rule.
_COMMENT = re.compile(r"(?:^|\s)#.*$")
# Cosmetic rules (`##`, `#@#`, `#?#`, `#$#`, `#%#`, `#$?#` and their exceptions) and HTML filters (`$$`).
_COSMETIC = re.compile(r"#@?(?:\$\??|\?|%)?#|\$@?\$")
_PLAIN = re.compile(r"^[A-Za-z0-9_.-]+$")
_SIMPLE_ADBLOCK = re.compile(r"^\|\|([A-Za-z0-9_.-]+)\^\|?$")  # `||name^`: most adblock-style lines
_ANCHORED = re.compile(r"^(\|\|?)(\*\.)?([^|^*]+?)(?:\^\|?|\|)?$")  # `||name^`, `|name^|`, `||*.name^`
# A scheme, or a host followed by a path, a port or a query: a rule for web addresses, not names.
_URL = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*:)?//|^://|^\|*[a-z0-9_.*-]+(?::\d+)?\^?[/?]|^\|*[a-z0-9_.*-]+:\d", re.I
)
# A cosmetic rule for every site: `##.ad`, `#@#.ad`; not a comment such as `# note` or `#####`.
_COSMETIC_LINE = re.compile(r"^#@?(?:\$\??|\?|%)?#[^#\s]")
_MODIFIERS_OF_ADDRESSES = {"important", "badfilter"}


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
    # Plain blocks (a name and its subdomains, no modifier: almost every line) as names, since a
    # list may have millions; every other rule as a `Rule`.
    names: set[str] = field(default_factory=set)
    others: set[Rule] = field(default_factory=set)
    lines: int = 0
    not_dns: int = 0  # cosmetic and web-address rules, skipped
    problems: list[Problem] = field(default_factory=list)

    @property
    def rules(self) -> set[Rule]:
        return {Rule(NAME, name) for name in self.names} | self.others

    def lines_to_store(self) -> list[str]:
        """The rules as a version file holds them (`Rule.line`), sorted."""
        return sorted(["+" + name for name in self.names] + [rule.line() for rule in self.others])

    @property
    def blocked(self) -> int:
        return len(self.names) + sum(1 for rule in self.others if not rule.exception)

    @property
    def allowed(self) -> int:
        return sum(1 for rule in self.others if rule.exception)

    @property
    def usable(self) -> bool:
        """A list is worth activating when something in it was understood."""
        return bool(self.names or self.others)


class NotDNS(Exception):
    """A rule for web pages (cosmetic, web address, HTML): counted, not applied."""


@dataclass
class _Options:
    important: bool = False
    badfilter: bool = False
    denyallow: tuple[str, ...] = ()
    dnstypes: tuple[int, ...] = ()
    not_dnstypes: tuple[int, ...] = ()
    given: tuple[str, ...] = ()


def _split_options(text: str) -> tuple[str, str]:
    """(pattern, modifiers) at the last `$` not escaped; a `/regular expression/` alone has none."""
    if text.startswith("/") and text.endswith("/") and len(text) > 1:
        return text, ""
    index = len(text) - 1
    while index > 0:
        index = text.rfind("$", 0, index)
        if index <= 0:
            break
        if text[index - 1] != "\\":
            return text[:index], text[index + 1 :]
    return text, ""


def _dns_types(value: str, modifier: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    wanted: list[int] = []
    refused: list[int] = []
    for item in value.split("|"):
        negated = item.startswith("~")
        name = item.removeprefix("~").strip()
        try:
            number = int(dns.rdatatype.from_text(name.upper()))
        except (dns.rdatatype.UnknownRdatatype, ValueError):
            if not name:
                raise BadName("modifier-value", modifier=modifier) from None
            raise BadName("dnstype", type=name[:20]) from None
        (refused if negated else wanted).append(number)
    return tuple(sorted(set(wanted))), tuple(sorted(set(refused)))


def _options(text: str) -> _Options:
    options = _Options()
    given: list[str] = []
    for item in re.split(r"(?<!\\),", text):
        name, _, value = item.strip().partition("=")
        name = name.strip().lower()
        given.append(name)
        if name == "important" and not value:
            options.important = True
        elif name == "badfilter" and not value:
            options.badfilter = True
        elif name == "all" and not value:
            pass  # every request type: for DNS, the rule itself
        elif name == "denyallow":
            names = value.split("|")
            if not value or any(not n or n.startswith("~") for n in names):
                raise BadName("modifier-value", modifier=name)
            options.denyallow = tuple(sorted({normalise_rule(n) for n in names}))
        elif name == "dnstype":
            if not value:
                raise BadName("modifier-value", modifier=name)
            options.dnstypes, options.not_dnstypes = _dns_types(value, name)
        else:
            raise BadName("modifier", modifier=name[:40] or "?")
    options.given = tuple(given)
    return options


def _address(text: str) -> str | None:
    """The short form of an address rule's address, or None when `text` is not an address."""
    if not text or not (text[0].isdigit() or ":" in text):
        return None
    try:
        return ipaddress.ip_address(text).compressed
    except ValueError:
        return None


def _rule(kind: str, target: str, exception: bool, options: _Options) -> Rule:
    return Rule(
        kind,
        target,
        exception=exception,
        important=options.important,
        denyallow=options.denyallow,
        dnstypes=options.dnstypes,
        not_dnstypes=options.not_dnstypes,
    )


def _adblock(line: str, exception: bool) -> tuple[Rule, bool]:
    """The rule of an adblock-style line (without `@@`), and whether it is a `$badfilter`."""
    pattern, modifiers = _split_options(line)
    if not pattern:
        raise BadName("pattern")
    if len(pattern) > 1 and pattern.startswith("/") and pattern.endswith("/"):
        options = _options(modifiers) if modifiers else _Options()
        patterns.check(pattern[1:-1])
        return _rule(REGEX, pattern[1:-1], exception, options), options.badfilter
    bare = pattern.strip("|^")
    address = _address(bare)
    if address is not None and pattern in (bare, f"||{bare}^", f"|{bare}^", f"|{bare}|", f"||{bare}^|"):
        options = _options(modifiers) if modifiers else _Options()
        if set(options.given) - _MODIFIERS_OF_ADDRESSES:
            raise BadName("address-modifier")
        return _rule(ADDRESS, address, exception, options), options.badfilter
    if _URL.search(pattern):
        raise NotDNS
    options = _options(modifiers) if modifiers else _Options()
    anchored = _ANCHORED.match(pattern)
    if anchored:
        start, subdomains, name = anchored.groups()
        if subdomains and start != "||":
            raise BadName("pattern")
        kind = BELOW if subdomains else NAME if start == "||" else EXACT
        return _rule(kind, normalise_rule(name), exception, options), options.badfilter
    if "*" in pattern or pattern.endswith(("^", "|")):
        narrowed = bool(options.denyallow or options.dnstypes or options.not_dnstypes)
        return _rule(REGEX, patterns.from_wildcard(pattern, narrowed), exception, options), options.badfilter
    if modifiers or exception:
        # `example.org$important`, `@@example.org`: a name without anchors, read as `||name^`.
        return _rule(NAME, normalise_rule(pattern), exception, options), options.badfilter
    raise BadName("pattern")


def _rules_of_line(line: str, exceptions: bool) -> tuple[list[Rule | str], bool]:
    """The rules a line holds (a plain block as its name alone), and whether they are
    `$badfilter` rules that cancel others."""
    if _PLAIN.match(line):  # the common case first: a name alone, or an address alone
        address = _address(line)
        if address is not None and line not in HOSTS_ADDRESSES:
            return [Rule(ADDRESS, address)], False
        if address is not None:
            raise BadName("hosts-without-name")
        return [normalise(line)], False
    first = line[0]
    if first == "|":
        simple = _SIMPLE_ADBLOCK.match(line)
        if simple and _address(simple.group(1)) is None:
            return [normalise_rule(simple.group(1))], False
    elif first in "01:" and "#" not in line and "$" not in line:
        parts = line.split()
        if parts[0] in HOSTS_ADDRESSES and len(parts) > 1:  # a hosts line
            return [normalise(p) for p in parts[1:] if p.lower() not in LOCAL_NAMES], False
    if _COSMETIC.search(line) and not line.lstrip("@").startswith("/"):
        raise NotDNS
    exception = line.startswith("@@")
    if exception and not exceptions:
        raise BadName("exception-in-illegal")
    if exception or line.startswith(("|", "/")) or "$" in line or "^" in line:
        rule, badfilter = _adblock(line.removeprefix("@@"), exception)
        return [rule.target if rule.plain and not badfilter else rule], badfilter
    parts = line.split()
    if parts[0] in HOSTS_ADDRESSES:
        if len(parts) < 2:
            raise BadName("hosts-without-name")
        return [normalise(p) for p in parts[1:] if p.lower() not in LOCAL_NAMES], False
    if len(parts) > 1:
        raise BadName("words")
    address = _address(line)
    if address is not None:
        return [Rule(ADDRESS, address)], False
    if line.startswith("*.") and "*" not in line[2:]:
        return [normalise(line[2:])], False  # plain format: the domain and its subdomains
    if _URL.search(line):
        raise NotDNS
    if "*" in line:
        rule, badfilter = _adblock(line, False)
        return [rule.target if rule.plain and not badfilter else rule], badfilter
    return [normalise(line)], False


def parse(
    lines: Iterable[str], progress: Callable[[int], None] | None = None, exceptions: bool = True
) -> ParsedList:
    """Read a list; `exceptions=False` for an illegal-content list, which accepts none."""
    result = ParsedList()
    cancelled: dict[Rule, tuple[int, str]] = {}  # $badfilter rules, with the line that gave them
    pattern_count = 0
    for number, raw in enumerate(lines, start=1):
        result.lines = number
        if progress is not None and number % 10_000 == 0:
            progress(number)
        line = raw.strip()
        if "#" in line:
            if _COSMETIC_LINE.match(line):
                result.not_dns += 1
                continue
            line = _COMMENT.sub("", line).strip()
        if not line or line.startswith(("!", "[")):
            continue
        if len(line) > MAX_LINE:
            result.problems.append(Problem(number, line[:80], "line-too-long"))
            continue
        try:
            found, badfilter = _rules_of_line(line, exceptions)
            if found and found[0].__class__ is Rule and found[0].kind == REGEX:  # type: ignore[union-attr]
                pattern_count += 1
                if pattern_count > patterns.MAX_PATTERNS:
                    raise BadName("too-many-patterns", limit=str(patterns.MAX_PATTERNS))
        except NotDNS:
            result.not_dns += 1
            continue
        except BadName as error:
            result.problems.append(Problem(number, line[:200], error.code, error.params))
            continue
        if badfilter:
            cancelled.update((rule, (number, line[:200])) for rule in found if isinstance(rule, Rule))
            continue
        for rule in found:
            if rule.__class__ is str:
                result.names.add(rule)  # type: ignore[arg-type]
            else:
                result.others.add(rule)  # type: ignore[arg-type]
    # $badfilter cancels the identical rule of this list only: another list's rules, and the
    # illegal-content lists above all, are out of its reach.
    for rule, (number, text) in cancelled.items():
        if rule.plain and rule.target in result.names:
            result.names.discard(rule.target)
        elif rule in result.others:
            result.others.discard(rule)
        else:
            result.problems.append(Problem(number, text, "badfilter-unmatched"))
    result.problems.sort(key=lambda problem: problem.line)
    if progress is not None:
        progress(result.lines)
    return result
