"""Disclosure control for every published count: which counts may be shown, and which must be withheld.

Every statistic the platform publishes (reports and responses, the family filter's preventive
counts, and any to come) goes through `protect`, so that the same rules hold everywhere:

1. Primary suppression: a count from 1 to `threshold() - 1` is withheld, totals included. Zero is
   shown: it says nothing about a person.
2. Complementary suppression: a withheld count must not be recoverable by subtraction. Every line
   of a table (a row, a column, the row of totals) adds up to its total, so in every line whose
   total is shown, at least two counts are withheld and together they reach the threshold (and are
   not all ones), so the difference between the total and what is shown hides them; where a line
   has no count left to withhold, its total is withheld instead, and that total is then protected
   in its own line. A withheld total hides at least one of its counts too, or it would be their sum.
3. Then an exact check: the published counts and totals of all the tables given together, as a
   system of linear equations, must not determine any withheld count (by any combination of sums
   and differences). Where one is determined, another count of its lines is withheld, and the
   rules run again.
4. Totals are computed here, from the same counts and withheld by the same rules, never by a page
   or a client: a published total includes the withheld counts and cannot reveal them.

Tables passed to one `protect` call describe one population (the same reports, say, by year,
country and risk, and by year, country and month): a total over the dimensions two tables do not
share is the same number in both ("reports in Kenya in 2026"), so it is one value, withheld in
both or in neither, and the check covers the tables together. Protect together every table that
is published about one population, including every slice a filter on a page can ask for: a
country's figures must come from the same protected table as everybody's, or subtracting one
from the other would undo the protection.

Withheld counts are all shown the same way ("withheld", null in the API), whether below the
threshold or withheld to protect another: telling them apart would narrow them down.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext

DEFAULT_THRESHOLD = 5
# Arithmetic for the exact check is done modulo this prime (2**61 - 1): the equations hold small
# integers, and a rank found modulo a prime this large is the rank over the rationals.
_PRIME = 2**61 - 1

# A coordinate: the dimensions a count is broken down by, with their categories; a dimension left
# out is summed over (a total). The grand total is the empty coordinate.
Coordinate = frozenset[tuple[str, str]]


def threshold() -> int:
    """The smallest count published (COP_STATS_MIN_COUNT, 5 unless set)."""
    value: int | None = getattr(settings, "STATS_MIN_COUNT", None)
    return value or DEFAULT_THRESHOLD


def note(minimum: int | None = None) -> str:
    """What a page or a file says under a table with withheld counts."""
    return gettext(
        "A count below %(threshold)s is withheld, and so is any other count or total that would let "
        "a withheld one be worked out by subtraction. Totals include the withheld counts."
    ) % {"threshold": minimum or threshold()}


@dataclass(frozen=True)
class Table:
    """Counts of one population broken down by `dimensions`: a key holds one category per dimension.

    `categories` may list categories with no count (they then publish a zero); by default a
    dimension's categories are those its keys use.
    """

    dimensions: tuple[str, ...]
    counts: Mapping[tuple[str, ...], int]
    categories: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if len(set(self.dimensions)) != len(self.dimensions) or not self.dimensions:
            raise ValueError("a table needs one or more dimensions, each named once")
        for key, count in self.counts.items():
            if len(key) != len(self.dimensions):
                raise ValueError(f"key {key!r} does not have one category per dimension {self.dimensions!r}")
            if count < 0:
                raise ValueError(f"count {count} of {key!r} is negative")

    def categories_of(self, dimension: str) -> list[str]:
        index = self.dimensions.index(dimension)
        given = list(self.categories.get(dimension, ()))
        return given + sorted({key[index] for key in self.counts} - set(given))


@dataclass(frozen=True)
class Protected:
    """A table as it may be published: each count and total, or None where it is withheld."""

    table: Table
    threshold: int
    _values: Mapping[Coordinate, int] = field(repr=False)
    _withheld: frozenset[Coordinate] = field(repr=False)

    def _coordinate(self, coordinates: Mapping[str, str]) -> Coordinate:
        unknown = set(coordinates) - set(self.table.dimensions)
        if unknown:
            raise ValueError(f"{sorted(unknown)} are not dimensions of {self.table.dimensions!r}")
        return frozenset(coordinates.items())

    def count(self, **coordinates: str) -> int | None:
        """The count for these categories, summed over the dimensions left out; None when withheld."""
        point = self._coordinate(coordinates)
        if point in self._withheld:
            return None
        return self._values.get(point, 0)

    def withheld(self, **coordinates: str) -> bool:
        return self._coordinate(coordinates) in self._withheld

    def categories(self, dimension: str) -> list[str]:
        return self.table.categories_of(dimension)


@dataclass
class _Line:
    total: Coordinate
    members: list[Coordinate]


def _lines(table: Table) -> Iterable[_Line]:
    """Every line of the table with its margins: along one dimension, the others fixed or summed over."""
    categories = {d: table.categories_of(d) for d in table.dimensions}
    for along in table.dimensions:
        others = [d for d in table.dimensions if d != along]
        # For each other dimension: one of its categories, or None for its total.
        for fixed in itertools.product(*[[*categories[d], None] for d in others]):
            base = {(d, c) for d, c in zip(others, fixed, strict=True) if c is not None}
            members = [frozenset(base | {(along, c)}) for c in categories[along]]
            if members:
                yield _Line(frozenset(base), members)


def _values(table: Table) -> dict[Coordinate, int]:
    values: dict[Coordinate, int] = {}
    for key, count in table.counts.items():
        pairs = list(zip(table.dimensions, key, strict=True))
        # Add the count to the cell and to every total above it.
        for size in range(len(pairs) + 1):
            for subset in itertools.combinations(pairs, size):
                point = frozenset(subset)
                values[point] = values.get(point, 0) + count
    return values


class _Problem:
    """The counts of all the linked tables, their lines, and what is withheld so far."""

    def __init__(self, tables: Sequence[Table], minimum: int) -> None:
        self.minimum = minimum
        self.values: dict[Coordinate, int] = {}
        for table in tables:
            for point, value in _values(table).items():
                if self.values.setdefault(point, value) != value:
                    raise ValueError(
                        f"the tables disagree on the count of {dict(point)!r}: they are not of one population"
                    )
        seen: set[tuple[Coordinate, tuple[Coordinate, ...]]] = set()
        self.lines: list[_Line] = []
        for table in tables:
            for line in _lines(table):
                signature = (line.total, tuple(sorted(line.members, key=sorted)))
                if signature not in seen:
                    seen.add(signature)
                    self.lines.append(line)
        self.withheld: set[Coordinate] = {p for p, v in self.values.items() if 0 < v < minimum}

    def value(self, point: Coordinate) -> int:
        return self.values.get(point, 0)

    def _smallest_shown(self, points: Iterable[Coordinate]) -> Coordinate | None:
        # The least informative count to give up; ties broken by name, so a result never changes
        # from one request to the next.
        candidates = [p for p in points if p not in self.withheld and self.value(p) > 0]
        if not candidates:
            return None
        return min(candidates, key=lambda p: (self.value(p), sorted(p)))

    def _repair(self, line: _Line) -> Coordinate | None:
        """What to withhold next so that this line reveals nothing, or None when it is safe."""
        hidden = [m for m in line.members if m in self.withheld]
        if line.total in self.withheld:
            # A withheld total must hide a count, or it would be the sum of the shown ones.
            if hidden or self.value(line.total) == 0:
                return None
            return self._smallest_shown(line.members)
        if not hidden:
            return None
        together = sum(self.value(m) for m in hidden)
        if len(hidden) >= 2 and together >= self.minimum and together > len(hidden):
            return None
        return self._smallest_shown(line.members) or line.total

    def settle_lines(self) -> None:
        changed = True
        while changed:
            changed = False
            for line in self.lines:
                more = self._repair(line)
                if more is not None:
                    self.withheld.add(more)
                    changed = True

    def determined(self) -> list[Coordinate]:
        """Withheld counts that the published ones determine exactly (any combination of lines)."""
        unknowns = sorted(self.withheld, key=sorted)
        column = {point: i for i, point in enumerate(unknowns)}
        rows: list[dict[int, int]] = []
        for line in self.lines:
            # total - sum(members) = 0, keeping only the withheld terms (the rest is known).
            row: dict[int, int] = {}
            for point, sign in [(line.total, 1), *((m, _PRIME - 1) for m in line.members)]:
                if point in column:
                    row[column[point]] = (row.get(column[point], 0) + sign) % _PRIME
            row = {c: v for c, v in row.items() if v}
            if row:
                rows.append(row)
        reduced = _reduce(rows)
        return [unknowns[next(iter(row))] for row in reduced if len(row) == 1]

    def hide_more_around(self, point: Coordinate) -> bool:
        """Withhold one more count near `point`: first on a line through it, else on any line that
        holds a withheld count (the combination that determines it runs through those). False when
        nothing is left to withhold."""
        through = [line for line in self.lines if point == line.total or point in line.members]
        touching = [
            line
            for line in self.lines
            if line.total in self.withheld or any(m in self.withheld for m in line.members)
        ]
        # A count rather than a total where possible: totals are what readers need most.
        for points in (
            [m for line in through for m in line.members],
            [m for line in touching for m in line.members],
            [line.total for line in through],
            [line.total for line in touching],
        ):
            more = self._smallest_shown(points)
            if more is not None:
                self.withheld.add(more)
                return True
        return False


def _reduce(rows: list[dict[int, int]]) -> list[dict[int, int]]:
    """Reduced row echelon form of sparse rows modulo _PRIME (each pivot alone in its column)."""
    pivots: dict[int, dict[int, int]] = {}  # pivot column -> its row, normalised to 1 there
    holders: dict[int, set[int]] = {}  # column -> the pivots whose rows hold it (besides their own)

    def subtract(target: dict[int, int], factor: int, source: dict[int, int], owner: int | None) -> None:
        for c, v in source.items():
            value = (target.get(c, 0) - factor * v) % _PRIME
            if value:
                target[c] = value
                if owner is not None and c != owner:
                    holders.setdefault(c, set()).add(owner)
            else:
                target.pop(c, None)
                if owner is not None:
                    holders.get(c, set()).discard(owner)

    # Pivoting on the unknowns that appear in the fewest equations keeps the rows short.
    uses: dict[int, int] = {}
    for row in rows:
        for c in row:
            uses[c] = uses.get(c, 0) + 1
    for row in rows:
        current = dict(row)
        # Pivot rows hold no other pivot column, so subtracting them brings in none.
        for col in [c for c in current if c in pivots]:
            factor = current.get(col)
            if factor:
                subtract(current, factor, pivots[col], None)
        if not current:
            continue
        col = min(current, key=lambda c: (uses[c], c))
        inverse = pow(current[col], _PRIME - 2, _PRIME)
        current = {c: v * inverse % _PRIME for c, v in current.items()}
        # Keep the earlier rows reduced against the new pivot.
        for other in list(holders.pop(col, set())):
            subtract(pivots[other], pivots[other][col], current, other)
        for c in current:
            if c != col:
                holders.setdefault(c, set()).add(col)
        pivots[col] = current
    return list(pivots.values())


def protect(*tables: Table, minimum: int | None = None) -> tuple[Protected, ...]:
    """The tables as they may be published, in the order given: see the module's rules.

    All the tables must describe one population; `minimum` defaults to `threshold()`.
    """
    if not tables:
        return ()
    least = minimum or threshold()
    if least < 2:
        raise ValueError("the threshold must be at least 2")
    problem = _Problem(tables, least)
    while True:
        problem.settle_lines()
        exposed = problem.determined()
        # One more withheld count at a time: each may protect several of the exposed ones.
        if not exposed or not problem.hide_more_around(exposed[0]):
            break
    withheld = frozenset(problem.withheld)
    return tuple(Protected(table, least, problem.values, withheld) for table in tables)


def protect_counts(
    counts: Mapping[str, int], minimum: int | None = None
) -> tuple[dict[str, int | None], int | None]:
    """A one-way table (counts by one dimension) and its total, as they may be published."""
    (protected,) = protect(Table(("key",), {(key,): n for key, n in counts.items()}), minimum=minimum)
    return {key: protected.count(key=key) for key in counts}, protected.count()
