from __future__ import annotations

from cop.core.tests.base import BaseTestCase
from cop.guidance.models import GuidelineText, Resource, Status


class GuidanceApiTestCase(BaseTestCase):
    def test_it_lists_guidelines_of_a_set_with_every_language(self) -> None:
        body = self.client.get("/api/v1/guidelines", {"audience": "policy"}).json()
        assert [g["slug"] for g in body["items"]] == [
            "legal-framework", "law-enforcement", "resources-and-reporting", "education-and-awareness",
            "national-checklist",
        ]  # fmt: skip
        assert set(body["items"][0]["texts"]) == {"ar", "zh-hans", "en", "fr", "ru", "es"}
        assert body["items"][0]["risks"][0]["version"] == 1

    def test_it_rejects_an_unknown_audience_with_the_error_shape(self) -> None:
        response = self.client.get("/api/v1/guidelines", {"audience": "pets"})
        assert response.status_code == 422
        assert response.json()["code"] == "invalid_request"

    def test_it_returns_one_guideline_or_not_found(self) -> None:
        one = self.client.get("/api/v1/guidelines/children/5-7/games").json()
        stored = GuidelineText.objects.get(
            guideline__group="5-7", guideline__slug="games", language="zh-hans"
        )
        assert one["texts"]["zh-hans"]["title"] == stored.title
        assert self.client.get("/api/v1/guidelines/children/5-7/nothing").json()["code"] == "not_found"

    def test_it_pages_published_resources_and_hides_the_others(self) -> None:
        page = self.client.get("/api/v1/resources", {"limit": "5", "type": "training"}).json()
        assert page["count"] == Resource.objects.published().filter(type="training").count()
        assert len(page["items"]) == min(5, page["count"])
        hidden = Resource.objects.published().first()
        assert hidden is not None
        hidden.status = Status.PENDING
        hidden.save()
        assert self.client.get(f"/api/v1/resources/{hidden.slug}").status_code == 404
