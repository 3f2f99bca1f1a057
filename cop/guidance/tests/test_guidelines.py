from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings
from django.utils.html import escape

from cop.core.models import AuditEvent
from cop.core.tests.base import BaseTestCase
from cop.guidance.loader import load_guidelines
from cop.guidance.models import Guideline, GuidelineRevision, GuidelineText, Origin

LANGUAGES = [code for code, _name in settings.LANGUAGES]
BULLYING = "/guidelines/children/8-12/bullying/"


class GuidelinePagesTestCase(BaseTestCase):
    def test_every_item_page_answers_in_every_language(self) -> None:
        for guideline in Guideline.objects.prefetch_related("texts"):
            for language in LANGUAGES:
                path = guideline.get_absolute_url().split("/", 2)[2]
                response = self.client.get(f"/{language}/{path}")
                title = guideline.text(language).title  # type: ignore[union-attr]
                self.assertContains(response, escape(title), msg_prefix=str(guideline))

    def test_the_set_group_and_index_pages_list_their_items(self) -> None:
        response = self.client.get("/es/guidelines/children/8-12/")
        for guideline in Guideline.objects.filter(audience="children", group="8-12"):
            self.assertContains(response, escape(guideline.text("es").title))  # type: ignore[union-attr]
        self.assertContains(self.client.get("/en/guidelines/"), "/en/guidelines/policy/national/")
        self.assertContains(self.client.get("/en/guidelines/industry/"), "/en/guidelines/industry/mobile/")

    def test_children_pages_offer_get_help_for_their_age(self) -> None:
        response = self.client.get(f"/en{BULLYING}")
        self.assertContains(response, 'href="/en/help/?age=8-12"')
        self.assertContains(response, 'href="/en/report/"')
        young = self.client.get("/fr/guidelines/children/5-7/games/")
        self.assertContains(young, 'href="/fr/help/?age=5-7"')
        adult = self.client.get("/en/guidelines/parents/home/talking/")
        self.assertNotContains(adult, "help-button")

    def test_young_children_see_one_screen_at_a_time(self) -> None:
        text = GuidelineText.objects.get(guideline__group="5-7", guideline__slug="games", language="en")
        headings = re.findall(r"(?m)^## (.+)$", text.body)
        first = self.client.get("/en/guidelines/children/5-7/games/")
        self.assertContains(first, headings[0])
        self.assertNotContains(first, headings[1])
        self.assertContains(first, 'href="?screen=2"')
        last = self.client.get(f"/en/guidelines/children/5-7/games/?screen={len(headings)}")
        self.assertContains(last, headings[-1])
        self.assertNotContains(last, f'href="?screen={len(headings) + 1}"')
        self.assertContains(last, 'href="/en/guidelines/children/5-7/bullying/">Next topic:')
        # Out of range and nonsense fall back to a real screen.
        self.assertContains(self.client.get("/en/guidelines/children/5-7/games/?screen=99"), headings[-1])
        self.assertContains(self.client.get("/en/guidelines/children/5-7/games/?screen=x"), headings[0])

    def test_checklists_render_as_check_items(self) -> None:
        response = self.client.get("/en/guidelines/industry/mobile/checklist/")
        self.assertContains(response, '<li class="check">')
        self.assertNotContains(response, "[ ]")

    def test_the_read_aloud_control_is_an_enhancement(self) -> None:
        response = self.client.get(f"/ar{BULLYING}")
        self.assertContains(response, "data-read-aloud")
        self.assertContains(response, "hidden>")
        self.assertContains(response, "read-aloud.js")

    def test_an_unknown_set_group_or_item_is_not_found(self) -> None:
        for path in [
            "/en/guidelines/pets/",
            "/en/guidelines/children/home/",
            "/en/guidelines/children/8-12/nothing/",
            "/en/guidelines/children/home/talking/",
        ]:
            assert self.client.get(path).status_code == 404, path


class GuidelineEditingTestCase(BaseTestCase):
    def _form(self, text: GuidelineText, **changes: str) -> dict[str, str]:
        return {"title": text.title, "summary": text.summary, "body": text.body, "note": "", **changes}

    def test_the_secretariat_edits_a_text_and_it_becomes_a_revision(self) -> None:
        text = GuidelineText.objects.get(guideline__group="8-12", guideline__slug="bullying", language="fr")
        client = self.client_for(self.world.alice)
        body = text.body + "\nUne phrase ajoutée par le secrétariat.\n"
        response = client.post(f"/fr{BULLYING}edit/", self._form(text, body=body, note="ajout"))
        assert response.status_code == 302
        text.refresh_from_db()
        assert "ajoutée par le secrétariat" in text.body
        latest = text.latest_revision()
        assert latest is not None and latest.origin == Origin.WEB and latest.author == self.world.alice
        assert latest.number == 2 and latest.note == "ajout"
        self.assertContains(self.client.get(f"/fr{BULLYING}"), "ajoutée par le secrétariat")
        history = client.get(f"/fr{BULLYING}history/")
        self.assertContains(history, "+Une phrase ajoutée par le secrétariat.")
        assert AuditEvent.objects.filter(model="guidance.GuidelineText", object_id=str(text.pk)).exists()

    def test_an_old_revision_can_be_restored(self) -> None:
        text = GuidelineText.objects.get(guideline__group="8-12", guideline__slug="bullying", language="en")
        original = text.body
        client = self.client_for(self.world.alice)
        client.post(f"/en{BULLYING}edit/", self._form(text, body="A short replacement.\n"))
        response = client.post(f"/en{BULLYING}history/1/restore/")
        assert response.status_code == 302
        text.refresh_from_db()
        assert text.body == original
        assert list(text.revisions.values_list("number", flat=True)) == [3, 2, 1]

    def test_markup_in_an_edit_is_refused_and_nothing_changes(self) -> None:
        text = GuidelineText.objects.get(guideline__group="8-12", guideline__slug="bullying", language="en")
        client = self.client_for(self.world.alice)
        for changes in [
            {"title": "<script>alert(1)</script>"},
            {"body": text.body + "\n<img src=x onerror=alert(1)>\n"},
            {"body": text.body + "\n[click](javascript:alert(1))\n"},
            {"title": ""},
        ]:
            response = client.post(f"/en{BULLYING}edit/", self._form(text, **changes))
            assert response.status_code == 200, changes
            self.assertContains(response, 'class="error', msg_prefix=str(changes))
        assert GuidelineRevision.objects.filter(text=text).count() == 1
        text.refresh_from_db()
        assert "<script>" not in text.title

    def test_only_the_secretariat_may_edit(self) -> None:
        for user in (self.world.kofi, self.world.pablo, self.world.ines):
            client = self.client_for(user)
            assert client.get(f"/en{BULLYING}edit/").status_code == 403
            assert client.post(f"/en{BULLYING}history/1/restore/").status_code == 403
        assert self.client.get(f"/en{BULLYING}edit/").status_code == 302  # to the sign-in page
        self.assertNotContains(self.client_for(self.world.kofi).get(f"/en{BULLYING}"), "Edit this text")
        self.assertContains(self.client_for(self.world.alice).get(f"/en{BULLYING}"), "Edit this text")


def _content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(settings.CONTENT_DIR, target)
    return target


@pytest.mark.django_db
def test_loading_the_same_files_again_changes_nothing() -> None:
    before = GuidelineRevision.objects.count()
    result = load_guidelines()
    assert result.created == result.updated == 0 and result.unchanged == 42 * 6
    assert GuidelineRevision.objects.count() == before


@pytest.mark.django_db
def test_a_changed_file_becomes_a_new_revision(tmp_path: Path) -> None:
    content = _content_copy(tmp_path)
    path = content / "guidelines/parents/home/filters/es.md"
    path.write_text(path.read_text().replace("+++\n\n", "+++\n\nUna frase nueva al principio.\n\n", 1))
    with override_settings(CONTENT_DIR=content):
        result = load_guidelines()
    assert result.updated == 1
    text = GuidelineText.objects.get(guideline__slug="filters", language="es")
    assert text.body.startswith("Una frase nueva al principio.")
    latest = text.latest_revision()
    assert latest is not None and latest.origin == Origin.FILE and latest.number == 2


@pytest.mark.django_db
def test_a_web_edit_is_kept_when_the_file_changes_unless_forced(tmp_path: Path) -> None:
    text = GuidelineText.objects.get(guideline__slug="filters", language="es")
    text.body = "Editado en la web.\n"
    text.save()
    GuidelineRevision.objects.create(
        text=text, number=2, title=text.title, summary=text.summary, body=text.body, origin=Origin.WEB
    )
    content = _content_copy(tmp_path)
    path = content / "guidelines/parents/home/filters/es.md"
    path.write_text(path.read_text() + "\nOtra frase.\n")
    with override_settings(CONTENT_DIR=content):
        kept = load_guidelines()
        assert kept.kept == ["guidelines/parents/home/filters/es.md"]
        text.refresh_from_db()
        assert text.body == "Editado en la web.\n"
        forced = load_guidelines(force=True)
    assert forced.updated == 1
    text.refresh_from_db()
    assert text.body.endswith("Otra frase.\n")
