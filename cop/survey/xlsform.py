"""XLSForm workbooks in and out: read one into the rows of a questionnaire version, write one back.

Reading (`read_workbook`) goes in four steps, each refusing with reasons a person can act on:
1. the upload: at most MAX_WORKBOOK_BYTES, a real .xlsx (recognised by its content, no macros), its
   ZIP read member by member within cop/core/archives.py's limits (a "zip bomb" is refused before
   anything unpacks) and packed again, so that pyxform and openpyxl only ever see checked bytes;
2. pyxform's reader turns the sheets into rows;
3. our checks (cop/survey/workbook_checks.py) look at every row and list every mistake;
4. pyxform's own checks and builder read the form; the questions are made from what it built.

Writing (`export_workbook`) makes the workbook again from the version's rows, so importing it gives
the same questions.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook, load_workbook  # type: ignore[import-untyped]
from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
from pyxform.builder import create_survey_element_from_dict  # type: ignore[import-untyped]
from pyxform.errors import PyXFormError  # type: ignore[import-untyped]
from pyxform.xls2json import workbook_to_json  # type: ignore[import-untyped]
from pyxform.xls2json_backends import DefinitionData, xlsx_to_dict  # type: ignore[import-untyped]

from cop.core.archives import ArchiveLimits, ArchiveRefused, open_zip
from cop.core.errors import Invalid, TooLarge
from cop.guidance.validators import detect_document_type
from cop.survey.models import Question, QuestionKind, QuestionnaireVersion
from cop.survey.workbook_checks import YES_NO, Checked, Mistake, Sheet, check

MAX_WORKBOOK_BYTES = 5 * 1024 * 1024
# A questionnaire's workbook unpacks to a few megabytes at most; these bound what a hostile one can do.
LIMITS = ArchiveLimits(max_members=200, max_total_bytes=64 * 1024 * 1024, max_ratio=100)
MAX_MEMBER_BYTES = 32 * 1024 * 1024
SHEETS = ("survey", "choices", "settings")
PYXFORM_KINDS = {
    "select one": QuestionKind.SELECT_ONE,
    "select all that apply": QuestionKind.SELECT_MULTIPLE,
    "integer": QuestionKind.INTEGER,
    "decimal": QuestionKind.DECIMAL,
    "text": QuestionKind.TEXT,
    "date": QuestionKind.DATE,
    "note": QuestionKind.NOTE,
    "calculate": QuestionKind.CALCULATE,
}
_PYXFORM_ROW = re.compile(r"\[row\s*:\s*(\d+)\]")
_PYXFORM_SHEET = re.compile(r"'(survey|choices|settings)' sheet")


class WorkbookRefused(Invalid):
    """A workbook with mistakes; `mistakes` lists every one, `details` gives them to the API."""

    def __init__(self, mistakes: list[Mistake]) -> None:
        super().__init__(
            _("The workbook has %(count)s mistakes; nothing was imported. Correct them and upload it again."),
            count=len(mistakes),
            details=[
                {"location": [m.sheet, str(m.row), m.column or m.header], "message": m} for m in mistakes
            ],
        )
        self.mistakes = mistakes


@dataclass
class ParsedForm:
    """A workbook that passed every check, as the rows it becomes."""

    slug: str
    version: str
    title: dict[str, str]
    default_language: str
    languages: list[str]
    questions: list[Question]
    form: dict[str, Any]


# 1. The upload -----------------------------------------------------------------------------


def checked_bytes(data: bytes, filename: str | None = None) -> bytes:
    """The workbook's ZIP, read within limits and packed again; refuses anything but a plain .xlsx."""
    if len(data) > MAX_WORKBOOK_BYTES:
        raise TooLarge(
            _("The workbook is larger than %(size)s MB."), size=MAX_WORKBOOK_BYTES // (1024 * 1024)
        )
    if filename is not None and not filename.lower().endswith(".xlsx"):
        raise Invalid(_("Only Excel workbooks (.xlsx) can be imported; save the questionnaire as .xlsx."))
    handle = io.BytesIO(data)
    try:
        kind = detect_document_type(handle)
        if kind != "xlsx":
            raise Invalid(_("This file is not an Excel workbook (.xlsx); save the questionnaire as .xlsx."))
        packed = io.BytesIO()
        with open_zip(handle, LIMITS) as archive, zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as out:
            names = sorted(name for name in archive.names() if not name.endswith("/"))
            if any(name.lower().endswith("vbaproject.bin") for name in names):
                raise Invalid(_("The workbook contains macros; save it as a plain .xlsx workbook."))
            total = 0
            for name in names:
                content = archive.read(name, MAX_MEMBER_BYTES)
                total += len(content)
                if total > LIMITS.max_total_bytes:
                    raise Invalid(_("The workbook unpacks to more than a questionnaire can hold."))
                out.writestr(name, content)
    except ArchiveRefused as refused:
        raise Invalid(refused.message) from None
    return packed.getvalue()


# 2. pyxform's reader -----------------------------------------------------------------------


def _clean_header(value: Any) -> str:
    # As pyxform cleans a header: stripped, runs of spaces made one.
    return re.sub(r"( )+", " ", str(value).strip()) if value is not None else ""


def _letters(data: bytes) -> dict[str, dict[str, str]]:
    """The column letter of every header of the three sheets (pyxform's reader keeps no positions)."""
    found: dict[str, dict[str, str]] = {}
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        for title in book.sheetnames:
            if title.lower() not in SHEETS:
                continue
            first = next(book[title].iter_rows(min_row=1, max_row=1, values_only=True), ())
            found[title.lower()] = {
                _clean_header(value): get_column_letter(index)
                for index, value in enumerate(first, start=1)
                if _clean_header(value)
            }
    finally:
        book.close()
    return found


def read_sheets(data: bytes) -> tuple[dict[str, Sheet], dict[str, Any]]:
    """The three sheets as pyxform reads them, and pyxform's own reading (for step 4)."""
    try:
        book = xlsx_to_dict(io.BytesIO(data))
    except PyXFormError as error:
        raise WorkbookRefused([_pyxform_mistake(error)]) from None
    letters = _letters(data)
    sheets: dict[str, Sheet] = {}
    for name in SHEETS:
        if name not in book:
            continue
        header_rows = book.get(f"{name}_header") or [{}]
        headers = list(header_rows[0].keys())
        sheets[name] = Sheet(name, headers, letters.get(name, {}), list(book[name]))
    return sheets, book


def _pyxform_mistake(error: Exception) -> Mistake:
    text = str(error)
    row = _PYXFORM_ROW.search(text)
    sheet = _PYXFORM_SHEET.search(text)
    return Mistake(
        sheet.group(1) if sheet else "survey",
        int(row.group(1)) if row else 0,
        "",
        "",
        _("The XLSForm checker (pyxform) refuses the workbook: %(detail)s"),
        (("detail", text),),
    )


# 3 and 4: the checks, then pyxform --------------------------------------------------------


def read_workbook(data: bytes, filename: str | None = None) -> ParsedForm:
    """The questionnaire version a workbook describes, or WorkbookRefused listing every mistake."""
    clean = checked_bytes(data, filename)
    sheets, book = read_sheets(clean)
    mistakes, checked = check(sheets)
    if mistakes:
        raise WorkbookRefused(mistakes)
    # Titles per language are ours; pyxform takes one title only.
    pyxform_book = dict(book)
    pyxform_book["settings"] = [
        {k: v for k, v in row.items() if "::" not in k} for row in book.get("settings", [])
    ]
    pyxform_book["settings_header"] = [
        {k: v for k, v in row.items() if "::" not in k} for row in book.get("settings_header", [])
    ]
    try:
        built = workbook_to_json(workbook_dict=DefinitionData(**pyxform_book), warnings=[])
        create_survey_element_from_dict(built).to_xml(validate=False, warnings=[])
    except PyXFormError as error:
        raise WorkbookRefused([_pyxform_mistake(error)]) from None
    return _build(built, sheets, checked)


def _texts(value: Any, checked: Checked) -> dict[str, str]:
    """A pyxform label (per language name, or one text) as {language code: text}."""
    if isinstance(value, str):
        return {checked.default_language: value} if value else {}
    if not isinstance(value, dict):
        return {}
    texts: dict[str, str] = {}
    for name, text in value.items():
        language = checked.languages.get(str(name).strip())
        if language is not None and isinstance(text, str) and text:
            texts[language.code] = text
    return texts


def _choices(question: dict[str, Any], checked: Checked) -> list[dict[str, Any]]:
    choices = []
    for choice in question.get("choices") or []:
        extra = {k: v for k, v in choice.items() if k not in ("name", "label", "media")}
        choices.append({"name": str(choice["name"]), "label": _texts(choice.get("label"), checked), **extra})
    return choices


@dataclass
class _Place:
    top: str = ""
    repeat: str = ""
    parent: str = ""
    category: str = ""


class _Builder:
    def __init__(self, checked: Checked) -> None:
        self.checked = checked
        self.questions: list[Question] = []
        self.groups: list[dict[str, Any]] = []
        self.outline: list[list[str]] = []
        self.parents: dict[str, str] = {}
        self.lists: dict[str, str] = {}
        self.appearance: dict[str, str] = {}

    def walk(self, children: list[dict[str, Any]], place: _Place) -> None:
        for child in children:
            kind = child.get("type")
            name = str(child.get("name"))
            if kind in ("group", "repeat"):
                if name == "meta" and (child.get("control") or {}).get("bodyless"):
                    continue  # pyxform's own metadata, not part of the questionnaire
                self.group(child, kind, name, place)
            elif kind in PYXFORM_KINDS:
                self.question(child, PYXFORM_KINDS[kind], name, place)

    def group(self, child: dict[str, Any], kind: str, name: str, place: _Place) -> None:
        category = str(child.get("category") or place.category)
        bind = child.get("bind") or {}
        self.groups.append(
            {
                "key": name,
                "kind": kind,
                "parent": place.parent,
                "relevant": str(bind.get("relevant") or ""),
                "label": _texts(child.get("label"), self.checked),
                "hint": _texts(child.get("hint"), self.checked),
                "category": str(child.get("category") or ""),
            }
        )
        self.outline.append(["begin", name])
        inner = _Place(
            top=place.top or name,
            repeat=name if kind == "repeat" else place.repeat,
            parent=name,
            category=category,
        )
        self.walk(child.get("children") or [], inner)
        self.outline.append(["end", name])

    def question(self, child: dict[str, Any], kind: str, name: str, place: _Place) -> None:
        bind = child.get("bind") or {}
        self.outline.append(["question", name])
        self.parents[name] = place.parent
        if child.get("list_name"):
            self.lists[name] = str(child["list_name"])
        appearance = (child.get("control") or {}).get("appearance")
        if appearance:
            self.appearance[name] = str(appearance)
        self.questions.append(
            Question(
                key=name,
                position=len(self.questions) + 1,
                kind=kind,
                group=place.top,
                repeat=place.repeat,
                category=str(child.get("category") or place.category),
                label=_texts(child.get("label"), self.checked),
                hint=_texts(child.get("hint"), self.checked),
                choices=_choices(child, self.checked),
                required=YES_NO.get(str(bind.get("required") or "").lower(), False),
                relevant=str(bind.get("relevant") or ""),
                constraint=str(bind.get("constraint") or ""),
                constraint_message=_texts(bind.get("jr:constraintMsg"), self.checked),
                calculation=str(bind.get("calculate") or ""),
                choice_filter=str(child.get("choice_filter") or ""),
                evidence=YES_NO.get(str(child.get("evidence") or "").lower(), False),
            )
        )


def _setting(sheets: dict[str, Sheet], name: str) -> str:
    return next((row.get(name, "") for _n, row in sheets["settings"].numbered()), "").strip()


def _build(built: dict[str, Any], sheets: dict[str, Sheet], checked: Checked) -> ParsedForm:
    builder = _Builder(checked)
    builder.walk(built.get("children") or [], _Place())
    title = {checked.default_language: _setting(sheets, "form_title")}
    for header in sheets["settings"].headers:
        base, _sep, language_text = header.partition("::")
        language = checked.languages.get(language_text.strip())
        if base == "form_title" and language is not None and _setting(sheets, header):
            title[language.code] = _setting(sheets, header)
    # Languages in the platform's order, those with labels only.
    used = {language.code for language in checked.languages.values()}
    languages = [code for code, _name in settings.LANGUAGES if code in used]
    form = {
        "format": 1,
        "groups": builder.groups,
        "outline": builder.outline,
        "parents": builder.parents,
        "lists": builder.lists,
        "appearance": builder.appearance,
        "language_names": {lang.code: lang.name for lang in checked.languages.values()},
        "choice_columns": [h for h in sheets["choices"].headers if "::" not in h]
        if "choices" in sheets
        else [],
    }
    return ParsedForm(
        slug=_setting(sheets, "form_id"),
        version=_setting(sheets, "version"),
        title=title,
        default_language=checked.default_language,
        languages=languages,
        questions=builder.questions,
        form=form,
    )


# Export ------------------------------------------------------------------------------------

_KIND_TYPES = {
    QuestionKind.INTEGER: "integer",
    QuestionKind.DECIMAL: "decimal",
    QuestionKind.TEXT: "text",
    QuestionKind.DATE: "date",
    QuestionKind.NOTE: "note",
    QuestionKind.CALCULATE: "calculate",
}


def _language_header(code: str, names: dict[str, str]) -> str:
    name = names.get(code) or dict(settings.LANGUAGES).get(code, code)
    return f"{name} ({code})"


def _outline(version: QuestionnaireVersion, questions: list[Question]) -> list[list[str]]:
    """The order of groups and questions: as imported, or from the questions' group and repeat."""
    stored = (version.form or {}).get("outline")
    if stored:
        return [list(item) for item in stored]
    outline: list[list[str]] = []
    open_groups: list[str] = []
    for question in questions:
        wanted = [g for g in (question.group, question.repeat) if g]
        wanted = list(dict.fromkeys(wanted))
        while open_groups and open_groups != wanted[: len(open_groups)]:
            outline.append(["end", open_groups.pop()])
        for group in wanted[len(open_groups) :]:
            outline.append(["begin", group])
            open_groups.append(group)
        outline.append(["question", question.key])
    while open_groups:
        outline.append(["end", open_groups.pop()])
    return outline


def export_workbook(version: QuestionnaireVersion) -> bytes:
    """The version as an XLSForm workbook; importing it gives the same questions."""
    form = version.form or {}
    questions = list(version.questions.all())
    by_key = {q.key: q for q in questions}
    groups = {g["key"]: g for g in form.get("groups", [])}
    repeats = {q.repeat for q in questions if q.repeat}
    names: dict[str, str] = form.get("language_names", {})
    languages = list(version.languages) or [version.default_language]
    lists: dict[str, str] = form.get("lists", {})
    appearance: dict[str, str] = form.get("appearance", {})

    def per_language(base: str) -> list[str]:
        return [f"{base}::{_language_header(code, names)}" for code in languages]

    survey_columns = [
        "type", "name", *per_language("label"), *per_language("hint"), "required", "relevant",
        "constraint", *per_language("constraint_message"), "calculation", "choice_filter", "category",
        "evidence", "appearance",
    ]  # fmt: skip
    rows: list[dict[str, Any]] = []
    for step, key in _outline(version, questions):
        if step in ("begin", "end"):
            group = groups.get(key, {"kind": "repeat" if key in repeats else "group"})
            row: dict[str, Any] = {"type": f"{step} {group['kind']}"}
            if step == "begin":
                row.update(name=key, relevant=group.get("relevant", ""), category=group.get("category", ""))
                row.update(_localised("label", group.get("label") or {"": key}, languages, names))
                row.update(_localised("hint", group.get("hint") or {}, languages, names))
            rows.append(row)
            continue
        question = by_key[key]
        kind_type = _KIND_TYPES.get(QuestionKind(question.kind))
        if kind_type is None:
            kind_type = f"{question.kind} {lists.get(question.key, question.key)}"
        row = {
            "type": kind_type,
            "name": question.key,
            "required": "yes" if question.required else "",
            "relevant": question.relevant,
            "constraint": question.constraint,
            "calculation": question.calculation,
            "choice_filter": question.choice_filter,
            "category": question.category,
            "evidence": "yes" if question.evidence else "",
            "appearance": appearance.get(question.key, ""),
        }
        row.update(_localised("label", question.label, languages, names))
        row.update(_localised("hint", question.hint, languages, names))
        row.update(_localised("constraint_message", question.constraint_message, languages, names))
        rows.append(row)

    choice_rows: list[dict[str, Any]] = []
    extra_columns: list[str] = [
        c for c in form.get("choice_columns", []) if c not in ("list_name", "name", "label")
    ]
    written: set[str] = set()
    for question in questions:
        if question.kind not in (QuestionKind.SELECT_ONE, QuestionKind.SELECT_MULTIPLE):
            continue
        list_name = lists.get(question.key, question.key)
        if list_name in written:
            continue
        written.add(list_name)
        for choice in question.choices:
            choice_row = {"list_name": list_name, "name": choice["name"]}
            choice_row.update(_localised("label", choice.get("label") or {}, languages, names))
            for column, value in choice.items():
                if column not in ("name", "label"):
                    choice_row[column] = value
                    if column not in extra_columns:
                        extra_columns.append(column)
            choice_rows.append(choice_row)
    choice_columns = ["list_name", "name", *per_language("label"), *extra_columns]

    title: dict[str, str] = version.title or {}
    settings_row = {
        "form_title": title.get(version.default_language, ""),
        "form_id": version.questionnaire.slug,
        "version": version.version,
        "default_language": _language_header(version.default_language, names),
    }
    others = [code for code in languages if code != version.default_language and title.get(code)]
    for code in others:
        settings_row[f"form_title::{_language_header(code, names)}"] = title[code]
    settings_columns = ["form_title", "form_id", "version", "default_language"] + [
        f"form_title::{_language_header(code, names)}" for code in others
    ]

    book = Workbook()
    _write(book.active, "survey", survey_columns, rows)
    _write(book.create_sheet(), "choices", choice_columns, choice_rows)
    _write(book.create_sheet(), "settings", settings_columns, [settings_row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _localised(
    base: str, texts: dict[str, str], languages: list[str], names: dict[str, str]
) -> dict[str, str]:
    return {f"{base}::{_language_header(code, names)}": texts[code] for code in languages if texts.get(code)}


def _write(sheet: Any, title: str, columns: list[str], rows: list[dict[str, Any]]) -> None:
    sheet.title = title
    # Columns nobody filled in are left out (a hint column per language when there are no hints).
    used = [
        c
        for c in columns
        if c in ("type", "name", "list_name") or any(row.get(c) not in (None, "") for row in rows)
    ]
    sheet.append(used)
    for row in rows:
        sheet.append([_cell(row.get(column)) for column in used])


def _cell(value: Any) -> Any:
    if value is None or value == "":
        return None
    return value if isinstance(value, int | float) else str(value)
