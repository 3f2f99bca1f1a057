"""Our checks of an XLSForm workbook, every row and column, before pyxform reads it.

pyxform stops at the first mistake it meets; a person fixing a questionnaire wants them all at once.
So every sheet is checked here first and every mistake found is reported, each with its sheet, row,
column and what to change (`Mistake`); pyxform's own checks run only on a workbook that passes these.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cop.survey import xpath
from cop.survey.categories import CATEGORIES
from cop.survey.xpath import ExpressionError, Target

# Columns of ours and of XLSForm that the platform reads; any other is refused, so that a misspelt
# `relevant` is not silently ignored.
SURVEY_COLUMNS = frozenset(
    {
        "type",
        "name",
        "required",
        "relevant",
        "constraint",
        "calculation",
        "choice_filter",
        "category",
        "evidence",
        "appearance",
    }
)
SETTINGS_COLUMNS = frozenset({"form_title", "form_id", "version", "default_language"})
TRANSLATED = {
    "survey": ("label", "hint", "constraint_message"),
    "choices": ("label",),
    "settings": ("form_title",),
}
KINDS = frozenset({"integer", "decimal", "text", "date", "note", "calculate"})
SELECT = re.compile(r"(select_one|select_multiple)(?:\s+(\S+))?\s*\Z")
CONTROL = re.compile(r"(begin|end)[ _](group|repeat)\s*\Z")
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
SLUG = re.compile(r"[-a-zA-Z0-9_]+\Z")
LANGUAGE = re.compile(r"(?P<name>.*?)\s*\((?P<code>[^()]*)\)\s*\Z")
YES_NO = {
    "yes": True,
    "true": True,
    "true()": True,
    "1": True,
    "no": False,
    "false": False,
    "false()": False,
    "0": False,
}
MAX_KEY = 100
MAX_VERSION = 50


def language_codes() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


@dataclass(frozen=True)
class Mistake:
    """One mistake: where (sheet, row from 1 and 0 for the whole sheet, column letter and header) and
    what to change, put into words in the language active when it is shown."""

    sheet: str
    row: int
    column: str
    header: str
    message: str | Promise
    params: tuple[tuple[str, Any], ...] = ()

    def text(self) -> str:
        template = str(self.message)
        return template % dict(self.params) if self.params else template

    def where(self) -> str:
        column = (
            f"{self.column} ({self.header})" if self.column and self.header else self.column or self.header
        )
        if self.row and column:
            return str(_("sheet %(sheet)s, row %(row)s, column %(column)s")) % {
                "sheet": self.sheet,
                "row": self.row,
                "column": column,
            }
        if self.row:
            return str(_("sheet %(sheet)s, row %(row)s")) % {"sheet": self.sheet, "row": self.row}
        return str(_("sheet %(sheet)s")) % {"sheet": self.sheet}

    def __str__(self) -> str:
        return f"{self.where()}: {self.text()}"


@dataclass
class Sheet:
    """A sheet as pyxform read it: headers in order with their column letters, and its rows, the
    first data row being row 2 of the workbook (pyxform keeps empty rows, so positions hold)."""

    name: str
    headers: list[str]
    letters: dict[str, str]
    rows: list[dict[str, str]]

    def numbered(self) -> Iterator[tuple[int, dict[str, str]]]:
        for index, row in enumerate(self.rows):
            if row:
                yield index + 2, row


@dataclass
class Language:
    code: str
    name: str
    header: str


@dataclass
class Element:
    """A row of the survey sheet that is a question, a note, a calculation, a group or a repeat."""

    name: str
    kind: str  # a question kind, "group" or "repeat"
    row: int
    repeat: str
    list_name: str = ""


@dataclass
class Checked:
    """What the checks learnt, for building the form once the workbook is accepted."""

    languages: dict[str, Language] = field(default_factory=dict)  # by header language text
    default_language: str = ""
    elements: dict[str, Element] = field(default_factory=dict)


class Checker:
    def __init__(self, sheets: dict[str, Sheet]) -> None:
        self.sheets = sheets
        self.mistakes: list[Mistake] = []
        self.checked = Checked()
        self.choice_lists: dict[str, list[dict[str, str]]] = {}
        self.choice_columns: dict[str, frozenset[str]] = {}
        self.rows: dict[int, Element] = {}

    def add(
        self, sheet: Sheet | str, row: int, header: str, message: str | Promise, /, **params: Any
    ) -> None:
        name = sheet if isinstance(sheet, str) else sheet.name
        letter = "" if isinstance(sheet, str) else sheet.letters.get(header, "")
        self.mistakes.append(Mistake(name, row, letter, header, message, tuple(params.items())))

    def run(self) -> list[Mistake]:
        survey = self.sheets.get("survey")
        if survey is None:
            self.add(
                "survey", 0, "", _("The workbook has no sheet named “survey”: add it, with the questions.")
            )
            return self.mistakes
        for sheet in self.sheets.values():
            self.headers(sheet)
        self.check_settings_language()
        self.read_choices()
        self.read_elements(survey)
        self.check_rows(survey)
        self.check_settings()
        return self.mistakes

    # Headers and languages -----------------------------------------------------------------

    def headers(self, sheet: Sheet) -> None:
        translated = TRANSLATED.get(sheet.name, ())
        for header in sheet.headers:
            base, _sep, language = header.partition("::")
            # The settings' plain form_title is the default language's title.
            if base in translated and not _sep and sheet.name != "settings":
                self.add(
                    sheet,
                    1,
                    header,
                    _("Name the language of this column with its code, e.g. “%(example)s”."),
                    example=f"{base}::English (en)",
                )
            elif base in translated and _sep:
                self.language(sheet, header, language)
            elif sheet.name == "survey" and header not in SURVEY_COLUMNS:
                self.unknown_column(sheet, header)
            elif sheet.name == "settings" and header not in SETTINGS_COLUMNS:
                self.unknown_column(sheet, header)
        for required in {"survey": ("type", "name"), "choices": ("list_name", "name")}.get(sheet.name, ()):
            if required not in sheet.headers:
                self.add(
                    sheet, 1, required, _("The column “%(column)s” is missing: add it."), column=required
                )

    def unknown_column(self, sheet: Sheet, header: str) -> None:
        self.add(
            sheet,
            1,
            header,
            _("The platform does not know the column “%(column)s”: correct its name or remove it."),
            column=header,
        )

    def language(self, sheet: Sheet, header: str, text: str) -> None:
        match = LANGUAGE.match(text)
        code = match.group("code").strip().lower() if match else ""
        if not match or not code:
            self.add(
                sheet,
                1,
                header,
                _(
                    "The language “%(language)s” has no code: add it in brackets, as in “English (en)” "
                    "(codes: %(codes)s)."
                ),
                language=text,
                codes=", ".join(language_codes()),
            )
            return
        if code not in language_codes():
            self.add(
                sheet,
                1,
                header,
                _("The language code “%(code)s” is not one of the platform's: %(codes)s."),
                code=code,
                codes=", ".join(language_codes()),
            )
            return
        name = match.group("name").strip()
        for known in self.checked.languages.values():
            if known.code == code and known.name != name:
                self.add(
                    sheet,
                    1,
                    header,
                    _("The code %(code)s is written “%(other)s” in column %(column)s: use the same name."),
                    code=code,
                    other=f"{known.name} ({code})",
                    column=known.header,
                )
                return
        self.checked.languages.setdefault(text.strip(), Language(code, name, header))

    def codes(self) -> set[str]:
        return {language.code for language in self.checked.languages.values()}

    def check_settings_language(self) -> None:
        """The default language: from the settings, or English when the workbook has it."""
        value = self.setting("default_language")
        if not value:
            if "en" in self.codes():
                self.checked.default_language = "en"
            else:
                self.add(
                    "settings",
                    0,
                    "default_language",
                    _("Name the default language in the settings sheet's default_language column."),
                )
            return
        match = LANGUAGE.match(value)
        code = (match.group("code") if match else value).strip().lower()
        if code not in self.codes():
            self.add(
                self.sheets["settings"],
                2,
                "default_language",
                _("The default language “%(language)s” has no label columns: use one of %(codes)s."),
                language=value,
                codes=", ".join(sorted(self.codes())) or "-",
            )
            return
        self.checked.default_language = code

    def label_headers(self, sheet: Sheet, base: str = "label") -> dict[str, str]:
        """The header of each language's column of `base` in `sheet`, by language code."""
        found: dict[str, str] = {}
        for header in sheet.headers:
            prefix, _sep, text = header.partition("::")
            language = self.checked.languages.get(text.strip())
            if prefix == base and language is not None:
                found[language.code] = header
        return found

    # Settings -----------------------------------------------------------------------------

    def setting(self, name: str) -> str:
        sheet = self.sheets.get("settings")
        if sheet is None:
            return ""
        return next((row.get(name, "") for _n, row in sheet.numbered()), "").strip()

    def check_settings(self) -> None:
        sheet = self.sheets.get("settings")
        if sheet is None:
            self.add(
                "settings",
                0,
                "",
                _("The workbook has no sheet named “settings”: add it with form_title, form_id and version."),
            )
            return
        form_id, version, title = self.setting("form_id"), self.setting("version"), self.setting("form_title")
        if not form_id:
            self.add(
                sheet,
                2,
                "form_id",
                _("Give the questionnaire's identifier in form_id, e.g. cop-national-survey."),
            )
        elif not SLUG.match(form_id) or len(form_id) > MAX_KEY:
            self.add(
                sheet,
                2,
                "form_id",
                _("“%(value)s” cannot be an identifier: use letters, digits, - and _ only, at most 100."),
                value=form_id,
            )
        if not version:
            self.add(sheet, 2, "version", _("Give the version, e.g. 2026-1, in the version column."))
        elif len(version) > MAX_VERSION:
            self.add(sheet, 2, "version", _("The version is longer than 50 characters: shorten it."))
        if not title:
            self.add(sheet, 2, "form_title", _("Give the questionnaire's title in form_title."))

    # Choices ------------------------------------------------------------------------------

    def read_choices(self) -> None:
        sheet = self.sheets.get("choices")
        if sheet is None:
            return
        default = self.label_headers(sheet).get(self.checked.default_language)
        seen: dict[tuple[str, str], int] = {}
        for number, row in sheet.numbered():
            list_name, name = row.get("list_name", ""), row.get("name", "")
            if not list_name:
                self.add(
                    sheet,
                    number,
                    "list_name",
                    _("This choice has no list_name: give the list it belongs to."),
                )
                continue
            self.choice_lists.setdefault(list_name, [])
            if not name:
                self.add(
                    sheet, number, "name", _("This choice has no name: give it one (letters, digits, _).")
                )
                continue
            if any(ch.isspace() for ch in name):
                self.add(
                    sheet, number, "name", _("The choice name “%(name)s” has spaces: remove them."), name=name
                )
            if (list_name, name) in seen:
                self.add(
                    sheet,
                    number,
                    "name",
                    _("The list %(list)s has the choice %(name)s twice (row %(other)s)."),
                    list=list_name,
                    name=name,
                    other=seen[(list_name, name)],
                )
                continue
            seen[(list_name, name)] = number
            if default and not row.get(default):
                self.add(
                    sheet,
                    number,
                    default,
                    _("This choice has no label in the default language: write it in this column."),
                )
            self.choice_lists[list_name].append(row)
        extra = frozenset(h for h in sheet.headers if "::" not in h and h not in ("list_name", "label"))
        for list_name in self.choice_lists:
            self.choice_columns[list_name] = extra

    # Survey rows --------------------------------------------------------------------------

    def read_elements(self, survey: Sheet) -> None:
        """First pass: the names, kinds and nesting of every row, so that references can point forward."""
        stack: list[tuple[str, str, int]] = []  # (kind, name, row)
        for number, row in survey.numbered():
            kind_text = row.get("type", "")
            control = CONTROL.match(kind_text)
            if control and control.group(1) == "end":
                if not stack:
                    self.add(
                        survey,
                        number,
                        "type",
                        _("This “%(type)s” closes nothing: remove it."),
                        type=kind_text,
                    )
                elif stack[-1][0] != control.group(2):
                    self.add(
                        survey,
                        number,
                        "type",
                        _("This row closes a %(closes)s, but the open one (row %(row)s) is a %(open)s."),
                        closes=control.group(2),
                        row=stack[-1][2],
                        open=stack[-1][0],
                    )
                    stack.pop()
                else:
                    stack.pop()
                continue
            name = row.get("name", "")
            repeat = next((n for k, n, _r in reversed(stack) if k == "repeat"), "")
            kind = self.kind(survey, number, kind_text)
            if kind is None:
                continue
            if control:
                if kind == "repeat" and repeat:
                    self.add(
                        survey,
                        number,
                        "type",
                        _("A repeat inside a repeat (row %(row)s) is not supported: move it out."),
                        row=next(r for k, _n, r in reversed(stack) if k == "repeat"),
                    )
                stack.append((kind, name, number))
            select = SELECT.match(kind_text)
            list_name = (select.group(2) or "") if select else ""
            element = Element(name, kind, number, repeat if kind != "repeat" else "", list_name)
            # Every row with a type is checked further, its name good or not; only good names are references.
            self.rows[number] = element
            if self.check_name(survey, number, name):
                self.checked.elements[name] = element
        for kind, name, number in stack:
            self.add(
                survey,
                number,
                "type",
                _("This %(kind)s “%(name)s” is never closed: add an “end %(kind)s” row after its last row."),
                kind=kind,
                name=name,
            )

    def kind(self, survey: Sheet, number: int, text: str) -> str | None:
        if not text:
            self.add(
                survey, number, "type", _("This row has no type: give one, e.g. text or select_one yes_no.")
            )
            return None
        control = CONTROL.match(text)
        if control:
            return control.group(2)
        select = SELECT.match(text)
        if select:
            if not select.group(2):
                self.add(
                    survey,
                    number,
                    "type",
                    _("Name the choice list after %(type)s, e.g. “%(type)s yes_no”."),
                    type=select.group(1),
                )
                return None
            return select.group(1)
        if text in KINDS:
            return text
        self.add(
            survey,
            number,
            "type",
            _("The type “%(type)s” is not one the platform supports: use %(types)s."),
            type=text,
            types="select_one, select_multiple, integer, decimal, text, date, note, calculate, "
            "begin group, end group, begin repeat, end repeat",
        )
        return None

    def check_name(self, survey: Sheet, number: int, name: str) -> bool:
        if not name:
            self.add(
                survey, number, "name", _("This row has no name: give it a unique name (letters, digits, _).")
            )
            return False
        if not NAME.match(name) or len(name) > MAX_KEY:
            self.add(
                survey,
                number,
                "name",
                _(
                    "“%(name)s” cannot be a name: start with a letter, then use letters, digits, _ . or -, "
                    "at most 100."
                ),
                name=name,
            )
            return False
        if name in self.checked.elements:
            self.add(
                survey,
                number,
                "name",
                _("The name %(name)s is used already on row %(row)s: make it unique."),
                name=name,
                row=self.checked.elements[name].row,
            )
            return False
        return True

    def check_rows(self, survey: Sheet) -> None:
        """Second pass: labels, the yes/no columns, categories and every expression."""
        label = self.label_headers(survey).get(self.checked.default_language)
        if self.checked.default_language and label is None:
            self.add(
                survey,
                1,
                "",
                _("There is no label column in the default language (%(code)s): add one."),
                code=self.checked.default_language,
            )
        calculations: dict[str, set[str]] = {}
        for number, row in survey.numbered():
            element = self.rows.get(number)
            if element is None:
                continue
            kind = element.kind
            if label and kind != "calculate" and not row.get(label):
                self.add(
                    survey, number, label, _("This row has no label in the default language: write it here.")
                )
            self.yes_no(
                survey,
                number,
                row,
                "required",
                answerable=kind not in ("note", "calculate", "group", "repeat"),
            )
            self.yes_no(
                survey,
                number,
                row,
                "evidence",
                answerable=kind not in ("note", "calculate", "group", "repeat"),
            )
            category = row.get("category", "")
            if category and category not in CATEGORIES:
                self.add(
                    survey,
                    number,
                    "category",
                    _("“%(value)s” is not a survey category: use one of %(categories)s."),
                    value=category,
                    categories=", ".join(CATEGORIES),
                )
            if element.list_name:
                self.check_list(survey, number, element.list_name)
            self.expressions(survey, number, row, element, calculations)
        self.cycles(survey, calculations)

    def yes_no(
        self, survey: Sheet, number: int, row: dict[str, str], column: str, *, answerable: bool
    ) -> None:
        value = row.get(column, "")
        if not value:
            return
        if value.lower() not in YES_NO:
            self.add(survey, number, column, _("Write yes or no here, not “%(value)s”."), value=value)
        elif not answerable and YES_NO[value.lower()]:
            self.add(survey, number, column, _("This row takes no answer: leave this column empty."))

    def check_list(self, survey: Sheet, number: int, list_name: str) -> None:
        if list_name not in self.choice_lists:
            self.add(
                survey,
                number,
                "type",
                _("The choice list %(list)s is not on the choices sheet: add its choices there."),
                list=list_name,
            )
        elif not self.choice_lists[list_name]:
            self.add(
                survey,
                number,
                "type",
                _("The choice list %(list)s has no choices with a name: complete it on the choices sheet."),
                list=list_name,
            )

    def target(self, name: str) -> Target | None:
        element = self.checked.elements.get(name)
        if element is None:
            return None
        choices = [{"name": row.get("name", "")} for row in self.choice_lists.get(element.list_name, [])]
        # A calculation is compiled here without its own expression: only the reference is checked.
        return Target(kind=element.kind, repeat=element.repeat, choices=choices)

    def expressions(
        self,
        survey: Sheet,
        number: int,
        row: dict[str, str],
        element: Element,
        calculations: dict[str, set[str]],
    ) -> None:
        kind = element.kind
        allowed = {
            "relevant": True,
            "constraint": kind not in ("note", "calculate", "group", "repeat"),
            "calculation": kind == "calculate",
            "choice_filter": bool(element.list_name),
        }
        if kind == "calculate" and not row.get("calculation"):
            self.add(survey, number, "calculation", _("A calculate row needs its calculation here."))
        for column, is_allowed in allowed.items():
            text = row.get(column, "")
            if not text:
                continue
            if not is_allowed:
                self.add(
                    survey,
                    number,
                    column,
                    _("This kind of row takes no %(column)s: remove it."),
                    column=column,
                )
                continue
            # A repeat's relevance is worked out outside it; everything else where the row sits.
            scope = "" if kind == "repeat" else element.repeat
            columns = self.choice_columns.get(element.list_name) if column == "choice_filter" else None
            compiler = xpath.Compiler(resolve=self.target, repeat=scope, choice_columns=columns)
            try:
                tree = xpath.parse(text)
                compiler.compile(tree)
            except ExpressionError as error:
                self.add(
                    survey,
                    number,
                    column,
                    _("The expression cannot be used: %(problem)s"),
                    problem=error.text(),
                )
                continue
            if column == "calculation" and self.checked.elements.get(element.name) is element:
                calculations[element.name] = {
                    name
                    for name in xpath.references(tree)
                    if name in self.checked.elements and self.checked.elements[name].kind == "calculate"
                }

    def cycles(self, survey: Sheet, calculations: dict[str, set[str]]) -> None:
        """A calculation that depends on itself, through others or not, has no value."""
        reported: set[str] = set()
        for start in calculations:
            path: list[str] = []

            def visit(name: str, path: list[str]) -> list[str] | None:
                if name in path:
                    return path[path.index(name) :]
                for following in sorted(calculations.get(name, ())):
                    loop = visit(following, [*path, name])
                    if loop:
                        return loop
                return None

            loop = visit(start, path)
            if loop and not reported & set(loop):
                reported.update(loop)
                first = self.checked.elements[loop[0]]
                self.add(
                    survey,
                    first.row,
                    "calculation",
                    _("These calculations depend on each other in a loop: %(names)s. Break the loop."),
                    names=" → ".join([*loop, loop[0]]),
                )


def check(sheets: dict[str, Sheet]) -> tuple[list[Mistake], Checked]:
    """Every mistake of the workbook's sheets, in the order of the sheets and rows."""
    checker = Checker(sheets)
    mistakes = checker.run()
    order = {"settings": 0, "survey": 1, "choices": 2}
    mistakes.sort(key=lambda m: (order.get(m.sheet, 3), m.row, len(m.column), m.column))
    return mistakes, checker.checked
