"""Importing XLSForm workbooks: every mistake listed at once, hostile files refused, versions kept apart."""

from __future__ import annotations

import io
import zipfile

from cop.core.errors import Conflict, Invalid, TooLarge
from cop.core.models import AuditEvent
from cop.core.tests.base import BaseTestCase
from cop.survey.importing import import_questionnaire
from cop.survey.models import Question, Questionnaire, QuestionnaireVersion
from cop.survey.tests.workbooks import (
    EN,
    choice,
    label,
    row,
    sample_choices,
    sample_survey,
    sample_workbook,
    settings,
    texts,
    workbook,
)
from cop.survey.xlsform import MAX_WORKBOOK_BYTES, WorkbookRefused, export_workbook, read_workbook


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return out.getvalue()


def _with_member(data: bytes, name: str, content: bytes) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    members = {info.filename: source.read(info) for info in source.infolist()}
    members[name] = content
    return _zip(members)


class ImportTests(BaseTestCase):
    def test_a_good_workbook_becomes_a_version_with_its_questions_in_order(self) -> None:
        version = import_questionnaire(sample_workbook(), by=self.world.alice, filename="survey.xlsx")
        self.assertEqual(version.questionnaire.slug, "test-survey")
        self.assertEqual(version.version, "1")
        self.assertEqual(version.default_language, "en")
        self.assertEqual(version.languages, ["ar", "en", "fr"])
        self.assertEqual(version.title, {"en": "Test survey"})
        self.assertEqual(version.imported_by, self.world.alice)
        keys = list(version.questions.values_list("key", flat=True))
        self.assertEqual(
            keys,
            [
                "office", "answered_on", "has_law", "law_year", "topics", "main_subtopic", "thanks",
                "programme_name", "budget", "programme_count", "budget_total",
            ],
        )  # fmt: skip
        law_year = version.questions.get(key="law_year")
        self.assertEqual(law_year.kind, "integer")
        self.assertEqual(law_year.group, "legal")
        self.assertEqual(law_year.category, "legal")
        self.assertEqual(law_year.relevant, "${has_law} = 'yes'")
        self.assertEqual(law_year.constraint_message, {"en": "Between 1950 and 2100"})
        self.assertEqual(law_year.label["fr"], "Year of the law (fr)")
        has_law = version.questions.get(key="has_law")
        self.assertTrue(has_law.required)
        self.assertTrue(has_law.evidence)
        self.assertEqual([c["name"] for c in has_law.choices], ["yes", "no"])
        subtopic = version.questions.get(key="main_subtopic")
        # A nested group's question belongs to the top-level group's page; extra choice columns are kept.
        self.assertEqual(subtopic.group, "legal")
        self.assertEqual(subtopic.choices[0]["topic"], "alpha")
        budget = version.questions.get(key="budget")
        self.assertEqual(
            (budget.group, budget.repeat, budget.category), ("programmes", "programmes", "awareness")
        )
        self.assertEqual(version.questions.get(key="office").hint, {"en": "Name of the office"})
        self.assertEqual(version.form["parents"]["topics"], "details")
        groups = {g["key"]: g for g in version.form["groups"]}
        self.assertEqual(groups["details"]["relevant"], "${has_law} = 'yes'")
        self.assertEqual(groups["programmes"]["kind"], "repeat")

    def test_the_import_is_audited_without_copying_the_workbook(self) -> None:
        version = import_questionnaire(sample_workbook(), by=self.world.alice)
        event = AuditEvent.objects.get(model="survey.QuestionnaireVersion", object_id=str(version.pk))
        self.assertEqual(event.actor, self.world.alice)
        self.assertEqual(event.after["workbook"], "[redacted]")
        self.assertTrue(AuditEvent.objects.filter(model="survey.Questionnaire", action="create").exists())

    def test_the_same_workbook_twice_answers_the_version_already_there(self) -> None:
        data = sample_workbook()
        first = import_questionnaire(data, by=self.world.alice)
        events = AuditEvent.objects.count()
        again = import_questionnaire(data, by=self.world.alice)
        self.assertEqual(again.pk, first.pk)
        self.assertEqual(QuestionnaireVersion.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.count(), events)

    def test_other_bytes_under_a_version_already_imported_are_refused_as_a_conflict(self) -> None:
        import_questionnaire(sample_workbook(), by=self.world.alice)
        changed = sample_survey()
        changed[1] = row("text", "office", "Which office answers, exactly?", required="yes")
        with self.assertRaises(Conflict) as refused:
            import_questionnaire(workbook(changed, sample_choices(), settings()), by=self.world.alice)
        self.assertIn("Version 1 of test-survey", refused.exception.text())
        self.assertEqual(Question.objects.filter(label__en="Which office answers, exactly?").count(), 0)

    def test_a_second_version_that_rewords_and_moves_questions_keeps_their_keys(self) -> None:
        first = import_questionnaire(sample_workbook(), by=self.world.alice)
        survey = sample_survey()
        # Reword `has_law`, move `office` out of its group to the end, add a question.
        office = survey.pop(1)
        survey[survey.index(next(r for r in survey if r.get("name") == "has_law"))] = row(
            "select_one yes_no", "has_law", "Does a law cover this?", required="yes", evidence="yes"
        )
        survey.append({**office, "category": "focal_points"})
        survey.append(row("text", "remarks", "Remarks", category="assistance"))
        second = import_questionnaire(
            workbook(survey, sample_choices(), settings(version="2", form_title="Test survey, second round")),
            by=self.world.alice,
        )
        self.assertNotEqual(first.pk, second.pk)
        old = {q.key: q for q in first.questions.all()}
        new = {q.key: q for q in second.questions.all()}
        self.assertEqual(set(new) - set(old), {"remarks"})
        self.assertEqual(new["has_law"].label["en"], "Does a law cover this?")
        self.assertEqual(old["has_law"].label["en"], "Is there a law?")
        self.assertEqual((old["office"].group, new["office"].group), ("about", ""))
        self.assertGreater(new["office"].position, new["budget_total"].position)
        questionnaire = Questionnaire.objects.get()
        self.assertEqual(questionnaire.title, {"en": "Test survey, second round"})
        self.assertEqual(list(questionnaire.versions.values_list("version", flat=True)), ["1", "2"])

    def test_titles_in_other_languages_come_from_form_title_columns(self) -> None:
        data = workbook(
            sample_survey(), sample_choices(), settings(**{"form_title::Français (fr)": "Enquête d'essai"})
        )
        version = import_questionnaire(data, by=None)
        self.assertEqual(version.title, {"en": "Test survey", "fr": "Enquête d'essai"})


def _mistakes(data: bytes) -> list[tuple[str, int, str]]:
    with_mistakes = None
    try:
        read_workbook(data, "survey.xlsx")
    except WorkbookRefused as refused:
        with_mistakes = refused
    assert with_mistakes is not None, "the workbook was accepted"
    return [(m.sheet, m.row, m.header) for m in with_mistakes.mistakes]


class MistakeTests(BaseTestCase):
    def test_a_workbook_with_ten_different_mistakes_is_refused_with_every_one_listed(self) -> None:
        survey = [
            row("text", "office", "Office", category="legal"),
            row("geopoint", "where", "Where is it?"),  # 3: unknown type
            row("text", "office", "Office again"),  # 4: duplicate name
            {"type": "integer", "name": "staff", **texts("label", "", "Personnel")},  # 5: no English label
            row("select_one colours", "colour", "Colour"),  # 6: no such choice list
            row("select_one empty_list", "shape", "Shape"),  # 7: a list without named choices
            row("integer", "size", "Size", constraint=". >"),  # 8: cannot be read
            row("integer", "weight", "Weight", relevant="${height} > 2"),  # 9: unknown reference
            row("text", "topic", "Topic", category="sports"),  # 10: unknown category
            row("text", "source", "Source", evidence="perhaps"),  # 11: bad evidence value
            {
                "type": "note",
                "name": "end_note",
                "label::Deutsch": "Ende",
                **label("End"),
            },  # column without code
        ]
        choices = [{"list_name": "empty_list", "name": None, **label("Nameless")}]
        data = workbook(survey, choices, settings())
        found = _mistakes(data)
        expected = [
            ("survey", 1, "label::Deutsch"),
            ("survey", 3, "type"),
            ("survey", 4, "name"),
            ("survey", 5, f"label::{EN}"),
            ("survey", 6, "type"),
            ("survey", 7, "type"),
            ("survey", 8, "constraint"),
            ("survey", 9, "relevant"),
            ("survey", 10, "category"),
            ("survey", 11, "evidence"),
            ("choices", 2, "name"),
        ]
        self.assertEqual(sorted(found), sorted(expected))
        self.assertFalse(Questionnaire.objects.exists())

    def test_every_mistake_names_its_sheet_row_and_column_letter_and_what_to_change(self) -> None:
        survey = [row("text", "office", "Office"), row("integer", "size", "Size", constraint=". >")]
        with self.assertRaises(WorkbookRefused) as refused:
            read_workbook(workbook(survey, None, settings()))
        (mistake,) = refused.exception.mistakes
        self.assertEqual(str(mistake), "sheet survey, row 3, column F (constraint): The expression cannot be "
                         "used: The expression ends too early.")  # fmt: skip
        detail = refused.exception.details[0]
        self.assertEqual(detail["location"], ["survey", "3", "F"])

    def test_groups_and_repeats_must_be_closed_properly_and_repeats_not_nested(self) -> None:
        survey = [
            row("begin group", "outer", "Outer"),
            row("begin repeat", "items", "Items"),
            row("begin repeat", "inner", "Inner"),
            row("text", "thing", "Thing"),
            row("end repeat"),
            row("end group"),
            row("end group"),
        ]
        found = _mistakes(workbook(survey, None, settings()))
        # Row 4 opens a repeat inside a repeat; row 7 closes the open repeat with "end group".
        self.assertEqual(found, [("survey", 4, "type"), ("survey", 7, "type")])

    def test_calculations_that_depend_on_each_other_in_a_loop_are_refused(self) -> None:
        survey = [
            row("text", "office", "Office"),
            row("calculate", "a", calculation="${b} + 1"),
            row("calculate", "b", calculation="${a} + 1"),
            row("calculate", "c", calculation="1"),
        ]
        self.assertEqual(_mistakes(workbook(survey, None, settings())), [("survey", 3, "calculation")])

    def test_settings_without_identifier_version_or_title_are_refused(self) -> None:
        data = workbook(
            [row("text", "office", "Office")], None, {"default_language": EN, "form_id": "bad id!"}
        )
        found = _mistakes(data)
        self.assertEqual(
            sorted(found),
            [("settings", 2, "form_id"), ("settings", 2, "form_title"), ("settings", 2, "version")],
        )

    def test_a_misspelt_column_and_an_unknown_language_are_refused(self) -> None:
        survey = [{**row("text", "office", "Office"), "relevent": "1", "label::Klingon (tlh)": "x"}]
        found = _mistakes(workbook(survey, None, settings()))
        self.assertEqual(sorted(found), [("survey", 1, "label::Klingon (tlh)"), ("survey", 1, "relevent")])

    def test_choice_filters_may_use_only_the_choice_lists_columns(self) -> None:
        survey = [
            row("select_one region", "region", "Region"),
            row("select_one place", "place", "Place", choice_filter="area = ${region}"),
        ]
        choices = [choice("region", "north", "North"), choice("place", "p1", "Place one", zone="north")]
        self.assertEqual(_mistakes(workbook(survey, choices, settings())), [("survey", 3, "choice_filter")])

    def test_what_pyxform_refuses_after_our_checks_is_reported_with_its_row(self) -> None:
        survey = [row("text", "office", "Office"), row("note", "hello", "Hello ${nobody}")]
        with self.assertRaises(WorkbookRefused) as refused:
            read_workbook(workbook(survey, None, settings()))
        (mistake,) = refused.exception.mistakes
        self.assertIn("pyxform", mistake.text())
        self.assertIn("nobody", mistake.text())


class HostileFileTests(BaseTestCase):
    def test_a_zip_bomb_is_refused_before_it_unpacks(self) -> None:
        bomb = _zip(
            {
                "[Content_Types].xml": b"<Types/>",
                "xl/workbook.xml": b"<workbook/>",
                "xl/worksheets/sheet1.xml": b"\0" * (64 * 1024 * 1024),
            }
        )
        self.assertLess(len(bomb), 200_000)
        with self.assertRaises(Invalid) as refused:
            import_questionnaire(bomb, by=self.world.alice, filename="survey.xlsx")
        self.assertIn("far more than any document", refused.exception.text())
        self.assertFalse(Questionnaire.objects.exists())

    def test_a_file_that_is_not_an_xlsx_workbook_is_refused(self) -> None:
        cases = {
            "a PDF": (b"%PDF-1.7\n%...", "survey.xlsx"),
            "plain text": (b"type,name,label\ntext,office,Office\n", "survey.xlsx"),
            "a Word document": (
                _zip({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}),
                None,
            ),
            "a workbook under another name": (sample_workbook(), "survey.xls"),
        }
        for what, (data, filename) in cases.items():
            with self.subTest(what), self.assertRaises(Invalid):
                import_questionnaire(data, by=self.world.alice, filename=filename)
        self.assertFalse(Questionnaire.objects.exists())

    def test_a_workbook_with_macros_is_refused(self) -> None:
        data = _with_member(sample_workbook(), "xl/vbaProject.bin", b"\x00macro")
        with self.assertRaises(Invalid) as refused:
            import_questionnaire(data, by=self.world.alice)
        self.assertIn("macros", refused.exception.text())

    def test_a_workbook_over_the_size_limit_is_refused(self) -> None:
        with self.assertRaises(TooLarge):
            import_questionnaire(b"PK\x03\x04" + b"\0" * MAX_WORKBOOK_BYTES, by=self.world.alice)


class ExportTests(BaseTestCase):
    def test_import_then_export_then_import_gives_the_same_questions(self) -> None:
        data = workbook(
            sample_survey(), sample_choices(), settings(**{"form_title::Français (fr)": "Enquête d'essai"})
        )
        version = import_questionnaire(data, by=self.world.alice)
        exported = export_workbook(version)
        again = read_workbook(exported, "exported.xlsx")
        fields = [
            "key", "position", "kind", "group", "repeat", "category", "label", "hint", "choices", "required",
            "relevant", "constraint", "constraint_message", "calculation", "choice_filter", "evidence",
        ]  # fmt: skip
        stored = [{f: getattr(q, f) for f in fields} for q in version.questions.all()]
        read = [{f: getattr(q, f) for f in fields} for q in again.questions]
        self.assertEqual(read, stored)
        self.assertEqual(again.form["groups"], version.form["groups"])
        self.assertEqual(again.form["outline"], version.form["outline"])
        self.assertEqual(
            (again.slug, again.version, again.title, again.default_language, again.languages),
            (
                version.questionnaire.slug,
                version.version,
                version.title,
                version.default_language,
                version.languages,
            ),
        )
