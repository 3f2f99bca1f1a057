"""Small XLSForm workbooks made in the tests with openpyxl: neutral made-up questions only."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook  # type: ignore[import-untyped]

EN, FR, AR = "English (en)", "Français (fr)", "العربية (ar)"


def texts(column: str, en: str, fr: str | None = None, ar: str | None = None) -> dict[str, str]:
    """A translated column's cells: {"label::English (en)": en, ...}."""
    cells = {f"{column}::{EN}": en}
    if fr is not None:
        cells[f"{column}::{FR}"] = fr
    if ar is not None:
        cells[f"{column}::{AR}"] = ar
    return cells


def label(en: str, fr: str | None = None, ar: str | None = None) -> dict[str, str]:
    return texts("label", en, fr, ar)


def row(kind: str, name: str = "", en: str = "", **cells: Any) -> dict[str, Any]:
    """A survey row; `en` is its English label (French and Arabic made from it unless given)."""
    result: dict[str, Any] = {"type": kind}
    if name:
        result["name"] = name
    if en:
        result.update(label(en, cells.pop("fr", f"{en} (fr)"), cells.pop("ar", f"{en} (ar)")))
    result.update(cells)
    return result


def choice(list_name: str, name: str, en: str, **cells: Any) -> dict[str, Any]:
    return {"list_name": list_name, "name": name, **label(en, f"{en} (fr)", f"{en} (ar)"), **cells}


def settings(form_id: str = "test-survey", version: str = "1", **cells: Any) -> dict[str, Any]:
    return {
        "form_title": "Test survey",
        "form_id": form_id,
        "version": version,
        "default_language": EN,
        **cells,
    }


def _sheet(book: Workbook, title: str, rows: list[dict[str, Any]], first: bool = False) -> None:
    sheet = book.active if first else book.create_sheet()
    sheet.title = title
    columns: list[str] = []
    for entry in rows:
        columns.extend(key for key in entry if key not in columns)
    sheet.append(columns)
    for entry in rows:
        sheet.append([entry.get(column) for column in columns])


def workbook(
    survey: list[dict[str, Any]],
    choices: list[dict[str, Any]] | None = None,
    settings_row: dict[str, Any] | None = None,
) -> bytes:
    book = Workbook()
    _sheet(book, "survey", survey, first=True)
    if choices is not None:
        _sheet(book, "choices", choices)
    _sheet(book, "settings", [settings_row if settings_row is not None else settings()])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def sample_survey() -> list[dict[str, Any]]:
    """A questionnaire using every kind the platform supports: groups, a repeat, skip logic, a filter."""
    return [
        row("begin group", "about", "About the answer", category="focal_points"),
        row("text", "office", "Which office answers?", required="yes", **texts("hint", "Name of the office")),
        row("date", "answered_on", "Date of the answer", constraint=". <= today()"),
        row("end group"),
        row("begin group", "legal", "Laws", category="legal"),
        row("select_one yes_no", "has_law", "Is there a law?", required="yes", evidence="yes"),
        row(
            "integer", "law_year", "Year of the law", relevant="${has_law} = 'yes'",
            constraint=". >= 1950 and . <= 2100", **texts("constraint_message", "Between 1950 and 2100"),
        ),
        row("begin group", "details", "Details", relevant="${has_law} = 'yes'"),
        row("select_multiple topics", "topics", "Topics covered"),
        row(
            "select_one subtopic", "main_subtopic", "Main subtopic",
            choice_filter="topic=${topics} or selected(${topics}, topic)",
        ),
        row("end group"),
        row("note", "thanks", "Thank you"),
        row("end group"),
        row("begin repeat", "programmes", "Programmes", category="awareness"),
        row("text", "programme_name", "Name of the programme", required="yes"),
        row("decimal", "budget", "Budget (millions)", constraint=". >= 0"),
        row("end repeat"),
        row("calculate", "programme_count", calculation="count(${programmes})"),
        row("calculate", "budget_total", calculation="sum(${budget})"),
    ]  # fmt: skip


def sample_choices() -> list[dict[str, Any]]:
    return [
        choice("yes_no", "yes", "Yes"),
        choice("yes_no", "no", "No"),
        choice("topics", "alpha", "Topic alpha"),
        choice("topics", "beta", "Topic beta"),
        choice("subtopic", "alpha_one", "Alpha one", topic="alpha"),
        choice("subtopic", "beta_one", "Beta one", topic="beta"),
        choice("subtopic", "beta_two", "Beta two", topic="beta"),
    ]


def sample_workbook(**settings_cells: Any) -> bytes:
    return workbook(sample_survey(), sample_choices(), settings(**settings_cells))
