"""Disclosure control: no withheld count can be worked out from what is published (cop/core/disclosure.py)."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from fractions import Fraction

import pytest
from django.test import override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from cop.core import disclosure
from cop.core.disclosure import Protected, Table

Point = frozenset[tuple[str, str]]


def published(protected: Protected) -> tuple[dict[Point, int], set[Point], dict[Point, int]]:
    """What a reader gets (every count and total shown), what is withheld, and the true values,
    worked out here from the table's own counts, not from the module."""
    table = protected.table
    categories = {d: table.categories_of(d) for d in table.dimensions}
    truth: dict[Point, int] = {}
    shown: dict[Point, int] = {}
    withheld: set[Point] = set()
    for choice in itertools.product(*[[*categories[d], None] for d in table.dimensions]):
        coordinates = {d: c for d, c in zip(table.dimensions, choice, strict=True) if c is not None}
        point = frozenset(coordinates.items())
        truth[point] = sum(
            n
            for key, n in table.counts.items()
            if all(key[table.dimensions.index(d)] == c for d, c in coordinates.items())
        )
        value = protected.count(**coordinates)
        if value is None:
            withheld.add(point)
        else:
            shown[point] = value
    return shown, withheld, truth


def lines(table: Table) -> list[tuple[Point, list[Point]]]:
    """Every line of the table with its margins: a total and the counts it adds up."""
    categories = {d: table.categories_of(d) for d in table.dimensions}
    found = []
    for along in table.dimensions:
        others = [d for d in table.dimensions if d != along]
        for fixed in itertools.product(*[[*categories[d], None] for d in others]):
            base = {(d, c) for d, c in zip(others, fixed, strict=True) if c is not None}
            found.append((frozenset(base), [frozenset(base | {(along, c)}) for c in categories[along]]))
    return found


def rank(rows: list[list[Fraction]]) -> int:
    matrix = [row[:] for row in rows]
    rank_found = 0
    columns = len(matrix[0]) if matrix else 0
    for col in range(columns):
        pivot = next((r for r in range(rank_found, len(matrix)) if matrix[r][col] != 0), None)
        if pivot is None:
            continue
        matrix[rank_found], matrix[pivot] = matrix[pivot], matrix[rank_found]
        for r in range(len(matrix)):
            if r != rank_found and matrix[r][col] != 0:
                factor = matrix[r][col] / matrix[rank_found][col]
                matrix[r] = [a - factor * b for a, b in zip(matrix[r], matrix[rank_found], strict=True)]
        rank_found += 1
    return rank_found


def assert_nothing_recoverable(tables: list[Protected], minimum: int) -> None:
    shown: dict[Point, int] = {}
    withheld: set[Point] = set()
    truth: dict[Point, int] = {}
    all_lines = []
    for protected in tables:
        s, w, t = published(protected)
        shown.update(s)
        withheld |= w
        truth.update(t)
        all_lines += lines(protected.table)
    assert not withheld & set(shown), "a count is shown in one table and withheld in another"
    for point, value in shown.items():
        assert value == truth[point]
        assert value == 0 or value >= minimum, f"{dict(point)} = {value} is below the threshold"
    for total, members in all_lines:
        hidden = [m for m in members if m in withheld]
        if total in withheld:
            # Otherwise the total is the sum of what is shown.
            assert hidden, f"total {dict(total)} is the sum of its shown counts"
            continue
        # Total minus the others: one withheld count in a line with a shown total is recovered.
        assert len(hidden) != 1, f"{dict(hidden[0])} = total {dict(total)} minus the others"
        if hidden:
            together = sum(truth[m] for m in hidden)
            # Each withheld count is at least 1 (zeros are shown): all ones would be recovered.
            assert together > len(hidden) and together >= minimum
    # Any combination of lines: a withheld count is determined when its unit vector lies in the
    # span of the equations restricted to the withheld counts.
    unknowns = sorted(withheld, key=sorted)
    if not unknowns:
        return
    index = {p: i for i, p in enumerate(unknowns)}
    equations = []
    for total, members in all_lines:
        row = [Fraction(0)] * len(unknowns)
        for point, sign in [(total, 1), *((m, -1) for m in members)]:
            if point in index:
                row[index[point]] += sign
        if any(row):
            equations.append(row)
    base = rank(equations) if equations else 0
    for point, i in index.items():
        unit = [Fraction(int(j == i)) for j in range(len(unknowns))]
        assert rank([*equations, unit]) > base, f"{dict(point)} is determined by the published counts"


# Many zeros and small counts, as real tables of rare events have.
counts = st.one_of(st.sampled_from([0, 0, 1, 2, 3, 5, 8, 13, 20]), st.integers(0, 40))


@st.composite
def tables(draw: st.DrawFn) -> Table:
    dimensions = ("a", "b", "c")[: draw(st.integers(1, 3))]
    sizes = [draw(st.integers(1, 4 if len(dimensions) < 3 else 3)) for _ in dimensions]
    keys = itertools.product(*[[f"{d}{i}" for i in range(n)] for d, n in zip(dimensions, sizes, strict=True)])
    return Table(dimensions, {key: draw(counts) for key in keys})


@settings(max_examples=100, deadline=None)
@given(tables(), st.integers(2, 6))
def test_no_withheld_count_of_a_random_table_can_be_worked_out(table: Table, minimum: int) -> None:
    (protected,) = disclosure.protect(table, minimum=minimum)
    assert_nothing_recoverable([protected], minimum)


@st.composite
def linked_tables(draw: st.DrawFn) -> tuple[Table, Table]:
    # One population broken down twice: by (year, country) and by (year, risk), as the statistics do.
    people = draw(
        st.lists(
            st.tuples(st.sampled_from("XY"), st.sampled_from("KFG"), st.sampled_from("pqr")), max_size=40
        )
    )
    by_country: dict[tuple[str, ...], int] = {}
    by_risk: dict[tuple[str, ...], int] = {}
    for year, country, risk in people:
        by_country[(year, country)] = by_country.get((year, country), 0) + 1
        by_risk[(year, risk)] = by_risk.get((year, risk), 0) + 1
    return Table(("year", "country"), by_country), Table(("year", "risk"), by_risk)


@settings(max_examples=40, deadline=None)
@given(linked_tables())
def test_tables_of_one_population_are_protected_together(pair: tuple[Table, Table]) -> None:
    protected = disclosure.protect(*pair, minimum=3)
    assert_nothing_recoverable(list(protected), 3)


@override_settings(STATS_MIN_COUNT=5)
def test_the_example_of_the_issue_total_22_kenya_21_france_fewer_than_5() -> None:
    # The same 22 reports by month and by country: the month's 22 is the total of the countries.
    by_month = Table(("month",), {("2026-11",): 22})
    by_country = Table(("country",), {("KE",): 21, ("FR",): 1})
    months, countries = disclosure.protect(by_month, by_country)
    assert (months.count(month="2026-11"), months.count(), countries.count()) == (22, 22, 22)
    # France alone would be 22 - 21 = 1: Kenya is withheld with it, and neither can be worked out.
    assert (countries.count(country="FR"), countries.count(country="KE")) == (None, None)
    assert_nothing_recoverable([months, countries], 5)


def test_a_table_whose_total_is_small_withholds_the_total_too() -> None:
    values, total = disclosure.protect_counts({"KE": 2, "FR": 1}, minimum=5)
    assert (values, total) == ({"KE": None, "FR": None}, None)


def test_a_line_with_nothing_left_to_withhold_withholds_its_total() -> None:
    # Row r0 has one count besides zeros: withholding it needs its total withheld, and then
    # another count of the column of totals, so that the row total cannot be recovered either.
    table = Table(("row", "col"), {("r0", "c0"): 2, ("r0", "c1"): 0, ("r1", "c0"): 9, ("r1", "c1"): 8})
    (protected,) = disclosure.protect(table, minimum=5)
    assert protected.withheld(row="r0", col="c0") and protected.withheld(row="r0")
    assert protected.count(col="c1") == 8
    assert_nothing_recoverable([protected], 5)


def test_the_exact_check_withholds_what_the_line_rules_alone_would_leave_recoverable() -> None:
    # Found by search: after the line rules, the count at (a0, b3) could still be worked out from a
    # combination of rows and columns (it joins two groups of withheld counts on its own).
    rows = [[3, 0, 20, 3], [0, 14, 20, 3], [5, 0, 19, 0]]
    table = Table(
        ("a", "b"), {(f"a{i}", f"b{j}"): n for i, row in enumerate(rows) for j, n in enumerate(row)}
    )
    (protected,) = disclosure.protect(table, minimum=5)
    assert_nothing_recoverable([protected], 5)


def test_zero_is_shown_and_large_counts_stay_when_nothing_needs_protecting() -> None:
    values, total = disclosure.protect_counts({"a": 0, "b": 7, "c": 12}, minimum=5)
    assert (values, total) == ({"a": 0, "b": 7, "c": 12}, 19)


@override_settings(STATS_MIN_COUNT=None)
def test_the_threshold_comes_from_the_settings_and_defaults_to_5() -> None:
    assert disclosure.threshold() == 5
    with override_settings(STATS_MIN_COUNT=8):
        assert disclosure.threshold() == 8
        assert "below 8" in disclosure.note()


def test_bad_tables_are_refused_with_a_reason() -> None:
    cases: list[tuple[Mapping[tuple[str, ...], int], str]] = [
        ({("x",): -1}, "negative"),
        ({("x", "y"): 1}, "one category per dimension"),
    ]
    for counts_given, reason in cases:
        with pytest.raises(ValueError, match=reason):
            Table(("d",), counts_given)
    with pytest.raises(ValueError, match="not of one population"):
        disclosure.protect(Table(("d",), {("x",): 3}), Table(("e",), {("y",): 4}))
    with pytest.raises(ValueError, match="at least 2"):
        disclosure.protect(Table(("d",), {("x",): 3}), minimum=1)
    with pytest.raises(ValueError, match="not dimensions"):
        disclosure.protect(Table(("d",), {("x",): 3}))[0].count(e="x")
