"""The Atom feed, the open-data exports and the translation coverage."""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils.html import escape

from cop.core.tests.base import BaseTestCase
from cop.guidance.models import Guideline, GuidelineText, Resource

ATOM = "{http://www.w3.org/2005/Atom}"


class FeedTestCase(BaseTestCase):
    def test_the_feed_is_atom_with_titles_in_the_language_of_its_url(self) -> None:
        for language in ("ru", "zh-hans", "ar"):
            response = self.client.get(f"/{language}/library/feed/")
            assert response["Content-Type"].startswith("application/atom+xml")
            root = ET.fromstring(response.content)  # noqa: S314 - the platform's own feed
            entries = root.findall(f"{ATOM}entry")
            assert len(entries) == Resource.objects.published().count()
            titles = {e.findtext(f"{ATOM}title") for e in entries}
            expected = {r.text(language).title for r in Resource.objects.published()}  # type: ignore[union-attr]
            assert titles == expected
            link = entries[0].find(f"{ATOM}link")
            assert link is not None and f"/{language}/library/" in link.get("href", "")


class OpenDataTestCase(BaseTestCase):
    def test_the_guidelines_export_holds_every_text_and_states_its_licence(self) -> None:
        body = self.client.get("/en/open-data/guidelines.json").json()
        assert body["licence"] == "CC BY 4.0"
        assert len(body["guidelines"]) == Guideline.objects.count()
        first = body["guidelines"][0]
        assert set(first["texts"]) == {"ar", "zh-hans", "en", "fr", "ru", "es"}
        assert first["risks"] and first["risks"][0]["version"] == 1

    def test_the_csv_exports_parse_and_carry_one_row_per_text(self) -> None:
        response = self.client.get("/en/open-data/guidelines.csv")
        assert response["Content-Type"].startswith("text/csv")
        assert "license" in response["Link"]
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert len(rows) == GuidelineText.objects.count()
        arabic = next(
            r for r in rows if r["language"] == "ar" and r["slug"] == "bullying" and r["group"] == "8-12"
        )
        stored = GuidelineText.objects.get(language="ar", guideline__slug="bullying", guideline__group="8-12")
        assert arabic["title"] == stored.title and arabic["body_markdown"] == stored.body
        resources = list(
            csv.DictReader(io.StringIO(self.client.get("/en/open-data/resources.csv").content.decode()))
        )
        assert len(resources) == 6 * Resource.objects.published().count()

    def test_only_published_resources_are_exported(self) -> None:
        hidden = Resource.objects.published().first()
        assert hidden is not None
        hidden.status = "pending"
        hidden.save()
        slugs = {r["slug"] for r in self.client.get("/en/open-data/resources.json").json()["resources"]}
        assert hidden.slug not in slugs and slugs


class CoverageTestCase(BaseTestCase):
    def test_every_shipped_item_is_in_every_language(self) -> None:
        out = StringIO()
        call_command("translation_coverage", "--strict", stdout=out)
        lines = out.getvalue().splitlines()
        assert lines[0].split() == ["language", "threats", "guidelines", "resources", "interface"]
        guidelines = Guideline.objects.count()
        for line in lines[1:]:
            assert f"{guidelines}/{guidelines}" in line

    def test_a_missing_text_shows_on_the_page_and_fails_the_strict_command(self) -> None:
        text = GuidelineText.objects.get(language="ru", guideline__group="8-12", guideline__slug="games")
        text.delete()
        with pytest.raises(CommandError, match="ru"):
            call_command("translation_coverage", "--strict", stdout=StringIO())
        out = StringIO()
        call_command("translation_coverage", "--missing", stdout=out)
        assert "ru guidelines: children/8-12/games" in out.getvalue()
        page = self.client.get("/en/translations/")
        self.assertContains(page, "children/8-12/games")
        self.assertContains(page, escape("Русский"))
