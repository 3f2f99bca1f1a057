"""A version's compiled form: relevance through groups, checks, calculations, filters, whole responses."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import translation

from cop.core.tests.base import BaseTestCase
from cop.survey.expressions import CompiledForm, compile_version
from cop.survey.importing import import_questionnaire
from cop.survey.models import QuestionnaireVersion
from cop.survey.tests.workbooks import (
    row,
    sample_choices,
    sample_survey,
    sample_workbook,
    settings,
    texts,
    workbook,
)


def good_answers() -> dict[str, Any]:
    return {
        "office": "Office of examples",
        "answered_on": "2026-03-01",
        "has_law": "yes",
        "law_year": 2012,
        "topics": ["beta"],
        "main_subtopic": "beta_two",
        "programmes": [{"programme_name": "First", "budget": 1.5}, {"programme_name": "Second", "budget": 2}],
    }


class CompiledFormTests(BaseTestCase):
    version: QuestionnaireVersion

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.version = import_questionnaire(sample_workbook(), by=None)

    def setUp(self) -> None:
        self.form = CompiledForm(self.version, today=datetime.date(2026, 3, 31))

    def test_a_complete_good_response_has_no_problems(self) -> None:
        self.assertEqual(self.form.validate(good_answers()), [])

    def test_a_question_is_irrelevant_when_its_own_relevance_is_false(self) -> None:
        self.assertTrue(self.form.relevant("law_year", {"has_law": "yes"}))
        self.assertFalse(self.form.relevant("law_year", {"has_law": "no"}))
        self.assertFalse(self.form.relevant("law_year", {}))

    def test_a_false_group_relevance_makes_the_group_and_everything_in_it_irrelevant(self) -> None:
        answers = {"has_law": "no"}
        self.assertFalse(self.form.relevant("details", answers))
        self.assertFalse(self.form.relevant("topics", answers))
        self.assertFalse(self.form.relevant("main_subtopic", answers))
        self.assertTrue(self.form.relevant("has_law", answers))
        self.assertTrue(self.form.relevant("topics", {"has_law": "yes"}))

    def test_check_gives_the_form_s_constraint_message_and_accepts_good_values(self) -> None:
        self.assertEqual(self.form.check("law_year", 1900, {}), "Between 1950 and 2100")
        self.assertIsNone(self.form.check("law_year", 2012, {}))
        self.assertIsNone(self.form.check("law_year", None, {}))
        self.assertEqual(self.form.check("law_year", "2012", {}), "Enter a whole number.")
        # No message in the workbook: a general one.
        self.assertEqual(self.form.check("answered_on", "2026-04-01", {}), "This answer is not accepted.")
        self.assertEqual(
            self.form.check("answered_on", "01/04/2026", {}), "Enter a date as YYYY-MM-DD, e.g. 2026-03-31."
        )

    def test_a_constraint_message_is_given_in_the_active_language_when_the_form_has_it(self) -> None:
        size = {**texts("constraint_message", "More than zero", "Plus que zéro")}
        survey = [
            row("integer", "size", "Size", constraint=". > 0", **size),
            row("integer", "count", "Count", constraint=". > 0", **texts("constraint_message", "Positive")),
        ]
        version = import_questionnaire(workbook(survey, None, settings(form_id="other")), by=None)
        form = compile_version(version)
        with translation.override("fr"):
            self.assertEqual(form.check("size", 0, {}), "Plus que zéro")
            self.assertEqual(form.check("count", 0, {}), "Positive")  # the default language's

    def test_calculations_are_worked_out_from_the_answers_and_never_stored(self) -> None:
        answers = good_answers()
        self.assertEqual(self.form.calculate("programme_count", answers), 2)
        self.assertEqual(self.form.calculate("budget_total", answers), 3.5)
        self.assertEqual(self.form.calculate("programme_count", {}), 0)
        self.assertEqual(self.form.version_id, self.version.pk)

    def test_a_choice_filter_keeps_the_choices_that_match_the_answers(self) -> None:
        names = [c["name"] for c in self.form.choices("main_subtopic", {"topics": ["beta"]})]
        self.assertEqual(names, ["beta_one", "beta_two"])
        self.assertEqual(self.form.choices("main_subtopic", {}), [])
        self.assertEqual(len(self.form.choices("has_law", {})), 2)

    def test_validate_lists_every_problem_with_its_key_entry_and_code(self) -> None:
        answers = good_answers()
        del answers["office"]  # required
        answers["has_law"] = "no"  # makes law_year and the details group irrelevant...
        answers["answered_on"] = "2026-02-30"  # not a date
        answers["colour"] = "red"  # no such question
        answers["programme_count"] = 3  # a calculation takes no answer
        answers["programmes"] = [{"budget": -1}, {"programme_name": "Second", "budget": "a lot"}]
        problems = [(p.key, p.instance, p.code) for p in self.form.validate(answers)]
        self.assertEqual(
            problems,
            [
                ("colour", 0, "unknown"),
                ("programme_count", 0, "unknown"),
                ("office", 0, "required"),
                ("answered_on", 0, "type"),
                ("law_year", 0, "irrelevant"),
                ("topics", 0, "irrelevant"),
                ("main_subtopic", 0, "irrelevant"),
                ("programme_name", 1, "required"),
                ("budget", 1, "constraint"),
                ("budget", 2, "type"),
            ],
        )

    def test_an_answer_outside_the_choices_left_by_the_filter_is_a_problem(self) -> None:
        answers = {**good_answers(), "main_subtopic": "alpha_one"}
        (problem,) = self.form.validate(answers)
        self.assertEqual((problem.key, problem.code), ("main_subtopic", "choice"))
        self.assertIn("alpha_one", problem.message)

    def test_select_answers_must_be_of_their_kind(self) -> None:
        answers = {**good_answers(), "has_law": ["yes"], "topics": ["beta", "beta"]}
        problems = [(p.key, p.code) for p in self.form.validate(answers)]
        # A list's text is its names, so `${has_law} = 'yes'` holds for ["yes"]: only the kinds are wrong.
        self.assertEqual(problems, [("has_law", "type"), ("topics", "type")])

    def test_entries_of_a_repeat_must_be_a_list_of_answers_to_its_own_questions(self) -> None:
        answers = {**good_answers(), "programmes": "two"}
        self.assertIn(
            ("programmes", 0, "type"), [(p.key, p.instance, p.code) for p in self.form.validate(answers)]
        )
        answers = {**good_answers(), "programmes": [{"programme_name": "x", "office": "y"}]}
        self.assertEqual(
            [(p.key, p.instance, p.code) for p in self.form.validate(answers)], [("office", 1, "unknown")]
        )

    def test_repeat_questions_are_asked_about_per_entry(self) -> None:
        answers = good_answers()
        self.assertIsNone(self.form.check("budget", 3, answers, instance=2))
        self.assertTrue(self.form.relevant("budget", answers, instance=2))


class CacheTests(BaseTestCase):
    def test_a_version_is_compiled_once_and_kept(self) -> None:
        version = import_questionnaire(sample_workbook(), by=None)
        first = compile_version(version)
        self.assertIs(compile_version(QuestionnaireVersion.objects.get(pk=version.pk)), first)
        other = import_questionnaire(
            workbook(sample_survey(), sample_choices(), settings(version="2")), by=None
        )
        self.assertIsNot(compile_version(other), first)

    def test_a_version_made_without_a_workbook_s_outline_still_compiles_from_its_questions(self) -> None:
        version = import_questionnaire(sample_workbook(), by=None)
        version.form = {}
        form = CompiledForm(version)
        # Without the stored groups, questions sit in their top-level group: no group relevance is known.
        self.assertFalse(form.relevant("law_year", {"has_law": "no"}))
        self.assertTrue(form.relevant("topics", {"has_law": "no"}))
