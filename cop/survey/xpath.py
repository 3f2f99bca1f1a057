"""XLSForm expressions: read once into a tree, then turned into Python closures.

The language is the part of XPath 1.0 that XLSForm forms use: `${name}` references, `.` (the answer
being checked), bare names (a choice's column, in a `choice_filter`), number and string literals,
`= != < <= > >=`, `and or`, `+ - * div mod`, unary minus and function calls (FUNCTIONS). Evaluation
follows XPath's rules, so that a form behaves here as it does in ODK and Enketo:

- a reference is a node-set: one node, or one per entry when it points into a repeat from outside;
  its text is the answer (an empty answer is the empty string, a list of choices their names
  separated by spaces);
- `=` and `!=` compare as booleans if either side is one, else as numbers if either side is one,
  else as strings; `< <= > >=` compare as numbers; a node-set compares true if any of its nodes does;
- a string that is not a number is NaN, and NaN compares false with everything but `!=`;
- dates (`YYYY-MM-DD`) count as days since 1970-01-01 wherever a number is needed, as in ODK.

`parse` gives the tree (`Node`); `compile_expression` gives a closure `Context -> value`. The
expression compiler of a whole form (cop/survey/expressions.py) calls them once per expression.
"""

from __future__ import annotations

import datetime
import math
import operator
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# A value while evaluating: a node-set (the texts of its nodes), a string, a number or a boolean.
Value = tuple[str, ...] | str | float | bool
Compiled = Callable[["Context"], Value]

EPOCH = datetime.date(1970, 1, 1)
_NUMBER = re.compile(r"\s*(-?(?:\d+(?:\.\d*)?|\.\d+))\s*\Z")
_DATE = re.compile(r"\s*(\d{4})-(\d{2})-(\d{2})\s*\Z")
_TOKEN = re.compile(
    r"""\s*(?:
      (?P<ref>\$\{(?P<refname>[^}]*)\})
    | (?P<number>\d+(?:\.\d*)?|\.\d+)
    | (?P<string>"[^"]*"|'[^']*')
    | (?P<op><=|>=|!=|\.\.|[=<>+\-*(),.])
    | (?P<name>[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?)
    )""",
    re.VERBOSE,
)
KEYWORD_OPERATORS = {"and", "or", "div", "mod"}
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")


class ExpressionError(Exception):
    """An expression that cannot be read or compiled; the message is for the form's author."""

    def __init__(self, message: str | Promise, **params: Any) -> None:
        self.message = message
        self.params = params
        super().__init__(self.text())

    def text(self) -> str:
        template = str(self.message)
        return template % self.params if self.params else template


# The tree -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    value: str | float


@dataclass(frozen=True)
class Ref:
    """`${name}`."""

    name: str


@dataclass(frozen=True)
class Current:
    """`.`: the answer a constraint checks."""


@dataclass(frozen=True)
class Parent:
    """`..`: only as `position(..)`, the number of the repeat entry."""


@dataclass(frozen=True)
class Column:
    """A bare name: a column of the choice a `choice_filter` is deciding on."""

    name: str


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]


@dataclass(frozen=True)
class Binary:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True)
class Negate:
    operand: Node


Node = Literal | Ref | Current | Parent | Column | Call | Binary | Negate


def walk(node: Node) -> Iterator[Node]:
    """Every node of a tree, the root first."""
    yield node
    if isinstance(node, Call):
        for arg in node.args:
            yield from walk(arg)
    elif isinstance(node, Binary):
        yield from walk(node.left)
        yield from walk(node.right)
    elif isinstance(node, Negate):
        yield from walk(node.operand)


def references(node: Node) -> set[str]:
    """The names an expression refers to with `${...}`, including inside `jr:choice-name`'s text."""
    names = {n.name for n in walk(node) if isinstance(n, Ref)}
    for n in walk(node):
        if isinstance(n, Call) and n.name == "jr:choice-name" and len(n.args) == 2:
            target = _choice_name_target(n.args[1])
            if target:
                names.add(target)
    return names


def _choice_name_target(node: Node) -> str | None:
    if isinstance(node, Literal) and isinstance(node.value, str):
        match = re.fullmatch(r"\s*\$\{([^}]*)\}\s*", node.value)
        if match:
            return match.group(1)
    return None


# Reading --------------------------------------------------------------------------------------


@dataclass
class _Token:
    kind: str  # ref, number, string, op, name, end
    text: str
    position: int


def _tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            spot = position + (len(text[position:]) - len(text[position:].lstrip()))
            raise ExpressionError(
                _("Cannot read the expression at character %(position)s: “%(text)s”."),
                position=spot + 1,
                text=text[spot : spot + 10],
            )
        kind = next(k for k in ("ref", "number", "string", "op", "name") if match.group(k) is not None)
        start = match.start(kind)
        if kind == "ref":
            name = match.group("refname").strip()
            if not NAME.match(name):
                raise ExpressionError(
                    _("“%(text)s” is not a reference to a question: write ${name}."), text=match.group(kind)
                )
            tokens.append(_Token("ref", name, start))
        elif kind == "string":
            tokens.append(_Token("string", match.group(kind)[1:-1], start))
        else:
            tokens.append(_Token(kind, match.group(kind), start))
        position = match.end()
    tokens.append(_Token("end", "", len(text)))
    return tokens


class _Parser:
    # Binary operators by precedence, loosest first, as XPath 1.0 has them.
    LEVELS: tuple[tuple[str, ...], ...] = (
        ("or",),
        ("and",),
        ("=", "!="),
        ("<", "<=", ">", ">="),
        ("+", "-"),
        ("*", "div", "mod"),
    )

    def __init__(self, text: str) -> None:
        self.tokens = _tokens(text)
        self.index = 0

    def peek(self) -> _Token:
        return self.tokens[self.index]

    def take(self) -> _Token:
        token = self.tokens[self.index]
        self.index += 1
        return token

    def is_operator(self, token: _Token, ops: tuple[str, ...]) -> bool:
        if token.kind == "op" and token.text in ops:
            return True
        return token.kind == "name" and token.text in KEYWORD_OPERATORS and token.text in ops

    def expression(self, level: int = 0) -> Node:
        if level == len(self.LEVELS):
            return self.unary()
        node = self.expression(level + 1)
        while self.is_operator(self.peek(), self.LEVELS[level]):
            op = self.take().text
            node = Binary(op, node, self.expression(level + 1))
        return node

    def unary(self) -> Node:
        if self.peek().kind == "op" and self.peek().text == "-":
            self.take()
            return Negate(self.unary())
        return self.primary()

    def unexpected(self, token: _Token) -> ExpressionError:
        if token.kind == "end":
            return ExpressionError(_("The expression ends too early."))
        return ExpressionError(
            _("Unexpected “%(text)s” at character %(position)s."),
            text=token.text,
            position=token.position + 1,
        )

    def primary(self) -> Node:
        token = self.take()
        if token.kind == "number":
            return Literal(float(token.text))
        if token.kind == "string":
            return Literal(token.text)
        if token.kind == "ref":
            return Ref(token.text)
        if token.kind == "op" and token.text == ".":
            return Current()
        if token.kind == "op" and token.text == "..":
            return Parent()
        if token.kind == "op" and token.text == "(":
            node = self.expression()
            self.expect(")")
            return node
        if token.kind == "name" and token.text not in KEYWORD_OPERATORS:
            if self.peek().kind == "op" and self.peek().text == "(":
                self.take()
                args: list[Node] = []
                if not (self.peek().kind == "op" and self.peek().text == ")"):
                    args.append(self.expression())
                    while self.peek().kind == "op" and self.peek().text == ",":
                        self.take()
                        args.append(self.expression())
                self.expect(")")
                return Call(token.text, tuple(args))
            return Column(token.text)
        raise self.unexpected(token)

    def expect(self, text: str) -> None:
        token = self.take()
        if not (token.kind == "op" and token.text == text):
            if token.kind == "end":
                raise ExpressionError(_("A “%(text)s” is missing at the end."), text=text)
            raise self.unexpected(token)


def parse(text: str) -> Node:
    """The tree of an expression, or ExpressionError saying where it cannot be read."""
    if not text.strip():
        raise ExpressionError(_("The expression is empty."))
    parser = _Parser(text)
    node = parser.expression()
    if parser.peek().kind != "end":
        raise parser.unexpected(parser.peek())
    return node


# XPath's conversions -------------------------------------------------------------------------


def number_text(value: float) -> str:
    """XPath's string() of a number: no exponent, no trailing zeros, integers without a point."""
    if value != value:
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 1e16:
        return str(int(value))
    text = format(Decimal(repr(value)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def answer_text(value: Any) -> str:
    """The text of the node holding an answer as the platform stores it (Answer.value)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, list | tuple):
        return " ".join(answer_text(item) for item in value)
    return ""


def to_string(value: Value) -> str:
    if type(value) is tuple:
        return value[0] if value else ""
    if type(value) is str:
        return value
    if type(value) is bool:
        return "true" if value else "false"
    assert isinstance(value, float)
    return number_text(value)


def string_number(text: str) -> float:
    if text.isascii() and text.isdigit():  # most answers: no regular expression needed
        return float(text)
    match = _NUMBER.match(text)
    if match:
        return float(match.group(1))
    match = _DATE.match(text)
    if match:
        try:
            day = datetime.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return math.nan
        return float((day - EPOCH).days)
    return math.nan


def to_number(value: Value) -> float:
    if type(value) is float:
        return value
    if type(value) is bool:
        return 1.0 if value else 0.0
    return string_number(to_string(value))


def to_boolean(value: Value) -> bool:
    if type(value) is bool:
        return value
    if type(value) is tuple:
        return len(value) > 0
    if type(value) is str:
        return value != ""
    assert isinstance(value, float)
    return value == value and value != 0


def _atoms(op: str, left: str | float | bool, right: str | float | bool) -> bool:
    if op in ("=", "!="):
        if type(left) is bool or type(right) is bool:
            same: bool = to_boolean(left) == to_boolean(right)
        elif type(left) is float or type(right) is float:
            same = to_number(left) == to_number(right)
        else:
            same = left == right
        # NaN equals nothing, itself included, so `!=` is true for it.
        return same if op == "=" else not same
    a, b = to_number(left), to_number(right)
    if op == "<":
        return a < b
    if op == "<=":
        return a <= b
    if op == ">":
        return a > b
    return a >= b


def compare(op: str, left: Value, right: Value) -> bool:
    """XPath 1.0 comparison, node-sets included (true when any of their nodes compares true)."""
    left_set, right_set = type(left) is tuple, type(right) is tuple
    if left_set and right_set:
        return any(_atoms(op, a, b) for a in left for b in right)  # type: ignore[union-attr]
    if left_set:
        if type(right) is bool:
            return _atoms(op, to_boolean(left), right)
        return any(_atoms(op, a, right) for a in left)  # type: ignore[union-attr, arg-type]
    if right_set:
        if type(left) is bool:
            return _atoms(op, left, to_boolean(right))
        return any(_atoms(op, left, b) for b in right)  # type: ignore[union-attr, arg-type]
    return _atoms(op, left, right)  # type: ignore[arg-type]


def divide(a: float, b: float) -> float:
    if b == 0 or b != b:
        if b != b or a != a or a == 0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)
    return a / b


def modulo(a: float, b: float) -> float:
    """XPath's mod: the remainder of a division that truncates, with the sign of the dividend."""
    if b == 0 or a != a or b != b or math.isinf(a):
        return math.nan
    return math.fmod(a, b)


def round_half_up(value: float, digits: float = 0.0) -> float:
    """XPath's round(): to the nearest, halves up (towards positive infinity); ODK's optional digits."""
    if value != value or math.isinf(value) or digits != digits:
        return value if digits == digits else math.nan
    scale = 10.0 ** int(digits)
    return math.floor(value * scale + 0.5) / scale


def truncate(value: float) -> float:
    if value != value or math.isinf(value):
        return value
    return float(math.trunc(value))


# Compiling ------------------------------------------------------------------------------------


@dataclass
class Context:
    """What an expression is evaluated against.

    `answers` maps keys to values (a repeat's key to a list of per-entry dicts); `entry` is the
    repeat entry being evaluated (its dict) and `number` its number from 1; `current` is the value
    `.` stands for; `choice` the choice row a choice_filter decides on; `today` the date `today()`
    gives (the local date when not set).
    """

    answers: Mapping[str, Any]
    entry: Mapping[str, Any] | None = None
    number: int = 0
    current: Any = None
    choice: Mapping[str, Any] | None = None
    today: datetime.date | None = None
    # Calculations being worked out, so that a loop the importer did not catch cannot recurse forever.
    calculating: set[str] = field(default_factory=set)

    def today_text(self) -> str:
        return (self.today or timezone.localdate()).isoformat()


@dataclass(frozen=True)
class Target:
    """What a `${name}` points at, as the form knows it.

    `kind` is a question kind (select_one ... calculate, note) or "group" / "repeat"; `repeat` the
    key of the repeat it sits in ("" outside one); `calculation` the compiled calculation of a
    calculate; `choices` the choices of a select, for jr:choice-name.
    """

    kind: str
    repeat: str = ""
    calculation: Compiled | None = None
    choices: Sequence[Mapping[str, Any]] = ()


Resolver = Callable[[str], Target | None]


def _instances(value: Any) -> list[Mapping[str, Any]]:
    if isinstance(value, list):
        return [entry for entry in value if isinstance(entry, Mapping)]
    return []


def _choice_label(choices: Sequence[Mapping[str, Any]], name: str, language: str, default: str) -> str:
    for choice in choices:
        if choice.get("name") == name:
            label = choice.get("label") or {}
            return str(label.get(language) or label.get(default) or "")
    return ""


@dataclass
class Compiler:
    """Turns trees into closures, resolving `${name}` once through the form (`resolve`).

    `repeat` is the repeat the expression sits in ("" outside one); `choice_columns` is not None for
    a choice_filter (bare names are then the choice list's columns); `languages` gives the language a
    jr:choice-name label is read in (called at evaluation, so it follows the active language).
    """

    resolve: Resolver
    repeat: str = ""
    choice_columns: frozenset[str] | None = None
    language: Callable[[], str] = lambda: "en"
    default_language: str = "en"

    def compile(self, node: Node) -> Compiled:
        if isinstance(node, Literal):
            value: Value = node.value
            return lambda c: value
        if isinstance(node, Current):
            return lambda c: (answer_text(c.current),)
        if isinstance(node, Parent):
            raise ExpressionError(_("“..” is only understood as position(..)."))
        if isinstance(node, Column):
            return self._column(node.name)
        if isinstance(node, Ref):
            return self._ref(node.name)
        if isinstance(node, Negate):
            operand = self.compile(node.operand)
            return lambda c: -to_number(operand(c))
        if isinstance(node, Binary):
            return self._binary(node)
        return self._call(node)

    def _column(self, name: str) -> Compiled:
        if self.choice_columns is None:
            raise ExpressionError(
                _("“%(name)s” is not understood here: refer to a question as ${%(name)s}."), name=name
            )
        if name not in self.choice_columns:
            raise ExpressionError(_("The choice list has no column “%(name)s”."), name=name)

        def column(c: Context) -> Value:
            row = c.choice or {}
            return (answer_text(row.get(name)),)

        return column

    def _ref(self, name: str) -> Compiled:
        target = self.resolve(name)
        if target is None:
            raise ExpressionError(_("${%(name)s} refers to no question of the form."), name=name)
        if target.kind == "group":
            raise ExpressionError(_("${%(name)s} is a group: refer to one of its questions."), name=name)
        if target.kind == "repeat":
            if target.repeat == self.repeat and self.repeat:
                return lambda c: ("",)
            return lambda c: tuple("" for _entry in _instances(c.answers.get(name)))
        read = self._reader(name, target)
        if target.repeat and target.repeat != self.repeat:
            # From outside its repeat: one node per entry.
            repeat = target.repeat
            return lambda c: tuple(
                read(c, entry, number) for number, entry in _numbered(c.answers.get(repeat))
            )
        if target.repeat:
            repeat = target.repeat

            def inside(c: Context) -> Value:
                if c.entry is None:
                    return tuple(read(c, entry, number) for number, entry in _numbered(c.answers.get(repeat)))
                return (read(c, c.entry, c.number),)

            return inside
        return lambda c: (read(c, None, 0),)

    def _reader(self, name: str, target: Target) -> Callable[[Context, Mapping[str, Any] | None, int], str]:
        """Reads the text of `name` in an entry (or at the top when the entry is None)."""
        if target.kind == "calculate":
            calculation = target.calculation
            if calculation is None:
                # A calculation referred to before its own is compiled: resolved at evaluation.
                def later(c: Context, entry: Mapping[str, Any] | None, number: int) -> str:
                    found = self.resolve(name)
                    if found is None or found.calculation is None:
                        return ""
                    return _calculate(found.calculation, name, c, entry, number)

                return later
            return lambda c, entry, number: _calculate(calculation, name, c, entry, number)
        if target.kind == "note":
            return lambda c, entry, number: ""
        return lambda c, entry, number: answer_text((entry if entry is not None else c.answers).get(name))

    def _side(self, node: Node) -> tuple[str, Any] | None:
        """A comparison's side that can be read without making a node-set: the text of one node
        (`.`, a choice's column, a question outside any repeat), or a literal."""
        if isinstance(node, Literal):
            return ("number" if isinstance(node.value, float) else "string", node.value)
        if isinstance(node, Current):
            return ("text", lambda c: answer_text(c.current))
        if isinstance(node, Column) and self.choice_columns is not None and node.name in self.choice_columns:
            name = node.name
            return ("text", lambda c: answer_text((c.choice or {}).get(name)))
        if isinstance(node, Ref):
            target = self.resolve(node.name)
            if target is not None and not target.repeat and target.kind not in ("group", "repeat"):
                read = self._reader(node.name, target)
                return ("text", lambda c: read(c, None, 0))
        return None

    def _direct_comparison(self, op: str, left_node: Node, right_node: Node) -> Compiled | None:
        """The comparisons forms are made of (`${a} = 'yes'`, `. >= 1990`, `. <= ${b}`) without node-sets:
        the same results as `compare`, for a fraction of the work."""
        left, right = self._side(left_node), self._side(right_node)
        if left is None or right is None or (left[0] != "text" and right[0] != "text"):
            return None
        function = _OPERATORS[op]
        as_strings = op in ("=", "!=") and "number" not in (left[0], right[0])

        def reader(side: tuple[str, Any]) -> Callable[[Context], Any]:
            kind, value = side
            if kind == "text":
                return value if as_strings else (lambda c: string_number(value(c)))  # type: ignore[no-any-return]
            constant = value if as_strings else (value if kind == "number" else string_number(value))
            return lambda c: constant

        read_left, read_right = reader(left), reader(right)
        if right[0] != "text":
            constant = read_right(Context({}))
            return lambda c: function(read_left(c), constant)  # type: ignore[no-any-return]
        return lambda c: function(read_left(c), read_right(c))  # type: ignore[no-any-return]

    def _binary(self, node: Binary) -> Compiled:
        if node.op in _OPERATORS:
            direct = self._direct_comparison(node.op, node.left, node.right)
            if direct is not None:
                return direct
        left, right, op = self.compile(node.left), self.compile(node.right), node.op
        if op == "and":
            return lambda c: to_boolean(left(c)) and to_boolean(right(c))
        if op == "or":
            return lambda c: to_boolean(left(c)) or to_boolean(right(c))
        if op in ("=", "!=", "<", "<=", ">", ">="):
            return lambda c: compare(op, left(c), right(c))
        if op == "+":
            return lambda c: to_number(left(c)) + to_number(right(c))
        if op == "-":
            return lambda c: to_number(left(c)) - to_number(right(c))
        if op == "*":
            return lambda c: to_number(left(c)) * to_number(right(c))
        if op == "div":
            return lambda c: divide(to_number(left(c)), to_number(right(c)))
        return lambda c: modulo(to_number(left(c)), to_number(right(c)))

    def _call(self, node: Call) -> Compiled:
        spec = FUNCTIONS.get(node.name)
        if spec is None:
            raise ExpressionError(_("The function %(name)s() is not one the platform knows."), name=node.name)
        least, most, build = spec
        if not least <= len(node.args) <= (most if most is not None else len(node.args)):
            raise ExpressionError(
                _("%(name)s() takes %(count)s arguments, not %(given)s."),
                name=node.name,
                count=str(least) if least == most else f"{least}-{most if most is not None else '…'}",
                given=len(node.args),
            )
        if node.name == "jr:choice-name":
            return self._choice_name(node)
        if node.name in ("count", "sum") and not isinstance(node.args[0], Ref):
            raise ExpressionError(
                _("%(name)s() takes a reference to a repeat or to a question in one, as ${name}."),
                name=node.name,
            )
        if node.name == "position":
            if not (len(node.args) == 1 and isinstance(node.args[0], Parent)) or not self.repeat:
                raise ExpressionError(_("position(..) is understood only inside a repeat."))
            return lambda c: float(c.number)
        args = [self.compile(arg) for arg in node.args]
        return build(args)

    def _choice_name(self, node: Call) -> Compiled:
        target_name = _choice_name_target(node.args[1])
        target = self.resolve(target_name) if target_name else None
        if target is None or target.kind not in ("select_one", "select_multiple"):
            raise ExpressionError(
                _("jr:choice-name() needs a select question as its second argument, as '${name}'.")
            )
        value = self.compile(node.args[0])
        choices, language, default = target.choices, self.language, self.default_language
        return lambda c: _choice_label(choices, to_string(value(c)), language(), default)


_OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def _numbered(value: Any) -> list[tuple[int, Mapping[str, Any]]]:
    return [(number, entry) for number, entry in enumerate(_instances(value), start=1)]


def _calculate(
    calculation: Compiled, name: str, c: Context, entry: Mapping[str, Any] | None, number: int
) -> str:
    if name in c.calculating:
        raise ExpressionError(_("The calculation ${%(name)s} depends on itself."), name=name)
    c.calculating.add(name)
    saved = (c.entry, c.number)
    if entry is not None:
        c.entry, c.number = entry, number
    try:
        return to_string(calculation(c))
    finally:
        c.entry, c.number = saved
        c.calculating.discard(name)


# Functions: name -> (least arguments, most arguments or None for any, builder from compiled args).
Builder = Callable[[list[Compiled]], Compiled]


def _current_or(args: list[Compiled]) -> Compiled:
    return args[0] if args else (lambda c: (answer_text(c.current),))


def _selected(args: list[Compiled]) -> Compiled:
    whole, wanted = args

    def selected(c: Context) -> Value:
        return to_string(wanted(c)).strip() in to_string(whole(c)).split()

    return selected


def _selected_at(args: list[Compiled]) -> Compiled:
    whole, index = args

    def selected_at(c: Context) -> Value:
        names = to_string(whole(c)).split()
        position = to_number(index(c))
        if position != position or position != int(position) or not 0 <= position < len(names):
            return ""
        return names[int(position)]

    return selected_at


def _if(args: list[Compiled]) -> Compiled:
    test, yes, no = args
    return lambda c: yes(c) if to_boolean(test(c)) else no(c)


def _coalesce(args: list[Compiled]) -> Compiled:
    first, second = args

    def coalesce(c: Context) -> Value:
        text = to_string(first(c))
        return text if text != "" else to_string(second(c))

    return coalesce


_REGEX_CACHE: dict[str, re.Pattern[str] | None] = {}


def _pattern(text: str) -> re.Pattern[str] | None:
    if text not in _REGEX_CACHE:
        try:
            _REGEX_CACHE[text] = re.compile(text)
        except re.error:
            _REGEX_CACHE[text] = None
        if len(_REGEX_CACHE) > 1000:
            _REGEX_CACHE.clear()
    return _REGEX_CACHE.get(text)


def _regex(args: list[Compiled]) -> Compiled:
    subject, pattern = args

    def regex(c: Context) -> Value:
        compiled = _pattern(to_string(pattern(c)))
        # ODK finds the pattern anywhere in the text (Java's Matcher.find); a broken pattern matches nothing.
        return compiled is not None and compiled.search(to_string(subject(c))) is not None

    return regex


def _node_numbers(values: list[Value]) -> list[float]:
    numbers: list[float] = []
    for value in values:
        if type(value) is tuple:
            numbers.extend(string_number(text) for text in value)
        else:
            numbers.append(to_number(value))
    return numbers


def _extreme(pick: Callable[[list[float]], float]) -> Builder:
    def build(args: list[Compiled]) -> Compiled:
        def extreme(c: Context) -> Value:
            numbers = _node_numbers([arg(c) for arg in args])
            if not numbers or any(n != n for n in numbers):
                return math.nan
            return pick(numbers)

        return extreme

    return build


def _count(args: list[Compiled]) -> Compiled:
    (nodes,) = args

    def count(c: Context) -> Value:
        value = nodes(c)
        return float(len(value)) if type(value) is tuple else 1.0

    return count


def _sum(args: list[Compiled]) -> Compiled:
    (nodes,) = args

    def total(c: Context) -> Value:
        value = nodes(c)
        texts = value if type(value) is tuple else (to_string(value),)
        return float(sum(string_number(text) for text in texts))  # type: ignore[union-attr]

    return total


def _substr(args: list[Compiled]) -> Compiled:
    def substr(c: Context) -> Value:
        text = to_string(args[0](c))
        start = to_number(args[1](c))
        end = to_number(args[2](c)) if len(args) > 2 else float(len(text))
        if start != start or end != end:
            return ""
        return text[max(int(start), 0) : max(int(end), 0)]

    return substr


def _unary(function: Callable[[Value], Value]) -> Builder:
    def build(args: list[Compiled]) -> Compiled:
        (arg,) = args
        return lambda c: function(arg(c))

    return build


def _binary_strings(function: Callable[[str, str], Value]) -> Builder:
    def build(args: list[Compiled]) -> Compiled:
        left, right = args
        return lambda c: function(to_string(left(c)), to_string(right(c)))

    return build


def _constant(value: Value) -> Builder:
    return lambda args: lambda c: value


def _of_current(function: Callable[[Value], Value]) -> Builder:
    def build(args: list[Compiled]) -> Compiled:
        arg = _current_or(args)
        return lambda c: function(arg(c))

    return build


def _round(args: list[Compiled]) -> Compiled:
    value = args[0]
    digits = args[1] if len(args) > 1 else None
    if digits is None:
        return lambda c: round_half_up(to_number(value(c)))
    return lambda c: round_half_up(to_number(value(c)), to_number(digits(c)))


def _whole(function: Callable[[float], int], value: float) -> float:
    return float(function(value)) if math.isfinite(value) else value


def _concat(args: list[Compiled]) -> Compiled:
    return lambda c: "".join(to_string(arg(c)) for arg in args)


def _normalize_space(value: Value) -> Value:
    return " ".join(to_string(value).split())


# format-date's directives, as ODK Collect and Enketo read them: numbers only, so that the result is
# the same in every language (%b and %a, month and day names, are left out on purpose).
_DATE_DIRECTIVES: dict[str, Callable[[datetime.date], str]] = {
    "Y": lambda d: f"{d.year:04d}",
    "y": lambda d: f"{d.year % 100:02d}",
    "m": lambda d: f"{d.month:02d}",
    "n": lambda d: str(d.month),
    "d": lambda d: f"{d.day:02d}",
    "e": lambda d: str(d.day),
}


def format_date(value: Value, pattern: str) -> str:
    """`format-date(date, pattern)`: the date (YYYY-MM-DD, or a date and time) written by the
    pattern; empty for an empty or unreadable date, as the XForms engines answer."""
    try:
        date = datetime.date.fromisoformat(to_string(value)[:10])
    except ValueError:
        return ""
    out: list[str] = []
    characters = iter(pattern)
    for character in characters:
        if character != "%":
            out.append(character)
            continue
        directive = next(characters, "")
        write = _DATE_DIRECTIVES.get(directive)
        out.append(write(date) if write else "%" + directive)
    return "".join(out)


FUNCTIONS: dict[str, tuple[int, int | None, Builder]] = {
    "true": (0, 0, _constant(True)),
    "false": (0, 0, _constant(False)),
    "not": (1, 1, _unary(lambda v: not to_boolean(v))),
    "boolean": (1, 1, _unary(to_boolean)),
    "string": (0, 1, _of_current(to_string)),
    "number": (0, 1, _of_current(to_number)),
    "int": (1, 1, _unary(lambda v: truncate(to_number(v)))),
    "round": (1, 2, _round),
    "floor": (1, 1, _unary(lambda v: _whole(math.floor, to_number(v)))),
    "ceiling": (1, 1, _unary(lambda v: _whole(math.ceil, to_number(v)))),
    "abs": (1, 1, _unary(lambda v: abs(to_number(v)))),
    "string-length": (0, 1, _of_current(lambda v: float(len(to_string(v))))),
    "normalize-space": (0, 1, _of_current(_normalize_space)),
    "concat": (1, None, _concat),
    "contains": (2, 2, _binary_strings(lambda a, b: b in a)),
    "starts-with": (2, 2, _binary_strings(lambda a, b: a.startswith(b))),
    "ends-with": (2, 2, _binary_strings(lambda a, b: a.endswith(b))),
    "substr": (2, 3, _substr),
    "selected": (2, 2, _selected),
    "selected-at": (2, 2, _selected_at),
    "count-selected": (1, 1, _unary(lambda v: float(len(to_string(v).split())))),
    "if": (3, 3, _if),
    "coalesce": (2, 2, _coalesce),
    "regex": (2, 2, _regex),
    "today": (0, 0, lambda args: lambda c: c.today_text()),
    "format-date": (2, 2, _binary_strings(format_date)),
    "count": (1, 1, _count),
    "sum": (1, 1, _sum),
    "min": (1, None, _extreme(min)),
    "max": (1, None, _extreme(max)),
    "position": (1, 1, lambda args: lambda c: float(c.number)),
    "jr:choice-name": (2, 2, lambda args: lambda c: ""),
}


def compile_expression(text: str, compiler: Compiler) -> Compiled:
    """Read and compile one expression; ExpressionError when it cannot be."""
    return compiler.compile(parse(text))
