from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.test import override_settings

from cop.core.content import ContentError
from cop.core.tests.base import BaseTestCase
from cop.threats.loader import load_classification
from cop.threats.models import Classification, Dimension, Risk, RiskType

LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _content_copy(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(settings.CONTENT_DIR, target)
    return target


class ClassificationTestCase(BaseTestCase):
    def test_it_holds_the_four_cs_by_three_types_and_three_cross_cutting_risks(self) -> None:
        current = Classification.objects.current()
        assert current is not None
        cells = {(r.dimension, r.type) for r in current.risks.exclude(dimension=Dimension.CROSS_CUTTING)}
        assert cells == {
            (d, t) for d in ["content", "contact", "conduct", "contract"] for t in RiskType.values
        }
        cross = set(current.risks.filter(dimension=Dimension.CROSS_CUTTING).values_list("code", flat=True))
        assert cross == {"privacy", "health", "fair-treatment"}

    def test_every_risk_is_explained_in_six_languages_and_for_each_age(self) -> None:
        for risk in Risk.objects.all():
            for language in LANGUAGES:
                text = risk.text(language)
                assert text is risk.texts[language], (risk.code, language)
                assert text["name"] and text["description"] and len(text["examples"]) >= 2
                for band in ("5-7", "8-12", "13-17"):
                    assert risk.for_children(band, language)["explanation"], (risk.code, language, band)

    def test_loading_again_changes_nothing(self) -> None:
        before = list(Risk.objects.values_list("pk", "code", "texts"))
        result = load_classification()
        assert not result.created
        assert list(Risk.objects.values_list("pk", "code", "texts")) == before

    def test_the_page_shows_the_grid_and_explains_it_for_a_child(self) -> None:
        response = self.client.get("/en/threats/")
        self.assertContains(response, "<caption>")
        self.assertContains(response, Risk.objects.get(code="contact-sexual").texts["en"]["name"])
        child = Risk.objects.get(code="contact-sexual").texts["en"]["children"]["8-12"]["name"]
        self.assertContains(self.client.get("/en/threats/?band=8-12"), child)

    def test_the_pages_speak_each_language(self) -> None:
        for language in LANGUAGES:
            risk = Risk.objects.get(code="privacy")
            response = self.client.get(f"/{language}/threats/privacy/")
            self.assertContains(response, risk.texts[language]["name"])
            self.assertContains(response, f'lang="{language}"')

    def test_an_unknown_risk_or_version_is_not_found(self) -> None:
        assert self.client.get("/en/threats/no-such-risk/").status_code == 404
        assert self.client.get("/en/threats/?version=99").status_code == 404
        assert self.client.get("/en/threats/?version=abc").status_code == 404

    def test_the_api_lists_risks_with_every_language(self) -> None:
        body = self.client.get("/api/v1/threats").json()
        assert body["count"] == len(body["items"]) == 15
        assert set(body["items"][0]["texts"]) == set(LANGUAGES)
        one = self.client.get("/api/v1/threats/content-aggressive").json()
        assert one["dimension"] == "content" and one["type"] == "aggressive" and one["version"] == 1
        assert self.client.get("/api/v1/threats/nothing").json()["code"] == "not_found"
        assert self.client.get("/api/v1/classification/versions").json()["items"][0]["version"] == 1

    def test_versions_is_not_a_path_of_its_own_among_the_risks(self) -> None:
        # /threats/{code} owns every name under /threats/: "versions" is a risk code that does not exist.
        response = self.client.get("/api/v1/threats/versions")
        assert (response.status_code, response.json()["code"]) == (404, "not_found")


@pytest.mark.django_db
def test_a_change_of_meaning_within_a_version_is_refused(tmp_path: Path) -> None:
    content = _content_copy(tmp_path)
    path = content / "threats" / "classification.toml"
    text = path.read_text()
    # Swap the dimension of the first risk: same code, another meaning.
    changed = re.sub(r'dimension = "content"', 'dimension = "contact"', text, count=1)
    path.write_text(changed)
    before = list(Risk.objects.values_list("code", "dimension"))
    with override_settings(CONTENT_DIR=content), pytest.raises(ContentError) as error:
        load_classification()
    assert "changed meaning in version 1" in str(error.value)
    assert list(Risk.objects.values_list("code", "dimension")) == before


@pytest.mark.django_db
def test_a_new_version_leaves_what_was_tagged_with_the_old_one(tmp_path: Path) -> None:
    from cop.guidance.models import Guideline

    content = _content_copy(tmp_path)
    path = content / "threats" / "classification.toml"
    path.write_text(re.sub(r"(?m)^version = 1$", "version = 2", path.read_text()))
    tagged = Guideline.objects.get(audience="children", group="8-12", slug="grooming")
    old_risks = set(tagged.risks.values_list("pk", flat=True))
    with override_settings(CONTENT_DIR=content):
        result = load_classification()
    assert result.created and result.version == 2
    assert Classification.objects.current().version == 2  # type: ignore[union-attr]
    assert Risk.objects.filter(classification__version=1).count() == 15
    assert set(tagged.risks.values_list("pk", flat=True)) == old_risks
    assert {r.classification.version for r in tagged.risks.all()} == {1}
