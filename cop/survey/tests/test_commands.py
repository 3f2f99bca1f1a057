"""`cop import_questionnaire FILE.xlsx` and the loading of the shipped survey at set-up."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import TestCase
from django.utils import translation

from cop.core.models import AuditEvent
from cop.core.tests.base import BaseTestCase
from cop.survey.expressions import compile_version
from cop.survey.importing import load_shipped
from cop.survey.models import Questionnaire, QuestionnaireVersion
from cop.survey.tests.workbooks import row, sample_workbook, settings, workbook


class CommandTests(BaseTestCase):
    def setUp(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="cop-survey-"))

    def write(self, name: str, data: bytes) -> Path:
        path = self.folder / name
        path.write_bytes(data)
        return path

    def test_the_command_imports_a_workbook_and_says_what_it_made(self) -> None:
        path = self.write("survey.xlsx", sample_workbook())
        out = io.StringIO()
        call_command("import_questionnaire", str(path), stdout=out)
        version = QuestionnaireVersion.objects.get()
        self.assertIn(f"test-survey version 1: 11 questions (id {version.pk}).", out.getvalue())
        event = AuditEvent.objects.get(model="survey.QuestionnaireVersion")
        self.assertEqual(event.actor_label, "system: import_questionnaire")

    def test_the_command_lists_every_mistake_and_exits_with_status_1(self) -> None:
        survey = [
            row("text", "office", "Office"),
            row("geopoint", "where", "Where?"),
            row("text", "office", "Twice"),
        ]
        path = self.write("broken.xlsx", workbook(survey, None, settings()))
        err = io.StringIO()
        with self.assertRaises(CommandError) as refused:
            call_command("import_questionnaire", str(path), stderr=err)
        self.assertIn("2 mistakes", str(refused.exception))
        lines = err.getvalue().splitlines()
        self.assertEqual(len(lines), 2)
        self.assertIn("broken.xlsx: sheet survey, row 3, column A (type)", lines[0])
        self.assertIn("broken.xlsx: sheet survey, row 4, column B (name)", lines[1])
        # Django's command runner exits with the CommandError's return code.
        self.assertEqual(refused.exception.returncode, 1)
        self.assertFalse(Questionnaire.objects.exists())

    def test_the_command_refuses_a_missing_file_and_a_file_that_is_not_a_workbook(self) -> None:
        with self.assertRaisesMessage(CommandError, "Cannot read"):
            call_command("import_questionnaire", str(self.folder / "missing.xlsx"))
        path = self.write("notes.xlsx", b"just some text")
        with self.assertRaisesMessage(CommandError, "not an Excel workbook"):
            call_command("import_questionnaire", str(path))


class SetUpTests(BaseTestCase):
    def test_set_up_loads_the_shipped_workbook_once_however_often_it_runs(self) -> None:
        path = Path(tempfile.mkdtemp(prefix="cop-survey-")) / "cop-national-survey.xlsx"
        path.write_bytes(sample_workbook(form_id="cop-national-survey", version="2026"))
        out = io.StringIO()
        call_command("load_survey", "--file", str(path), stdout=out)
        call_command("load_survey", "--file", str(path), stdout=out)
        version = QuestionnaireVersion.objects.get()
        self.assertEqual((version.questionnaire.slug, version.version), ("cop-national-survey", "2026"))
        self.assertEqual(
            out.getvalue().count("National survey: cop-national-survey version 2026 (11 questions)."), 2
        )
        self.assertEqual(AuditEvent.objects.filter(model="survey.QuestionnaireVersion").count(), 1)
        self.assertEqual(
            AuditEvent.objects.get(model="survey.QuestionnaireVersion").actor_label, "system: load_survey"
        )

    def test_without_a_shipped_workbook_set_up_loads_nothing(self) -> None:
        self.assertIsNone(load_shipped(Path(tempfile.mkdtemp()) / "cop-national-survey.xlsx"))
        self.assertFalse(Questionnaire.objects.exists())

    def test_a_shipped_workbook_with_mistakes_stops_the_set_up_with_them(self) -> None:
        path = Path(tempfile.mkdtemp(prefix="cop-survey-")) / "cop-national-survey.xlsx"
        path.write_bytes(workbook([row("text", "office", "Office", category="sports")], None, settings()))
        err = io.StringIO()
        with self.assertRaises(CommandError):
            call_command("load_survey", "--file", str(path), stderr=err)
        self.assertIn("row 2, column F (category)", err.getvalue())


class ShippedSurveyTestCase(TestCase):
    def test_the_shipped_survey_loads_and_its_skip_logic_and_constraints_work(self) -> None:
        version = load_shipped()
        assert version is not None
        form = compile_version(version)
        # The strategy's year is asked only when there is a strategy, and must be a real year.
        assert not form.relevant("strategy_year", {"strategy_exists": "no"})
        assert form.relevant("strategy_year", {"strategy_exists": "yes"})
        assert form.check("strategy_year", 1980, {"strategy_exists": "yes"}) is not None
        assert form.check("strategy_year", 2015, {"strategy_exists": "yes"}) is None
        # The most pressing issue is chosen only among those selected.
        offered = form.choices("issue_main", {"issues_seen": ["grooming", "cyberbullying"]})
        assert {choice["name"] for choice in offered} == {"grooming", "cyberbullying"}
        with translation.override("fr"):
            message = form.check("strategy_year", 1980, {"strategy_exists": "yes"})
        assert message and message != form.check("strategy_year", 1980, {"strategy_exists": "yes"})
