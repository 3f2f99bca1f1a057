"""The block-list API: a hotline pushes its list with its organisation's token and follows the import."""

from __future__ import annotations

import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from cop.core.models import Role
from cop.core.tests.base import BaseTestCase
from cop.filter.models import FilterList, ListVersion
from cop.filter.tests.helpers import run_compilations
from cop.outbox.runner import run_due

LIST = "bad.example\n||worse.example^\nnot a name\n"


class ListApiTestCase(BaseTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.override = override_settings(FILTER_DATA_DIR=Path(tempfile.mkdtemp(prefix="cop-filter-api-")))
        self.override.enable()
        self.illegal = FilterList.objects.create(
            name="Hotline list",
            category="illegal",
            source="Kenya Hotline",
            maintainer=self.world.kenya_hotline,
        )
        self.games = FilterList.objects.create(name="Games", category="games", source="Example")
        run_compilations()
        self.hotline = self.token_for(self.world.hana, self.world.kenya_hotline, Role.HOTLINE_ANALYST)
        self.secretariat = self.token_for(self.world.alice, self.world.secretariat, Role.SECRETARIAT)

    def tearDown(self) -> None:
        self.override.disable()
        super().tearDown()

    def auth(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def test_a_hotline_pushes_its_list_and_follows_the_import_to_its_end(self) -> None:
        listed = self.client.get("/api/v1/filter/lists", headers=self.auth(self.hotline)).json()
        assert [item["name"] for item in listed["items"]] == ["Hotline list"]
        upload = SimpleUploadedFile("hotline.txt", LIST.encode())
        response = self.client.post(
            f"/api/v1/filter/lists/{self.illegal.pk}/versions",
            {"file": upload},
            headers=self.auth(self.hotline),
        )
        assert response.status_code == 202
        assert response.json()["status"] == "importing"
        run_compilations()  # what earlier saves queued, so that the import is the only job due
        assert run_due(1) == 1
        run_compilations()
        done = self.client.get(
            f"/api/v1/filter/lists/{self.illegal.pk}/versions/1", headers=self.auth(self.hotline)
        )
        body = done.json()
        assert (body["status"], body["blocked"], body["percent"]) == ("active", 2, 100)
        assert body["problems"] == [{"line": 3, "text": "not a name", "reason": "more than one word"}]
        assert ListVersion.objects.get(filter_list=self.illegal).status == ListVersion.Status.ACTIVE

    def test_a_hotline_cannot_touch_another_list_and_nobody_without_a_token_can(self) -> None:
        upload = SimpleUploadedFile("games.txt", LIST.encode())
        response = self.client.post(
            f"/api/v1/filter/lists/{self.games.pk}/versions",
            {"file": upload},
            headers=self.auth(self.hotline),
        )
        assert response.status_code == 404
        assert self.client.get("/api/v1/filter/lists").status_code == 401
        assert not ListVersion.objects.exists()

    def test_a_form_field_other_than_the_file_is_refused_not_ignored(self) -> None:
        path = f"/api/v1/filter/lists/{self.games.pk}/versions"
        for extra in ({"": "x"}, {"note": "x"}, {"other": SimpleUploadedFile("b.txt", LIST.encode())}):
            response = self.client.post(
                path,
                {"file": SimpleUploadedFile("games.txt", LIST.encode()), **extra},
                headers=self.auth(self.secretariat),
            )
            assert (response.status_code, response.json()["code"]) == (422, "invalid_request"), extra
        assert not ListVersion.objects.exists()
        from cop.api import api

        upload = api.get_openapi_schema()["paths"]["/api/v1/filter/lists/{list_id}/versions"]["post"]
        assert (
            upload["requestBody"]["content"]["multipart/form-data"]["schema"]["additionalProperties"] is False
        )

    def test_bad_requests_are_refused_and_change_nothing(self) -> None:
        empty = SimpleUploadedFile("empty.txt", b"")
        response = self.client.post(
            f"/api/v1/filter/lists/{self.games.pk}/versions",
            {"file": empty},
            headers=self.auth(self.secretariat),
        )
        assert response.status_code == 422
        refresh = self.client.post(
            f"/api/v1/filter/lists/{self.games.pk}/refresh", headers=self.auth(self.secretariat)
        )
        assert refresh.status_code == 409
        missing = self.client.get(
            f"/api/v1/filter/lists/{self.games.pk}/versions/7", headers=self.auth(self.secretariat)
        )
        assert missing.status_code == 404
        assert not ListVersion.objects.exists()
