"""Compiling the rules of every active list into the resolver's table (format: `table.py`).

The meaning to keep is `rules.py`'s: each list decides on its own (its exceptions reach only its
own blocks), a category blocks a name when any of its lists does, and an illegal-content list has
no exceptions. A table holds one mark per key, so the compiler works per category:

- A category whose lists have no exception and no `$denyallow` ("or" category) keeps the first
  design: a key is marked when a rule of the category names it, and a lookup ORs the marks of the
  name and its parents. `$important` means nothing without exceptions.
- Otherwise ("decided" category), let K be every key its rules name (blocks, exceptions,
  `$denyallow` names). For each k in K the compiler computes exactly f(k): whether some list of
  the category blocks k, and f(under k): whether it blocks a name under k that is under no
  other key of K. Every key of K that is a parent of a name is a parent of the most specific
  such key, so that key's answer is the answer for the name: the lookup stops at the first key
  that carries the category's "decides" bit.

Most keys are plain blocks (a name and its subdomains, no modifier) with no rule of the category
above them other than plain blocks: their answer is "blocked" without computing anything, so
they stream into the table. Only the rest (rules with modifiers, exceptions, and plain blocks
under them) are held in memory; a list is read up to three times instead of held whole.
Lists with wildcard or regular-expression rules also go to the table's extras
(`patterns.PatternList`); a table without them pays nothing for them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cop.filter.names import suffixes
from cop.filter.patterns import PatternList
from cop.filter.rules import ADDRESS, BELOW, EXACT, NAME, NAMED, REGEX, Rule, address_key, decide
from cop.filter.table import ANY_TYPE, DECIDES_SHIFT, Builder, TypeMarks, wire_key


@dataclass
class Source:
    """One list to compile: its category's bit and a way to read its rules (called once per pass)."""

    bit: int
    read: Callable[[], Iterable[Rule]]
    exceptions: bool = True  # False for an illegal-content list: exceptions are ignored
    size: int = 0  # rules in the list, to size the table (it grows if this is short)


@dataclass
class _List:
    """What the compiler holds of one list: its rules other than plain blocks, by key."""

    source: Source
    special: dict[str, list[Rule]] = field(default_factory=lambda: defaultdict(list))
    patterns: list[Rule] = field(default_factory=list)
    addresses: dict[str, list[Rule]] = field(default_factory=lambda: defaultdict(list))
    plain: set[str] = field(default_factory=set)  # plain blocks held: those a decision needs
    full_side: bool = False  # has a pattern exception: evaluated whole at lookup, not in the table

    def rules(self) -> Iterable[Rule]:
        read = self.source.read()
        if self.source.exceptions:
            return read
        return (rule for rule in read if not rule.exception)


def compile_lists(sources: list[Source], path: Path) -> int:
    """Write the table for these lists to `path`; returns its number of keys."""
    builder = Builder(sum(source.size for source in sources))
    side: list[dict[str, Any]] = []
    by_category: dict[int, list[Source]] = defaultdict(list)
    for source in sources:
        by_category[source.bit].append(source)
    for bit, members in sorted(by_category.items()):
        _Category(bit, [_List(source) for source in members], builder, side).compile()
    return builder.write(path, side)


class _Category:
    def __init__(self, bit: int, lists: list[_List], builder: Builder, side: list[dict[str, Any]]) -> None:
        self.bit = bit
        self.decides = bit << DECIDES_SHIFT
        self.lists = lists
        self.builder = builder
        self.side = side

    def compile(self) -> None:
        for entry in self.lists:
            self._collect(entry)
        table_lists = [entry for entry in self.lists if not entry.full_side]
        targets: set[str] = set()
        exact = False
        for entry in table_lists:
            for target, found in entry.special.items():
                targets.add(target)
                for rule in found:
                    targets.update(rule.denyallow)
                    exact = exact or rule.exception or bool(rule.denyallow)
        held = self._stream_plain(table_lists, targets if exact else None)
        if exact:
            self._hold_plain(table_lists, targets | held)
            self._decide(table_lists, targets | held)
        else:
            self._or_marks(table_lists)
        self._addresses()
        self._patterns()

    # -- reading ------------------------------------------------------------------------------
    def _collect(self, entry: _List) -> None:
        """First pass: everything but plain blocks and addresses without modifiers."""
        for rule in entry.rules():
            if rule.plain:
                continue
            if rule.kind == ADDRESS:
                entry.addresses[rule.target].append(rule)
            elif rule.kind == REGEX:
                entry.patterns.append(rule)
                entry.full_side = entry.full_side or rule.exception
            elif rule.kind in NAMED:
                entry.special[rule.target].append(rule)
        if entry.full_side:
            entry.special.clear()  # read again whole in `_patterns`

    def _stream_plain(self, lists: list[_List], targets: set[str] | None) -> set[str]:
        """Second pass: plain blocks go to the table, except (for a decided category) those under
        a key of another rule, whose answer must be computed; those are returned."""
        marks = self.bit | (self.decides if targets is not None else 0)
        held: set[str] = set()
        add = self.builder.add
        for entry in lists:
            for rule in entry.rules():
                if not rule.plain:
                    continue
                if targets and any(parent in targets for parent in suffixes(rule.target)):
                    held.add(rule.target)
                else:
                    add(wire_key(rule.target), marks)
        return held

    def _hold_plain(self, lists: list[_List], keys: set[str]) -> None:
        """Third pass: which list blocks plainly each parent of the keys to compute."""
        parents = {parent for key in keys for parent in suffixes(key)}
        for entry in lists:
            for rule in entry.rules():
                if rule.plain and rule.target in parents:
                    entry.plain.add(rule.target)

    # -- "or" categories ----------------------------------------------------------------------
    def _or_marks(self, lists: list[_List]) -> None:
        """Each key is marked by its own rules (exact, subdomains only, typed); the lookup ORs."""
        by_key: dict[str, list[Rule]] = defaultdict(list)
        for entry in lists:
            for target, found in entry.special.items():
                by_key[target].extend(found)
        for target, found in by_key.items():
            at = self._type_marks(found, lambda rule: rule.kind != BELOW)
            below = self._type_marks(found, lambda rule: rule.kind != EXACT)
            self._store(target, at, below)

    def _type_marks(self, found: list[Rule], applies: Callable[[Rule], bool]) -> TypeMarks:
        types = {t for rule in found for t in (*rule.dnstypes, *rule.not_dnstypes)}
        bit = self.bit

        def marks(qtype: int) -> int:
            return bit if any(applies(rule) and rule.for_type(qtype) for rule in found) else 0

        return marks(ANY_TYPE), {t: marks(t) for t in types}

    # -- "decided" categories -----------------------------------------------------------------
    def _decide(self, lists: list[_List], keys: set[str]) -> None:
        for key in keys:
            parents = suffixes(key)
            types = {
                t
                for entry in lists
                for parent in parents
                for rule in entry.special.get(parent, ())
                for t in (*rule.dnstypes, *rule.not_dnstypes)
            }
            at = self._decision(lists, key, parents, types, exact=True)
            below = self._decision(lists, key, parents, types, exact=False)
            self._store(key, at, below)

    def _decision(
        self, lists: list[_List], key: str, parents: list[str], types: set[int], exact: bool
    ) -> TypeMarks:
        """f for the name `key` itself (`exact`), or for a name under it and under no other key."""

        def marks(qtype: int) -> int:
            for entry in lists:
                matching: list[Rule] = []
                for parent in parents:
                    if parent in entry.plain:
                        matching.append(Rule(NAME, parent))
                    for rule in entry.special.get(parent, ()):
                        if rule.kind == EXACT and not (exact and parent == key):
                            continue
                        if rule.kind == BELOW and exact and parent == key:
                            continue
                        # A $denyallow name that covers the name is one of its parents (it is a key).
                        if rule.for_type(qtype) and not any(d in parents for d in rule.denyallow):
                            matching.append(rule)
                if decide(matching):
                    return self.bit | self.decides
            return self.decides

        return marks(ANY_TYPE), {t: marks(t) for t in types}

    def _store(self, target: str, at: TypeMarks, below: TypeMarks) -> None:
        key = wire_key(target)
        if at == below and all(value == at[0] for value in at[1].values()):
            self.builder.add(key, at[0])
        else:
            self.builder.add_special(key, at, below)

    # -- addresses and patterns ---------------------------------------------------------------
    def _addresses(self) -> None:
        """Address rules have no parents: each address is decided by its own rules, list by list."""
        by_address: dict[str, list[list[Rule]]] = defaultdict(list)
        for entry in self.lists:
            for address, found in entry.addresses.items():
                by_address[address].append(found)
        for address, per_list in by_address.items():
            if any(decide(found) for found in per_list):
                self.builder.add(address_key(address), self.bit)
                self.builder.addresses = True

    def _patterns(self) -> None:
        for entry in self.lists:
            if not entry.patterns:
                continue
            if entry.full_side:
                names: dict[str, list[Rule]] = defaultdict(list)
                for rule in entry.rules():
                    if rule.kind in NAMED:
                        names[rule.target].append(rule)
            else:
                names = {
                    target: kept
                    for target, found in entry.special.items()
                    if (kept := [rule for rule in found if rule.exception or rule.important])
                }
            keyed = {wire_key(target): found for target, found in names.items()}
            self.side.append(PatternList.dump(self.bit, entry.full_side, keyed, entry.patterns))
