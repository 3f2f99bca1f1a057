"""The COP national survey as shipped: a complete, consistent XLSForm workbook in the six languages.

The workbook is read with openpyxl and converted with pyxform only, so these checks stand on their own,
whatever reads the workbook into the database. Each check returns the problems it finds; each runs on
the shipped workbook (no problems) and on a copy with one mistake put in (that mistake found), so none
of them could pass whatever the workbook says.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
from pyxform import xls2xform  # type: ignore[import-untyped]
from pyxform.errors import PyXFormError  # type: ignore[import-untyped]

WORKBOOK = Path(__file__).resolve().parents[1] / "forms" / "cop-national-survey.xlsx"

# The platform's language codes and the names the column headers give them.
LANGUAGES = {
    "en": "English",
    "fr": "Français",
    "es": "Español",
    "ru": "Русский",
    "ar": "العربية",
    "zh-hans": "中文",
}
CATEGORIES = {"perceptions", "advice", "awareness", "focal_points", "legal", "industry", "assistance"}
ANSWERED = {"select_one", "select_multiple", "integer", "decimal", "text", "date"}
# The XPath functions the survey's expressions may call: the ones the expression compiler must know.
FUNCTIONS = {"not", "selected", "count-selected", "string-length", "format-date", "today"}
# XPath's word operators, which a bracket may follow: "a and (b or c)".
OPERATORS = {"and", "or", "div", "mod"}
# A letter of the language's own script, which a label left in English would lack.
SCRIPTS = {
    "ru": re.compile(r"[а-яё]", re.I),
    "ar": re.compile(r"[\u0600-\u06ff]"),
    "zh-hans": re.compile(r"[\u4e00-\u9fff]"),
}
REFERENCE = re.compile(r"\$\{([^}]*)\}")
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")

Row = dict[str, str]
Sheets = dict[str, list[Row]]


def columns(prefix: str) -> list[str]:
    return [f"{prefix}::{name} ({code})" for code, name in LANGUAGES.items()]


SURVEY_COLUMNS = [
    "type",
    "name",
    *columns("label"),
    *columns("hint"),
    "required",
    "relevant",
    "constraint",
    *columns("constraint_message"),
    "calculation",
    "choice_filter",
    "category",
    "evidence",
]
CHOICES_COLUMNS = ["list_name", "name", *columns("label")]
SETTINGS_COLUMNS = ["form_title", "form_id", "version", "default_language"]
EXPRESSIONS = ("relevant", "constraint", "calculation", "choice_filter")


@cache
def shipped() -> Sheets:
    book = openpyxl.load_workbook(WORKBOOK, read_only=True)
    sheets: Sheets = {}
    for sheet in book.worksheets:
        rows = [
            ["" if value is None else str(value) for value in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        header, body = rows[0], rows[1:]
        sheets[sheet.title] = [dict(zip(header, row, strict=True)) for row in body if any(row)]
    book.close()
    return sheets


def kind(row: Row) -> str:
    return row["type"].split()[0] if row["type"] else ""


def list_of(row: Row) -> str:
    parts = row["type"].split()
    return parts[1] if len(parts) > 1 else ""


def questions(sheets: Sheets) -> list[Row]:
    return [row for row in sheets["survey"] if not kind(row).startswith(("begin_", "end_"))]


# The checks ------------------------------------------------------------------------------------


def check_columns(sheets: Sheets) -> list[str]:
    expected = {"survey": SURVEY_COLUMNS, "choices": CHOICES_COLUMNS, "settings": SETTINGS_COLUMNS}
    return [
        f"{name}: columns {list(sheets[name][0])} instead of {wanted}"
        for name, wanted in expected.items()
        if list(sheets[name][0]) != wanted
    ]


def check_languages(sheets: Sheets) -> list[str]:
    problems = []
    for row in sheets["survey"]:
        labelled = kind(row) not in ("end_group", "end_repeat", "calculate")
        for prefix, needed in (
            ("label", labelled),
            ("hint", any(row[c] for c in columns("hint"))),
            ("constraint_message", bool(row["constraint"])),
        ):
            for column in columns(prefix):
                if needed and not row[column].strip():
                    problems.append(f"survey {row['name'] or row['type']}: {column} is empty")
                if not needed and row[column].strip():
                    problems.append(f"survey {row['name'] or row['type']}: {column} has nothing to go with")
    for row in sheets["choices"]:
        problems += [
            f"choices {row['list_name']}.{row['name']}: {c} is empty" for c in columns("label") if not row[c]
        ]
    return problems


def check_scripts(sheets: Sheets) -> list[str]:
    """Russian, Arabic and Chinese texts are written in their own script, not left in English."""
    problems = []
    for sheet, key in (("survey", "name"), ("choices", "name")):
        for row in sheets[sheet]:
            for code, script in SCRIPTS.items():
                for prefix in ("label", "hint", "constraint_message"):
                    column = f"{prefix}::{LANGUAGES[code]} ({code})"
                    if row.get(column) and not script.search(row[column]):
                        problems.append(f"{sheet} {row[key]}: {column} is not in its language's script")
    return problems


def check_settings(sheets: Sheets) -> list[str]:
    settings = sheets["settings"][0]
    wanted = {"form_id": "cop-national-survey", "version": "2026.1", "default_language": "English (en)"}
    problems = [f"settings: {k} is {settings[k]!r}, not {v!r}" for k, v in wanted.items() if settings[k] != v]
    return problems + ([] if settings["form_title"] else ["settings: form_title is empty"])


def check_categories(sheets: Sheets) -> list[str]:
    """Each top-level group is one page and one category; every category has its group."""
    problems, seen, depth, group = [], [], 0, ""
    for row in sheets["survey"]:
        if kind(row) in ("end_group", "end_repeat"):
            depth -= 1
            continue
        if depth == 0:
            if kind(row) != "begin_group":
                problems.append(f"survey {row['name']}: outside any group")
                continue
            group = row["category"]
            seen.append(group)
            if group not in CATEGORIES:
                problems.append(f"survey {row['name']}: category {group!r} is not one of the seven")
        elif row["category"] != group:
            problems.append(f"survey {row['name']}: category {row['category']!r} in the {group!r} group")
        if kind(row).startswith("begin_"):
            depth += 1
    missing = CATEGORIES - set(seen)
    twice = {c for c in seen if seen.count(c) > 1}
    return (
        problems
        + [f"no group for category {c}" for c in sorted(missing)]
        + [f"two groups for category {c}" for c in sorted(twice)]
    )


def check_keys(sheets: Sheets) -> list[str]:
    named = [row["name"] for row in sheets["survey"] if not kind(row).startswith("end_")]
    problems = [f"survey: key {k!r} is not short snake_case" for k in named if not KEY.match(k)]
    problems += [f"survey: key {k!r} used twice" for k in sorted({k for k in named if named.count(k) > 1})]
    for list_name in {row["list_name"] for row in sheets["choices"]}:
        names = [row["name"] for row in sheets["choices"] if row["list_name"] == list_name]
        problems += [f"choices {list_name}: {n!r} is not snake_case" for n in names if not KEY.match(n)]
        problems += [
            f"choices {list_name}: {n!r} used twice" for n in sorted({n for n in names if names.count(n) > 1})
        ]
    return problems


def repeats_of(sheets: Sheets) -> dict[str, str]:
    """Each key, with the repeat it sits in ('' outside any)."""
    where, stack = {}, []
    for row in sheets["survey"]:
        if kind(row) == "begin_repeat":
            stack.append(row["name"])
        elif kind(row) == "end_repeat":
            stack.pop()
        elif row["name"]:
            where[row["name"]] = stack[-1] if stack else ""
    return where


def check_references(sheets: Sheets) -> list[str]:
    """Every ${key} names a question; one inside a repeat is named only from within that repeat."""
    where, problems = repeats_of(sheets), []
    texts = [*EXPRESSIONS, *columns("label"), *columns("hint"), *columns("constraint_message")]
    for row in sheets["survey"]:
        for column in texts:
            for key in REFERENCE.findall(row[column]):
                if key not in where:
                    problems.append(f"survey {row['name']}: {column} names ${{{key}}}, which is no question")
                elif where[key] and where.get(row["name"]) != where[key]:
                    problems.append(f"survey {row['name']}: {column} reaches into the repeat {where[key]}")
    return problems


def check_functions(sheets: Sheets) -> list[str]:
    problems = []
    for row in sheets["survey"]:
        for column in EXPRESSIONS:
            for name in re.findall(r"([A-Za-z][\w-]*)\s*\(", row[column]):
                if name not in FUNCTIONS and name not in OPERATORS:
                    problems.append(
                        f"survey {row['name']}: {column} calls {name}(), which is not in the list"
                    )
    return problems


def check_choices(sheets: Sheets) -> list[str]:
    """Every select names a list; every list is used; every choice an expression names exists."""
    lists: dict[str, set[str]] = {}
    for row in sheets["choices"]:
        lists.setdefault(row["list_name"], set()).add(row["name"])
    selects = {row["name"]: list_of(row) for row in questions(sheets) if kind(row).startswith("select_")}
    problems = [f"survey {k}: no choice list {v!r}" for k, v in selects.items() if v not in lists]
    problems += [f"choices: list {n!r} is not used" for n in sorted(set(lists) - set(selects.values()))]
    for row in sheets["survey"]:
        for column in EXPRESSIONS:
            expression = row[column]
            named = re.findall(r"\$\{(\w+)\}\s*!?=\s*'([^']*)'", expression)
            named += re.findall(r"selected\(\s*\$\{(\w+)\}\s*,\s*'([^']*)'\)", expression)
            named += [(row["name"], v) for v in re.findall(r"selected\(\s*\.\s*,\s*'([^']*)'\)", expression)]
            for key, value in named:
                if value not in lists.get(selects.get(key, ""), set()):
                    problems.append(
                        f"survey {row['name']}: {column} compares {key} with {value!r}, not a choice of it"
                    )
    return problems


def check_shape(sheets: Sheets) -> list[str]:
    """30 to 40 questions, using what the format offers where it helps a ministry answer well."""
    rows = questions(sheets)
    answered = [row for row in rows if kind(row) in ANSWERED]
    count = {k: sum(1 for row in rows if kind(row) == k) for k in ("note", "calculate")}
    repeats = sum(1 for row in sheets["survey"] if kind(row) == "begin_repeat")
    problems = [] if 30 <= len(answered) <= 40 else [f"{len(answered)} questions, not 30 to 40"]
    problems += [f"no {k}" for k, n in count.items() if n == 0]
    problems += ["more than one repeat"] if repeats > 1 else []
    for column, value in (("required", "yes"), ("evidence", "yes")):
        if any(row[column] not in ("", value) for row in sheets["survey"]):
            problems.append(f"survey: {column} holds something other than {value!r} or nothing")
    for column in ("required", "evidence", "relevant", "constraint", "choice_filter", "calculation"):
        if not any(row[column] for row in rows):
            problems.append(f"survey: no question uses {column}")
    problems += [
        f"survey {r['name']}: evidence on a {kind(r)}"
        for r in rows
        if r["evidence"] and kind(r) not in ANSWERED
    ]
    return problems


CHECKS: list[Callable[[Sheets], list[str]]] = [
    check_columns,
    check_languages,
    check_scripts,
    check_settings,
    check_categories,
    check_keys,
    check_references,
    check_functions,
    check_choices,
    check_shape,
]


# The shipped workbook passes every check -------------------------------------------------------


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: check.__name__)
def test_the_shipped_workbook_passes_the_check(check: Callable[[Sheets], list[str]]) -> None:
    assert check(shipped()) == []


def test_it_asks_between_30_and_40_questions_across_the_seven_categories() -> None:
    answered = [row for row in questions(shipped()) if kind(row) in ANSWERED]
    assert 30 <= len(answered) <= 40
    assert {row["category"] for row in answered} == CATEGORIES


def test_pyxform_converts_it_with_no_warning_but_the_chinese_language_code() -> None:
    warnings: list[str] = []
    result = xls2xform.convert(xlsform=str(WORKBOOK), warnings=warnings)
    # pyxform checks codes against IANA primary subtags only, so the platform's "zh-hans" (a script
    # subtag the convention requires) is the one warning that cannot be avoided.
    assert len(warnings) == 1
    assert "中文 (zh-hans)" in warnings[0]
    for code, name in LANGUAGES.items():
        assert f'<translation lang="{name} ({code})"' in result.xform
    assert 'default="true()"' in result.xform.split('lang="English (en)"')[1][:30]
    assert 'id="cop-national-survey" version="2026.1"' in result.xform
    # The choice filter became a filtered item set, the repeat a template.
    assert "instance('issue')/root/item[selected(" in result.xform
    assert 'jr:template=""' in result.xform


def test_pyxform_refuses_the_workbook_with_a_broken_reference() -> None:
    book = openpyxl.load_workbook(WORKBOOK)
    survey = book["survey"]
    relevant = [cell.value for cell in survey[1]].index("relevant")
    for row in survey.iter_rows(min_row=2):
        if row[1].value == "strategy_year":
            row[relevant].value = "${no_such_question} = 'yes'"
    data = io.BytesIO()
    book.save(data)
    with pytest.raises(PyXFormError, match="no_such_question"):
        xls2xform.convert(xlsform=data.getvalue(), warnings=[])


# Each check finds the mistake it is there for -------------------------------------------------


def mutated(change: Callable[[Sheets], None]) -> Sheets:
    sheets = copy.deepcopy(shipped())
    change(sheets)
    return sheets


def row_named(sheets: Sheets, name: str) -> Row:
    return next(row for row in sheets["survey"] if row["name"] == name)


def blank_russian_hint(s: Sheets) -> None:
    row_named(s, "helpline")["hint::Русский (ru)"] = ""


def english_left_in_arabic(s: Sheets) -> None:
    row_named(s, "helpline")["label::العربية (ar)"] = row_named(s, "helpline")["label::English (en)"]


def constraint_without_message(s: Sheets) -> None:
    row_named(s, "concern_level")["constraint"] = ". != 'low'"


def category_unknown(s: Sheets) -> None:
    row_named(s, "hotline")["category"] = "industry"


def key_reused(s: Sheets) -> None:
    row_named(s, "law_year")["name"] = "strategy_year"


def reference_unknown(s: Sheets) -> None:
    row_named(s, "law_year")["relevant"] = "${law_specfic} = 'yes'"


def reference_into_repeat(s: Sheets) -> None:
    row_named(s, "strategy_exists")["relevant"] = "${agency_name} != ''"


def function_unknown(s: Sheets) -> None:
    row_named(s, "helpline_number")["constraint"] = "regex(., '^[0-9 ]+$')"


def choice_unknown(s: Sheets) -> None:
    row_named(s, "strategy_year")["relevant"] = "${strategy_exists} = 'yess'"


def list_unknown(s: Sheets) -> None:
    row_named(s, "concern_trend")["type"] = "select_one trends"


def too_many_questions(s: Sheets) -> None:
    extra = [dict(row_named(s, "good_practice"), name=f"extra_{n}") for n in range(10)]
    s["survey"][-1:-1] = extra


def wrong_version(s: Sheets) -> None:
    s["settings"][0]["version"] = "2026"


def column_renamed(s: Sheets) -> None:
    s["survey"] = [
        {("label::中文 (zh)" if k == "label::中文 (zh-hans)" else k): v for k, v in r.items()}
        for r in s["survey"]
    ]


@pytest.mark.parametrize(
    ("check", "change", "found"),
    [
        (check_languages, blank_russian_hint, "helpline: hint::Русский (ru) is empty"),
        (
            check_languages,
            constraint_without_message,
            "concern_level: constraint_message::English (en) is empty",
        ),
        (
            check_scripts,
            english_left_in_arabic,
            "helpline: label::العربية (ar) is not in its language's script",
        ),
        (check_categories, category_unknown, "hotline: category 'industry' in the 'legal' group"),
        (check_keys, key_reused, "key 'strategy_year' used twice"),
        (check_references, reference_unknown, "names ${law_specfic}, which is no question"),
        (
            check_references,
            reference_into_repeat,
            "strategy_exists: relevant reaches into the repeat agencies",
        ),
        (check_functions, function_unknown, "calls regex(), which is not in the list"),
        (check_choices, choice_unknown, "compares strategy_exists with 'yess'"),
        (check_choices, list_unknown, "concern_trend: no choice list 'trends'"),
        (check_shape, too_many_questions, "48 questions, not 30 to 40"),
        (check_settings, wrong_version, "version is '2026', not '2026.1'"),
        (check_columns, column_renamed, "survey: columns"),
    ],
    ids=lambda value: getattr(value, "__name__", "")[:40] or None,
)
def test_the_check_finds_the_mistake(
    check: Callable[[Sheets], list[str]], change: Callable[[Sheets], None], found: str
) -> None:
    problems = check(mutated(change))
    assert any(found in problem for problem in problems), problems


def test_the_version_is_stored_as_text_so_that_a_spreadsheet_keeps_it_as_written() -> None:
    # As a number, "2026.10" would read back as 2026.1, the version before it.
    book = openpyxl.load_workbook(WORKBOOK, read_only=True)
    settings = book["settings"]
    header = [cell.value for cell in next(settings.iter_rows(max_row=1))]
    version = next(settings.iter_rows(min_row=2, max_row=2))[header.index("version")]
    assert (version.value, version.data_type) == ("2026.1", "s")
    book.close()
