"""The public questionnaire API: questionnaires with their versions, and one version whole."""

from __future__ import annotations

from django.test import Client

from cop.core.tests.base import BaseTestCase
from cop.survey.importing import import_questionnaire
from cop.survey.tests.workbooks import sample_choices, sample_survey, sample_workbook, settings, workbook


class QuestionnaireApiTests(BaseTestCase):
    def test_anyone_lists_the_questionnaires_with_their_versions_paged(self) -> None:
        first = import_questionnaire(sample_workbook(), by=self.world.alice)
        second = import_questionnaire(
            workbook(sample_survey(), sample_choices(), settings(version="2")), by=None
        )
        import_questionnaire(sample_workbook(form_id="another-survey"), by=None)
        body = Client().get("/api/v1/survey/questionnaires?limit=1").json()
        self.assertEqual(body["count"], 2)
        (item,) = body["items"]
        self.assertEqual(item["slug"], "another-survey")
        body = Client().get("/api/v1/survey/questionnaires?offset=1").json()
        (item,) = body["items"]
        self.assertEqual(item["title"], {"en": "Test survey"})
        self.assertEqual([v["id"] for v in item["versions"]], [first.pk, second.pk])
        self.assertEqual(item["versions"][0]["questions"], 11)
        self.assertRegex(item["versions"][0]["imported_at"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")

    def test_anyone_reads_a_version_whole_with_groups_questions_choices_and_rules(self) -> None:
        version = import_questionnaire(sample_workbook(), by=None)
        body = Client().get(f"/api/v1/survey/versions/{version.pk}").json()
        self.assertEqual(
            (body["questionnaire"], body["version"], body["default_language"]), ("test-survey", "1", "en")
        )
        self.assertEqual(body["languages"], ["ar", "en", "fr"])
        self.assertEqual([g["key"] for g in body["groups"]], ["about", "legal", "details", "programmes"])
        questions = {q["key"]: q for q in body["questions"]}
        self.assertEqual(questions["law_year"]["relevant"], "${has_law} = 'yes'")
        self.assertEqual(questions["law_year"]["constraint_message"], {"en": "Between 1950 and 2100"})
        self.assertEqual(questions["main_subtopic"]["choices"][0], {
            "name": "alpha_one", "label": {"en": "Alpha one", "fr": "Alpha one (fr)", "ar": "Alpha one (ar)"},
            "columns": {"topic": "alpha"},
        })  # fmt: skip
        self.assertEqual(
            (questions["budget"]["repeat"], questions["has_law"]["evidence"]), ("programmes", True)
        )

    def test_a_version_that_does_not_exist_is_not_found(self) -> None:
        response = Client().get("/api/v1/survey/versions/999999")
        self.assertEqual(response.status_code, 404)
        self.assertEqual(response.json()["code"], "not_found")


def test_the_survey_s_schemas_do_not_take_the_names_of_other_parts_schemas() -> None:
    # The OpenAPI document names schemas by class name: a survey `VersionOut` replaced the block
    # lists' one, and the fuzz test found list answers no longer matching their schema.
    from cop.api import api

    schemas = api.get_openapi_schema()["components"]["schemas"]
    assert "blocked" in schemas["VersionOut"]["properties"]
    assert "questions" in schemas["SurveyVersionOut"]["properties"]
