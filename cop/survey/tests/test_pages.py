"""The secretariat's questionnaire pages: import with every mistake listed, versions, downloads, access."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from cop.core.tests.base import BaseTestCase
from cop.survey.importing import import_questionnaire
from cop.survey.models import Questionnaire, QuestionnaireVersion
from cop.survey.tests.workbooks import row, sample_choices, sample_survey, sample_workbook, settings, workbook
from cop.survey.xlsform import read_workbook

IMPORT = "/en/survey/questionnaires/import/"


def upload(data: bytes, name: str = "survey.xlsx") -> dict[str, SimpleUploadedFile]:
    return {"workbook": SimpleUploadedFile(name, data, content_type="application/octet-stream")}


class QuestionnairePageTests(BaseTestCase):
    def test_the_secretariat_imports_a_workbook_and_sees_the_version_s_questions(self) -> None:
        client = self.client_for(self.world.alice)
        page = client.post(IMPORT, upload(sample_workbook()), follow=True)
        version = QuestionnaireVersion.objects.get()
        self.assertEqual(page.redirect_chain, [(reverse("survey:version", args=[version.pk]), 302)])
        self.assertContains(page, "The questionnaire version is imported.")
        self.assertContains(page, "Year of the law")
        self.assertContains(page, "law_year")
        self.assertContains(page, "Legal frameworks and law enforcement")
        self.assertEqual(version.imported_by, self.world.alice)
        listing = client.get("/en/survey/questionnaires/")
        self.assertContains(listing, "test-survey")
        self.assertContains(listing, reverse("survey:version", args=[version.pk]))

    def test_a_workbook_with_mistakes_is_refused_with_every_mistake_on_the_page(self) -> None:
        survey = [
            row("text", "office", "Office"),
            row("geopoint", "where", "Where?"),
            row("integer", "size", "Size", relevant="${nobody} = 1"),
            row("text", "topic", "Topic", category="sports"),
        ]
        response = self.client_for(self.world.alice).post(IMPORT, upload(workbook(survey, None, settings())))
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "The workbook has 3 mistakes", status_code=400)
        self.assertContains(response, "Mistakes in the workbook", status_code=400)
        self.assertContains(response, "The type “geopoint” is not one the platform supports", status_code=400)
        self.assertContains(response, "${nobody} refers to no question of the form", status_code=400)
        self.assertContains(response, "“sports” is not a survey category", status_code=400)
        self.assertEqual(
            [(m.sheet, m.row, m.column) for m in response.context["mistakes"]],
            [("survey", 3, "A"), ("survey", 4, "F"), ("survey", 5, "G")],
        )
        self.assertFalse(Questionnaire.objects.exists())

    def test_a_file_that_is_not_a_workbook_is_refused_on_the_page(self) -> None:
        response = self.client_for(self.world.alice).post(
            IMPORT, upload(b"%PDF-1.7 not a workbook", "survey.pdf")
        )
        self.assertContains(response, "Only Excel workbooks (.xlsx) can be imported", status_code=400)
        self.assertFalse(Questionnaire.objects.exists())

    def test_the_same_workbook_again_shows_the_version_already_there(self) -> None:
        data = sample_workbook()
        client = self.client_for(self.world.alice)
        client.post(IMPORT, upload(data))
        response = client.post(IMPORT, upload(data), follow=True)
        self.assertContains(response, "This workbook was imported already")
        self.assertEqual(QuestionnaireVersion.objects.count(), 1)

    def test_another_workbook_with_a_version_already_taken_is_refused(self) -> None:
        client = self.client_for(self.world.alice)
        client.post(IMPORT, upload(sample_workbook()))
        changed = [*sample_survey(), row("text", "remarks", "Remarks")]
        response = client.post(IMPORT, upload(workbook(changed, sample_choices(), settings())))
        self.assertContains(response, "Version 1 of test-survey was imported already", status_code=400)
        self.assertEqual(QuestionnaireVersion.objects.count(), 1)

    def test_a_version_s_workbook_downloads_made_again_or_as_imported(self) -> None:
        data = sample_workbook()
        version = import_questionnaire(data, by=self.world.alice)
        client = self.client_for(self.world.alice)
        made = client.get(reverse("survey:version-workbook", args=[version.pk]))
        self.assertEqual(
            made["Content-Type"], "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        self.assertIn('filename="test-survey-1.xlsx"', made["Content-Disposition"])
        self.assertEqual([q.key for q in read_workbook(made.content).questions], list(
            version.questions.values_list("key", flat=True)
        ))  # fmt: skip
        original = client.get(reverse("survey:version-workbook", args=[version.pk]) + "?as=imported")
        self.assertEqual(original.content, data)

    def test_only_the_secretariat_opens_the_questionnaire_pages_and_sees_the_link(self) -> None:
        version = import_questionnaire(sample_workbook(), by=None)
        urls = [
            "/en/survey/questionnaires/",
            IMPORT,
            reverse("survey:version", args=[version.pk]),
            reverse("survey:version-workbook", args=[version.pk]),
        ]
        w = self.world
        for user in [w.kofi, w.claire, w.hana, w.henri, w.ines, w.pablo]:
            client = self.client_for(user)
            for url in urls:
                with self.subTest(user=user.username, url=url):
                    self.assertEqual(client.get(url).status_code, 403)
            self.assertNotContains(client.get("/en/account/"), "/en/survey/questionnaires/")
        for url in urls:
            self.assertEqual(Client().get(url).status_code, 302)
        response = self.client_for(w.kofi).post(IMPORT, upload(sample_workbook()))
        self.assertEqual(response.status_code, 403)
        self.assertFalse(QuestionnaireVersion.objects.exclude(pk=version.pk).exists())
        self.assertContains(self.client_for(w.alice).get("/en/account/"), 'href="/en/survey/questionnaires/"')
