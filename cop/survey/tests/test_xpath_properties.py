"""Generated expressions and answers: the compiled closures agree with a plain interpreter written here.

The interpreter below walks the expression's tree on every evaluation and follows XPath 1.0 (and ODK's
reading of dates) as written in the specification, independently of cop/survey/xpath.py. Each
expression is written out twice, fully bracketed and with as few brackets as precedence allows, so
the reader's precedence is tested as well as the evaluation.
"""

from __future__ import annotations

import datetime
import decimal
import math
import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from cop.survey import xpath
from cop.survey.xpath import Compiler, Context, Target

TODAY = datetime.date(2026, 3, 31)
KINDS = {"n": "integer", "x": "decimal", "t": "text", "d": "date", "s": "select_one", "m": "select_multiple"}
TARGETS = {name: Target(kind) for name, kind in KINDS.items()}
WORDS = ["", "a", "b", "ab", "0", "1", "2.5", "-3", " 4 ", "2026-03-01", "x y"]

# The test's own tree: ("num", v) ("str", s) ("ref", name) ("cur",) ("neg", e) ("op", op, l, r)
# ("fn", name, args).
Tree = tuple[Any, ...]
COMPARISONS = ["=", "!=", "<", "<=", ">", ">="]
ARITHMETIC = ["+", "-", "*", "div", "mod"]
PRECEDENCE = {"or": 1, "and": 2, "=": 3, "!=": 3, "<": 4, "<=": 4, ">": 4, ">=": 4, "+": 5, "-": 5}
PRECEDENCE.update({"*": 6, "div": 6, "mod": 6})
FUNCTIONS = {
    "not": 1, "if": 3, "coalesce": 2, "concat": 2, "selected": 2, "count-selected": 1, "string-length": 1,
    "number": 1, "int": 1, "round": 1, "contains": 2, "starts-with": 2, "string": 1, "boolean": 1,
}  # fmt: skip

leaves = st.one_of(
    st.builds(lambda v: ("num", float(v)), st.sampled_from([0, 1, 2, 3, 0.5, 10, 2026])),
    st.builds(lambda s: ("str", s), st.sampled_from(WORDS)),
    st.builds(lambda n: ("ref", n), st.sampled_from(sorted(KINDS))),
    st.just(("cur",)),
)


def _extend(children: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    return st.one_of(
        st.builds(lambda e: ("neg", e), children),
        st.builds(lambda o, a, b: ("op", o, a, b), st.sampled_from(sorted(PRECEDENCE)), children, children),
        st.sampled_from(sorted(FUNCTIONS)).flatmap(
            lambda name: st.builds(
                lambda args: ("fn", name, tuple(args)),
                st.lists(children, min_size=FUNCTIONS[name], max_size=FUNCTIONS[name]),
            )
        ),
    )


trees = st.recursive(leaves, _extend, max_leaves=12)


def _answer(kind: str) -> st.SearchStrategy[Any]:
    empty = st.none()
    if kind == "integer":
        return st.one_of(empty, st.integers(-5, 2030))
    if kind == "decimal":
        return st.one_of(empty, st.sampled_from([0.5, -1.25, 2.0, 1e-7, 3.0e20]), st.integers(-3, 3))
    if kind == "text":
        return st.one_of(empty, st.sampled_from(WORDS))
    if kind == "date":
        return st.one_of(empty, st.dates(datetime.date(1990, 1, 1), datetime.date(2030, 12, 31)).map(str))
    if kind == "select_one":
        return st.one_of(empty, st.sampled_from(["a", "b", "0"]))
    return st.one_of(empty, st.lists(st.sampled_from(["a", "b", "0"]), unique=True))


answers = st.fixed_dictionaries({name: _answer(kind) for name, kind in KINDS.items()})
current = st.one_of(st.none(), st.sampled_from(WORDS), st.integers(-2, 5))


# Writing the tree out -----------------------------------------------------------------------


def _literal(tree: Tree) -> str:
    if tree[0] == "num":
        value = tree[1]
        return str(int(value)) if value == int(value) else repr(value)
    return f"'{tree[1]}'"


def bracketed(tree: Tree) -> str:
    kind = tree[0]
    if kind in ("num", "str"):
        return _literal(tree)
    if kind == "ref":
        return "${" + str(tree[1]) + "}"
    if kind == "cur":
        return "."
    if kind == "neg":
        return f"-({bracketed(tree[1])})"
    if kind == "op":
        return f"({bracketed(tree[2])}) {tree[1]} ({bracketed(tree[3])})"
    return f"{tree[1]}({', '.join(bracketed(arg) for arg in tree[2])})"


def minimal(tree: Tree) -> str:
    """Brackets only where precedence needs them: operators of one level associate to the left."""
    kind = tree[0]
    if kind == "neg":
        inner = tree[1]
        text = minimal(inner)
        return f"-({text})" if inner[0] == "op" else f"-{text}"
    if kind == "op":
        level = PRECEDENCE[tree[1]]
        left, right = tree[2], tree[3]
        left_text, right_text = minimal(left), minimal(right)
        if left[0] == "op" and PRECEDENCE[left[1]] < level:
            left_text = f"({left_text})"
        if right[0] == "op" and PRECEDENCE[right[1]] <= level:
            right_text = f"({right_text})"
        return f"{left_text} {tree[1]} {right_text}"
    if kind == "fn":
        return f"{tree[1]}({', '.join(minimal(arg) for arg in tree[2])})"
    return bracketed(tree)


# The plain interpreter ----------------------------------------------------------------------


class Nodes(tuple):  # type: ignore[type-arg]
    """A node-set: the texts of its nodes."""


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return " ".join(value)
    if isinstance(value, float):
        return number_string(value)
    return str(value)


def number_string(n: float) -> str:
    if math.isnan(n):
        return "NaN"
    if math.isinf(n):
        return "Infinity" if n > 0 else "-Infinity"
    if n == int(n) and abs(n) < 1e16:
        return str(int(n))
    written = format(decimal.Decimal(repr(n)), "f")
    return written.rstrip("0").rstrip(".") if "." in written else written


def string(v: Any) -> str:
    if isinstance(v, Nodes):
        return v[0] if v else ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float):
        return number_string(v)
    return str(v)


def number(v: Any) -> float:
    if isinstance(v, bool):
        return 1.0 if v else 0.0
    if isinstance(v, float):
        return v
    s = string(v).strip()
    if re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", s):
        return float(s)
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        try:
            return float((datetime.date.fromisoformat(s) - datetime.date(1970, 1, 1)).days)
        except ValueError:
            return math.nan
    return math.nan


def boolean(v: Any) -> bool:
    if isinstance(v, Nodes):
        return len(v) > 0
    if isinstance(v, bool):
        return v
    if isinstance(v, float):
        return not math.isnan(v) and v != 0
    return bool(v != "")


def compare_values(op: str, a: Any, b: Any) -> bool:
    if isinstance(a, Nodes):
        if isinstance(b, bool):
            return compare_values(op, boolean(a), b)
        return any(compare_values(op, x, b) for x in a)
    if isinstance(b, Nodes):
        if isinstance(a, bool):
            return compare_values(op, a, boolean(b))
        return any(compare_values(op, a, y) for y in b)
    if op in ("=", "!="):
        if isinstance(a, bool) or isinstance(b, bool):
            equal = boolean(a) == boolean(b)
        elif isinstance(a, float) or isinstance(b, float):
            equal = number(a) == number(b)
        else:
            equal = a == b
        return equal if op == "=" else not equal
    x, y = number(a), number(b)
    return {"<": x < y, "<=": x <= y, ">": x > y, ">=": x >= y}[op]


def arithmetic(op: str, x: float, y: float) -> float:
    if op == "+":
        return x + y
    if op == "-":
        return x - y
    if op == "*":
        return x * y
    if op == "div":
        if y == 0 or math.isnan(y):
            if math.isnan(x) or math.isnan(y) or x == 0:
                return math.nan
            return math.inf if (x > 0) == (math.copysign(1, y) > 0) else -math.inf
        return x / y
    if y == 0 or math.isnan(x) or math.isnan(y) or math.isinf(x):
        return math.nan
    return math.fmod(x, y)


def interpret(tree: Tree, answers: dict[str, Any], current: Any) -> Any:
    kind = tree[0]
    if kind == "num":
        return float(tree[1])
    if kind == "str":
        return tree[1]
    if kind == "ref":
        return Nodes((text_of(answers.get(tree[1])),))
    if kind == "cur":
        return Nodes((text_of(current),))
    if kind == "neg":
        return -number(interpret(tree[1], answers, current))
    if kind == "op":
        op = tree[1]
        if op == "and":
            return boolean(interpret(tree[2], answers, current)) and boolean(
                interpret(tree[3], answers, current)
            )
        if op == "or":
            return boolean(interpret(tree[2], answers, current)) or boolean(
                interpret(tree[3], answers, current)
            )
        a, b = interpret(tree[2], answers, current), interpret(tree[3], answers, current)
        if op in COMPARISONS:
            return compare_values(op, a, b)
        return arithmetic(op, number(a), number(b))
    name, args = tree[1], tree[2]
    if name == "if":
        chosen = args[1] if boolean(interpret(args[0], answers, current)) else args[2]
        return interpret(chosen, answers, current)
    v = [interpret(arg, answers, current) for arg in args]
    if name == "not":
        return not boolean(v[0])
    if name == "boolean":
        return boolean(v[0])
    if name == "string":
        return string(v[0])
    if name == "coalesce":
        return string(v[0]) if string(v[0]) != "" else string(v[1])
    if name == "concat":
        return "".join(string(x) for x in v)
    if name == "selected":
        return string(v[1]).strip() in string(v[0]).split()
    if name == "count-selected":
        return float(len(string(v[0]).split()))
    if name == "string-length":
        return float(len(string(v[0])))
    if name == "number":
        return number(v[0])
    if name == "int":
        n = number(v[0])
        return n if math.isnan(n) or math.isinf(n) else float(math.trunc(n))
    if name == "round":
        n = number(v[0])
        return n if math.isnan(n) or math.isinf(n) else float(math.floor(n + 0.5))
    if name == "contains":
        return string(v[1]) in string(v[0])
    assert name == "starts-with"
    return string(v[0]).startswith(string(v[1]))


def same(a: Any, b: Any) -> bool:
    a, b = (tuple(a) if isinstance(a, Nodes) else a), (tuple(b) if isinstance(b, Nodes) else b)
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


@settings(max_examples=600, deadline=None)
@given(tree=trees, values=answers, dot=current)
def test_compiled_expressions_agree_with_the_plain_interpreter(
    tree: Tree, values: dict[str, Any], dot: Any
) -> None:
    expected = interpret(tree, values, dot)
    for text in (bracketed(tree), minimal(tree)):
        compiled = xpath.compile_expression(text, Compiler(resolve=TARGETS.get))
        got = compiled(Context(values, current=dot, today=TODAY))
        assert same(got, expected), f"{text!r}: compiled {got!r}, interpreter {expected!r}"


# Conditions only, of zeros and ones: the mixes of and, or and comparisons where precedence decides.
LOGIC = ["and", "or", "=", "!=", "<"]
logic_trees = st.recursive(
    st.builds(lambda v: ("num", float(v)), st.sampled_from([0, 1])),
    lambda children: st.one_of(
        st.builds(lambda o, a, b: ("op", o, a, b), st.sampled_from(LOGIC), children, children),
        st.builds(lambda e: ("fn", "not", (e,)), children),
    ),
    max_leaves=8,
)


@settings(max_examples=300, deadline=None)
@given(tree=logic_trees)
def test_conditions_written_with_few_brackets_read_with_xpath_s_precedence(tree: Tree) -> None:
    expected = interpret(tree, {}, None)
    compiled = xpath.compile_expression(minimal(tree), Compiler(resolve=TARGETS.get))
    assert same(compiled(Context({})), expected), minimal(tree)


@settings(max_examples=200, deadline=None)
@given(tree=trees)
def test_writing_an_expression_with_more_spaces_changes_nothing(tree: Tree) -> None:
    text = bracketed(tree)
    spaced = re.sub(r"([(),])", r" \1 ", text)
    assert xpath.parse(text) == xpath.parse(spaced)
