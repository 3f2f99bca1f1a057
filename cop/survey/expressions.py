"""The one evaluator of a questionnaire's expressions on the server: relevance, constraints,
calculations, choice filters, and the check of a whole response.

`compile_version(version)` reads every expression of a version once (cop/survey/xpath.py) into
closures and keeps the result per version, so that checking 193 responses of 200 questions reads no
expression twice. Answers are a mapping from question key to value as `Answer.value` holds it; a
repeat's key maps to a list of per-entry dicts. Functions that look at one question inside a repeat
take the entry's number (`instance`, from 1).
"""

from __future__ import annotations

import datetime
import math
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from cop.survey import xpath
from cop.survey.models import Question, QuestionKind, QuestionnaireVersion
from cop.survey.xpath import Compiled, Compiler, Context, ExpressionError, Target

ANSWERABLE = frozenset(
    {
        QuestionKind.SELECT_ONE,
        QuestionKind.SELECT_MULTIPLE,
        QuestionKind.INTEGER,
        QuestionKind.DECIMAL,
        QuestionKind.TEXT,
        QuestionKind.DATE,
    }
)
DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
# Compiled versions kept in memory; a version never changes once imported, so nothing goes stale.
CACHE_SIZE = 16


@dataclass(frozen=True)
class Problem:
    """What is wrong with one answer: `code` for programs, `message` (active language) for people.

    Codes: unknown (no such question, or one that takes no answer), irrelevant (answered though it
    does not apply), required, type (not a value of the question's kind), choice (not one of its
    choices), constraint (refused by its constraint; the message is the form's).
    """

    key: str
    instance: int
    code: str
    message: str


@dataclass
class _Element:
    """A question or a group of the compiled form."""

    key: str
    kind: str
    # The repeat it is evaluated in ("" outside one; a repeat itself is evaluated outside itself).
    scope: str
    parent: str
    relevant: Compiled | None = None
    required: bool = False
    constraint: Compiled | None = None
    constraint_message: dict[str, str] = field(default_factory=dict)
    calculation: Compiled | None = None
    choice_filter: Compiled | None = None
    choices: list[dict[str, Any]] = field(default_factory=list)
    choice_names: frozenset[str] = frozenset()


def active_language() -> str:
    return (translation.get_language() or "en").lower()


def is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _kind_problem(kind: str, value: Any) -> str | None:
    """Why `value` is not a value of `kind`, or None when it is one."""
    if kind == QuestionKind.SELECT_ONE:
        return None if isinstance(value, str) else _("Choose one of the listed options.")
    if kind == QuestionKind.SELECT_MULTIPLE:
        if isinstance(value, list) and all(isinstance(v, str) and v for v in value):
            if len(set(value)) == len(value):
                return None
            return _("Each option can be chosen once only.")
        return _("Give the chosen options as a list.")
    if kind == QuestionKind.INTEGER:
        whole = isinstance(value, int) or (isinstance(value, float) and value.is_integer())
        return None if whole and not isinstance(value, bool) else _("Enter a whole number.")
    if kind == QuestionKind.DECIMAL:
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return None if number and math.isfinite(value) else _("Enter a number.")
    if kind == QuestionKind.TEXT:
        return None if isinstance(value, str) else _("Enter text.")
    if kind == QuestionKind.DATE:
        if isinstance(value, str) and DATE.match(value):
            try:
                datetime.date.fromisoformat(value)
            except ValueError:
                pass
            else:
                return None
        return _("Enter a date as YYYY-MM-DD, e.g. 2026-03-31.")
    return None


def _groups_of(questions: list[Question]) -> list[dict[str, Any]]:
    """The groups a version's questions name, for a version stored without its workbook's outline."""
    groups: dict[str, dict[str, Any]] = {}
    for question in questions:
        if question.group and question.group != question.repeat and question.group not in groups:
            groups[question.group] = {"key": question.group, "kind": "group", "parent": ""}
        if question.repeat and question.repeat not in groups:
            parent = question.group if question.group != question.repeat else ""
            groups[question.repeat] = {"key": question.repeat, "kind": "repeat", "parent": parent}
    return list(groups.values())


class CompiledForm:
    """A version's expressions, compiled; ask it about answers (see the module's docstring)."""

    def __init__(self, version: QuestionnaireVersion, *, today: datetime.date | None = None) -> None:
        self.version_id = version.pk
        self.default_language = version.default_language
        self.today = today
        self.elements: dict[str, _Element] = {}
        self._guard_cache: dict[str, tuple[str, ...]] = {}
        form = version.form or {}
        questions = list(version.questions.all())
        groups = form["groups"] if "groups" in form else _groups_of(questions)
        parents: dict[str, str] = form.get("parents", {})
        for group in groups:
            # A repeat is evaluated outside itself; a group inside a repeat inside it.
            scope = "" if group["kind"] == "repeat" else self._repeat_of(group.get("parent", ""), groups)
            self.elements[group["key"]] = _Element(
                group["key"], group["kind"], scope, group.get("parent", "")
            )
        for question in questions:
            parent = parents.get(question.key, question.repeat or question.group)
            self.elements[question.key] = _Element(
                question.key,
                question.kind,
                question.repeat,
                parent,
                required=question.required,
                constraint_message=dict(question.constraint_message),
                choices=list(question.choices),
                choice_names=frozenset(str(c.get("name")) for c in question.choices),
            )
        self.order = [q.key for q in questions]
        self.answerable = [q.key for q in questions if q.kind in ANSWERABLE]
        self.repeats = frozenset(g["key"] for g in groups if g["kind"] == "repeat")
        self._targets: dict[str, Target] = {
            key: Target(
                kind=element.kind,
                repeat=element.scope if element.kind != "repeat" else "",
                choices=element.choices,
            )
            for key, element in self.elements.items()
        }
        self._compile_calculations([q for q in questions if q.kind == QuestionKind.CALCULATE])
        for group in groups:
            self.elements[group["key"]].relevant = self._compile(group.get("relevant", ""), group["key"])
        for question in questions:
            element = self.elements[question.key]
            element.relevant = self._compile(question.relevant, question.key)
            element.constraint = self._compile(question.constraint, question.key)
            if question.choice_filter:
                columns = frozenset(k for c in question.choices for k in c if k != "label")
                element.choice_filter = self._compile(question.choice_filter, question.key, columns)

    @staticmethod
    def _repeat_of(key: str, groups: list[dict[str, Any]]) -> str:
        by_key = {g["key"]: g for g in groups}
        while key:
            group = by_key.get(key)
            if group is None:
                return ""
            if group["kind"] == "repeat":
                return key
            key = group.get("parent", "")
        return ""

    def _compiler(self, key: str, columns: frozenset[str] | None = None) -> Compiler:
        return Compiler(
            resolve=self._targets.get,
            repeat=self.elements[key].scope,
            choice_columns=columns,
            language=active_language,
            default_language=self.default_language,
        )

    def _compile(self, text: str, key: str, columns: frozenset[str] | None = None) -> Compiled | None:
        if not text.strip():
            return None
        return xpath.compile_expression(text, self._compiler(key, columns))

    def _compile_calculations(self, calculations: list[Any]) -> None:
        """Calculations are compiled after those they refer to, so that a reference to one is direct."""
        waiting = {q.key: q for q in calculations}
        while waiting:
            ready = [
                q
                for q in waiting.values()
                if not (xpath.references(xpath.parse(q.calculation)) if q.calculation.strip() else set())
                & set(waiting)
            ]
            # A loop (the importer refuses them) is compiled as it is; evaluation stops it.
            for question in ready or list(waiting.values()):
                compiled = self._compile(question.calculation, question.key) or (lambda c: "")
                self.elements[question.key].calculation = compiled
                self._targets[question.key] = Target(
                    kind=QuestionKind.CALCULATE, repeat=question.repeat, calculation=compiled
                )
                del waiting[question.key]

    # Questions about answers ------------------------------------------------------------------

    def _context(self, answers: Mapping[str, Any], key: str, instance: int) -> Context:
        element = self._element(key)
        entry = None
        if element.scope and instance:
            entries = answers.get(element.scope)
            if isinstance(entries, list) and 0 < instance <= len(entries):
                candidate = entries[instance - 1]
                entry = candidate if isinstance(candidate, Mapping) else {}
            else:
                entry = {}
        return Context(answers, entry=entry, number=instance if entry is not None else 0, today=self.today)

    def _element(self, key: str) -> _Element:
        try:
            return self.elements[key]
        except KeyError:
            raise KeyError(f"the form has no question or group {key!r}") from None

    def _guards(self, key: str) -> tuple[str, ...]:
        """The groups around `key` that have a relevance of their own, outermost first (worked out once)."""
        found = self._guard_cache.get(key)
        if found is None:
            chain: list[str] = []
            parent = self.elements[key].parent
            while parent and parent in self.elements and parent not in chain:
                if self.elements[parent].relevant is not None:
                    chain.append(parent)
                parent = self.elements[parent].parent
            found = self._guard_cache[key] = tuple(reversed(chain))
        return found

    def _own(self, element: _Element, context: Context) -> bool:
        """An element's own relevance, evaluated where it sits (a repeat's outside itself)."""
        if element.relevant is None:
            return True
        if element.scope:
            return xpath.to_boolean(element.relevant(context))
        saved = (context.entry, context.number)
        context.entry, context.number = None, 0
        try:
            return xpath.to_boolean(element.relevant(context))
        finally:
            context.entry, context.number = saved

    def _relevant(self, key: str, context: Context, memo: dict[tuple[str, int], bool]) -> bool:
        """Every group around it applies (each worked out once per `memo`), and so does the element."""
        for group in self._guards(key):
            element = self.elements[group]
            remembered = memo.get((group, context.number if element.scope else 0))
            if remembered is None:
                remembered = memo[(group, context.number if element.scope else 0)] = self._own(
                    element, context
                )
            if not remembered:
                return False
        return self._own(self.elements[key], context)

    def relevant(self, key: str, answers: Mapping[str, Any], *, instance: int = 0) -> bool:
        """Whether a question or group applies: its own `relevant` and that of every group around it."""
        return self._relevant(key, self._context(answers, key, instance), {})

    def check(self, key: str, value: Any, answers: Mapping[str, Any], *, instance: int = 0) -> str | None:
        """Why `value` is not accepted for `key` (kind first, then the constraint), or None.

        An empty value is accepted here (whether one is required is `validate`'s business).
        """
        element = self._element(key)
        if is_empty(value):
            return None
        problem = _kind_problem(element.kind, value)
        if problem is not None:
            return problem
        return self._constraint(element, value, self._context(answers, key, instance))

    def _constraint(self, element: _Element, value: Any, context: Context) -> str | None:
        if element.constraint is None:
            return None
        context.current = value
        try:
            accepted = xpath.to_boolean(element.constraint(context))
        finally:
            context.current = None
        if accepted:
            return None
        messages = element.constraint_message
        return (
            messages.get(active_language())
            or messages.get(self.default_language)
            or _("This answer is not accepted.")
        )

    def calculate(self, key: str, answers: Mapping[str, Any], *, instance: int = 0) -> Any:
        """A calculation's value: a number (int when whole), a string, a boolean, or None when empty."""
        element = self._element(key)
        if element.calculation is None:
            return None
        value = element.calculation(self._context(answers, key, instance))
        if type(value) is tuple:
            value = xpath.to_string(value)
        if type(value) is float:
            if value != value:
                return None
            return int(value) if value.is_integer() and abs(value) < 1e16 else value
        return None if value == "" else value

    def choices(self, key: str, answers: Mapping[str, Any], *, instance: int = 0) -> list[dict[str, Any]]:
        """A select's choices, its choice_filter applied."""
        element = self._element(key)
        if element.choice_filter is None:
            return list(element.choices)
        return self._filtered(element, self._context(answers, key, instance))

    @staticmethod
    def _filtered(element: _Element, context: Context) -> list[dict[str, Any]]:
        assert element.choice_filter is not None
        kept = []
        for choice in element.choices:
            context.choice = choice
            if xpath.to_boolean(element.choice_filter(context)):
                kept.append(choice)
        context.choice = None
        return kept

    def validate(self, answers: Mapping[str, Any]) -> list[Problem]:
        """Every problem of a whole response, in the order of the form."""
        problems: list[Problem] = []
        for key, value in answers.items():
            element = self.elements.get(key)
            if element is None:
                problems.append(
                    Problem(key, 0, "unknown", _("The form has no question %(key)s.") % {"key": key})
                )
            elif element.kind == "repeat":
                if not (isinstance(value, list) and all(isinstance(entry, Mapping) for entry in value)):
                    message = _("The entries of %(key)s must be a list of answers.") % {"key": key}
                    problems.append(Problem(key, 0, "type", message))
                else:
                    problems.extend(self._unknown_in_entries(key, value))
            elif element.kind not in ANSWERABLE or element.scope:
                problems.append(Problem(key, 0, "unknown", _("%(key)s takes no answer here.") % {"key": key}))
        memo: dict[tuple[str, int], bool] = {}
        top = Context(answers, today=self.today)
        for key in self.answerable:
            element = self.elements[key]
            if not element.scope:
                self._validate_one(element, answers.get(key), top, memo, problems)
                continue
            entries = answers.get(element.scope)
            if not isinstance(entries, list):
                continue
            for number, entry in enumerate(entries, start=1):
                if isinstance(entry, Mapping):
                    context = Context(answers, entry=entry, number=number, today=self.today)
                    self._validate_one(element, entry.get(key), context, memo, problems)
        return problems

    def _unknown_in_entries(self, repeat: str, entries: list[Mapping[str, Any]]) -> list[Problem]:
        problems = []
        for number, entry in enumerate(entries, start=1):
            for key in entry:
                element = self.elements.get(key)
                if element is None or element.scope != repeat or element.kind not in ANSWERABLE:
                    message = _("%(key)s is not a question of %(repeat)s.") % {"key": key, "repeat": repeat}
                    problems.append(Problem(str(key), number, "unknown", message))
        return problems

    def _validate_one(
        self,
        element: _Element,
        value: Any,
        context: Context,
        memo: dict[tuple[str, int], bool],
        problems: list[Problem],
    ) -> None:
        key, number = element.key, context.number
        if not self._relevant(key, context, memo):
            if not is_empty(value):
                message = _("This question does not apply given the other answers, so it must stay empty.")
                problems.append(Problem(key, number, "irrelevant", message))
            return
        if is_empty(value):
            if element.required:
                problems.append(Problem(key, number, "required", _("This question needs an answer.")))
            return
        problem = _kind_problem(element.kind, value)
        if problem is not None:
            problems.append(Problem(key, number, "type", problem))
            return
        if element.kind in (QuestionKind.SELECT_ONE, QuestionKind.SELECT_MULTIPLE):
            names = element.choice_names
            if element.choice_filter is not None:
                names = frozenset(str(c.get("name")) for c in self._filtered(element, context))
            chosen = [value] if isinstance(value, str) else value
            wrong = [name for name in chosen if name not in names]
            if wrong:
                message = _("Not one of this question's choices: %(names)s.") % {"names": ", ".join(wrong)}
                problems.append(Problem(key, number, "choice", message))
                return
        refusal = self._constraint(element, value, context)
        if refusal is not None:
            problems.append(Problem(key, number, "constraint", refusal))


_cache: OrderedDict[tuple[int, str], CompiledForm] = OrderedDict()
_lock = threading.Lock()


def compile_version(version: QuestionnaireVersion) -> CompiledForm:
    """The version's compiled form, made once per version and kept (the newest CACHE_SIZE versions).

    The key holds the workbook's digest as well as the id, so that a test database that gives an id
    again to another version never gets the other's form.
    """
    key = (version.pk, version.workbook_sha256)
    with _lock:
        found = _cache.get(key)
        if found is not None:
            _cache.move_to_end(key)
            return found
    compiled = CompiledForm(version)
    with _lock:
        _cache[key] = compiled
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return compiled


__all__ = ["CompiledForm", "ExpressionError", "Problem", "compile_version"]
