"""The expression language: reading, XPath's conversions and comparisons, functions, refusals."""

from __future__ import annotations

import datetime
import math
from typing import Any

import pytest

from cop.survey import xpath
from cop.survey.xpath import Compiler, Context, ExpressionError, Target

TARGETS = {
    "age": Target("integer"),
    "share": Target("decimal"),
    "name": Target("text"),
    "when": Target("date"),
    "pick": Target("select_one", choices=[{"name": "a", "label": {"en": "Apple", "fr": "Pomme"}}]),
    "picks": Target("select_multiple"),
    "page": Target("group"),
    "items": Target("repeat"),
    "item": Target("text", repeat="items"),
    "cost": Target("decimal", repeat="items"),
}


def evaluate(text: str, answers: dict[str, Any] | None = None, **context: Any) -> Any:
    compiled = xpath.compile_expression(text, Compiler(resolve=TARGETS.get, repeat=context.pop("repeat", "")))
    return compiled(Context(answers or {}, today=datetime.date(2026, 3, 31), **context))


@pytest.mark.parametrize(
    ("text", "answers", "expected"),
    [
        ("${age} > 5", {"age": 6}, True),
        ("${age} > 5", {}, False),  # an empty answer is NaN as a number
        ("${age} = ''", {}, True),  # and the empty string as a string
        ("${age} != 5", {}, True),
        ("${age} = '7'", {"age": 7}, True),  # a node against a string compares as strings
        ("${share} = 0.5", {"share": 0.5}, True),
        ("${name} = 'x' or ${name} = 'y'", {"name": "y"}, True),
        ("1 + 2 * 3 - 4 div 2 mod 3", {}, 5.0),
        ("-${age} + 1", {"age": 3}, -2.0),
        ("(1 + 2) * 3", {}, 9.0),
        ("0 and 1 or 1", {}, True),  # and binds tighter than or
        ("1 or 1 and 0", {}, True),
        ("1 + 2 = 3 and 2 < 3", {}, True),
        ("3 > 2 = 1", {}, True),  # (3 > 2) = 1: relational binds tighter than equality
        ("2 - 1 - 1", {}, 0.0),  # operators of one level associate to the left
        ("8 div 2 div 2", {}, 2.0),
        ("-2 * -2", {}, 4.0),
        ("5 mod -3", {}, 2.0),
        ("-5 mod 3", {}, -2.0),
        ("1 = true()", {}, True),  # with a boolean, both sides are booleans
        ("'' = false()", {}, True),
        ("'abc' < 'abd'", {}, False),  # strings compare as numbers under <: NaN
        ("${when} < today()", {"when": "2026-03-30"}, True),  # dates count as days
        ("${when} = today()", {"when": "2026-03-31"}, True),
        ("number('2026-01-02') - number('2026-01-01')", {}, 1.0),
        ("selected(${picks}, 'b')", {"picks": ["a", "b"]}, True),
        ("selected(${picks}, 'c')", {"picks": ["a", "b"]}, False),
        ("count-selected(${picks})", {"picks": ["a", "b"]}, 2.0),
        ("selected-at(${picks}, 1)", {"picks": ["a", "b"]}, "b"),
        ("string-length(${name})", {"name": "Kenya"}, 5.0),
        ("string-length(.)", {}, 3.0),
        ("if(${age} >= 18, 'adult', 'child')", {"age": 12}, "child"),
        ("coalesce(${age}, 0)", {}, "0"),
        ("concat('a', 1.50, true(), ${age})", {"age": 3}, "a1.5true3"),
        ("regex(${name}, '^[A-Z]')", {"name": "Kenya"}, True),
        ("regex(${name}, '^[A-Z]')", {"name": "kenya"}, False),
        ("regex('x', '(')", {}, False),  # a broken pattern matches nothing
        ("round(2.5)", {}, 3.0),
        ("round(-2.5)", {}, -2.0),
        ("round(3.14159, 2)", {}, 3.14),
        ("int(-2.7)", {}, -2.0),
        ("number('  12.5 ')", {}, 12.5),
        ("number('1e3')", {}, math.nan),
        ("floor(2.5) + ceiling(2.5) + abs(-1)", {}, 6.0),
        ("contains('abc', 'b') and starts-with('abc', 'a') and ends-with('abc', 'c')", {}, True),
        ("substr('abcdef', 1, 3)", {}, "bc"),
        ("normalize-space('  a   b ')", {}, "a b"),
        ("1 div 0", {}, math.inf),
        ("-1 div 0", {}, -math.inf),
        ("0 div 0", {}, math.nan),
        ("string(1 div 0)", {}, "Infinity"),
        ("string(0.1 + 0.2)", {}, "0.30000000000000004"),
        ("string(1000000)", {}, "1000000"),
        ("today()", {}, "2026-03-31"),
        ("format-date(today(), '%Y')", {}, "2026"),
        ("format-date(today(), '%e/%n/%y %d.%m %%')", {}, "31/3/26 31.03 %%"),
        ("format-date(${name}, '%Y')", {}, ""),  # no date, no year
        ("format-date(today(), '%Y') >= 2026", {}, True),  # the shipped survey's year, compared as a number
        ("not(${age})", {}, False),  # a reference is a node-set of one node, so true even when empty
        ("boolean(${name} = '')", {}, True),
        ("min(3, 1, 2) + max(3, 1, 2)", {}, 4.0),
        ("jr:choice-name(${pick}, '${pick}')", {"pick": "a"}, "Apple"),
        ("count(${items})", {"items": [{"item": "x"}, {"item": "y"}]}, 2.0),
        ("sum(${cost})", {"items": [{"cost": 1.5}, {"cost": 2}, {}]}, math.nan),
        ("sum(${cost})", {"items": [{"cost": 1.5}, {"cost": 2}]}, 3.5),
        ("${item} = 'y'", {"items": [{"item": "x"}, {"item": "y"}]}, True),  # any entry, from outside
    ],
)
def test_expressions_evaluate_as_xpath_and_odk_do(text: str, answers: dict[str, Any], expected: Any) -> None:
    value = evaluate(text, answers, current="abc")
    if isinstance(expected, float) and math.isnan(expected):
        assert isinstance(value, float) and math.isnan(value)
    else:
        assert value == expected
        assert type(value) is type(expected)


def test_inside_a_repeat_a_reference_reads_the_same_entry_and_position_gives_its_number() -> None:
    answers = {"items": [{"item": "x", "cost": 1}, {"item": "y", "cost": 5}]}
    entry = answers["items"][1]
    assert evaluate("${cost} > 2", answers, repeat="items", entry=entry, number=2) is True
    assert evaluate("position(..)", answers, repeat="items", entry=entry, number=2) == 2.0
    assert (
        evaluate("concat(${item}, ${age})", {**answers, "age": 9}, repeat="items", entry=entry, number=2)
        == "y9"
    )


def test_choice_filters_read_the_choice_s_columns_by_bare_name() -> None:
    compiler = Compiler(resolve=TARGETS.get, choice_columns=frozenset({"name", "region"}))
    compiled = xpath.compile_expression("region = ${name}", compiler)
    assert compiled(Context({"name": "north"}, choice={"name": "x", "region": "north"})) is True
    assert compiled(Context({"name": "north"}, choice={"name": "y", "region": "south"})) is False


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "empty"),
        ("1 +", "ends too early"),
        ("(1 + 2", "missing at the end"),
        ("1 2", "Unexpected “2” at character 3"),
        ("${age} | 1", "character 8"),
        ("${nobody} = 1", "${nobody} refers to no question"),
        ("${page} = 1", "is a group"),
        ("age = 1", "refer to a question as ${age}"),
        ("shout('x')", "shout() is not one the platform knows"),
        ("if(1, 2)", "if() takes 3 arguments, not 2"),
        ("count(1)", "count() takes a reference"),
        ("position(..)", "only inside a repeat"),
        ("jr:choice-name(${age}, '${age}')", "needs a select question"),
        ("${not a name}", "is not a reference"),
        ("'unclosed", "Cannot read"),
        ("..", "only understood as position(..)"),
    ],
)
def test_an_expression_that_cannot_be_used_is_refused_with_what_is_wrong(text: str, says: str) -> None:
    with pytest.raises(ExpressionError) as refused:
        xpath.compile_expression(text, Compiler(resolve=TARGETS.get))
    assert says in refused.value.text()


def test_a_column_a_choice_list_lacks_is_refused_in_a_choice_filter() -> None:
    with pytest.raises(ExpressionError, match="no column “zone”"):
        xpath.compile_expression(
            "zone = 'x'", Compiler(resolve=TARGETS.get, choice_columns=frozenset({"name"}))
        )


def test_references_lists_every_name_an_expression_uses() -> None:
    tree = xpath.parse("if(${a} > 1, jr:choice-name(${b}, '${c}'), concat(${d}, .))")
    assert xpath.references(tree) == {"a", "b", "c", "d"}


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        ("x", "x"),
        (3, "3"),
        (2.5, "2.5"),
        (2.0, "2"),
        (["a", "b"], "a b"),
        (True, "true"),
        ({}, ""),
    ],
)
def test_answers_read_as_the_text_of_their_node(value: Any, text: str) -> None:
    assert xpath.answer_text(value) == text
