from __future__ import annotations

import json
from typing import Any

from django.test import Client

from cop.core.models import ApiToken, AuditEvent, Membership, Role
from cop.core.tests.base import BaseTestCase


def call(
    client: Client, method: str, path: str, token: str | None = None, body: Any = None
) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    data = body if isinstance(body, str) else json.dumps(body) if body is not None else None
    response = getattr(client, method)(path, data=data, content_type="application/json", headers=headers)
    return response.status_code, response.json()


class ReferenceDataApiTestCase(BaseTestCase):
    def test_it_lists_regions(self) -> None:
        status, body = call(self.client, "get", "/api/v1/regions")
        self.assertEqual(status, 200)
        self.assertEqual([r["code"] for r in body][:2], ["africa", "americas"])
        self.assertEqual(sum(r["countries"] for r in body), 195)

    def test_it_lists_countries_of_a_region(self) -> None:
        status, body = call(self.client, "get", "/api/v1/countries?region=cis")
        self.assertEqual(status, 200)
        self.assertIn("RU", {c["iso2"] for c in body})
        self.assertTrue(all(c["region"] == "cis" for c in body))

    def test_it_filters_countries_by_development_level(self) -> None:
        status, body = call(self.client, "get", "/api/v1/countries?development_level=least-developed")
        self.assertEqual((status, len(body)), (200, 44))

    def test_it_gives_a_country_with_names_in_six_languages(self) -> None:
        status, body = call(self.client, "get", "/api/v1/countries/ke")
        self.assertEqual(status, 200)
        self.assertEqual(body["iso3"], "KEN")
        self.assertEqual(set(body["names"]), {"ar", "zh-hans", "en", "fr", "ru", "es"})

    def test_it_names_the_country_in_the_language_asked_for(self) -> None:
        response = self.client.get("/api/v1/countries/DE", headers={"Accept-Language": "fr"})
        self.assertEqual(response.json()["name"], "Allemagne")

    def test_it_rejects_an_unknown_country(self) -> None:
        status, body = call(self.client, "get", "/api/v1/countries/QQ")
        self.assertEqual(status, 404)
        self.assertEqual(body["code"], "not_found")
        self.assertIn("QQ", body["message"])

    def test_it_rejects_a_malformed_country_code(self) -> None:
        status, body = call(self.client, "get", "/api/v1/countries/K%3Cscript%3E")
        self.assertEqual(status, 422)
        self.assertEqual(body["code"], "invalid_request")
        self.assertEqual(body["details"][0]["location"], ["path", "iso2"])

    def test_a_validation_error_says_what_is_wrong_in_the_language_asked_for(self) -> None:
        response = self.client.get("/api/v1/countries?region=atlantis", headers={"Accept-Language": "fr"})
        body = response.json()
        self.assertEqual(response.status_code, 422)
        self.assertEqual(body["message"], "La requête n’est pas valide ; voir details.")
        self.assertEqual(body["details"][0]["message"], "Choisissez l’une des valeurs autorisées.")

    def test_it_rejects_an_unknown_region(self) -> None:
        status, body = call(self.client, "get", "/api/v1/countries?region=atlantis")
        self.assertEqual((status, body["code"]), (422, "invalid_request"))

    def test_it_rejects_an_unknown_development_level(self) -> None:
        status, body = call(self.client, "get", "/api/v1/countries?development_level=rich")
        self.assertEqual((status, body["code"]), (422, "invalid_request"))

    def test_an_unknown_api_path_gets_the_error_shape(self) -> None:
        status, body = call(self.client, "get", "/api/v1/nothing-here")
        self.assertEqual(status, 404)
        self.assertEqual(set(body), {"code", "message"})

    def test_it_serves_a_valid_openapi_document(self) -> None:
        from openapi_spec_validator import validate

        status, body = call(self.client, "get", "/api/v1/openapi.json")
        self.assertEqual(status, 200)
        validate(body)
        self.assertIn("/api/v1/countries/{iso2}", body["paths"])

    def test_it_serves_the_interactive_docs(self) -> None:
        response = self.client.get("/api/v1/docs")
        self.assertContains(response, "swagger-ui")

    def test_the_api_index_names_the_versions(self) -> None:
        self.assertEqual(self.client.get("/api/").json()["versions"]["v1"]["openapi"], "/api/v1/openapi.json")


class OrganisationApiTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.kofi_token = self.token_for(self.world.kofi, self.world.kenya_ministry, Role.FOCAL_POINT)
        self.alice_token = self.token_for(self.world.alice, self.world.secretariat, Role.SECRETARIAT)

    def test_a_token_says_who_it_is(self) -> None:
        status, body = call(self.client, "get", "/api/v1/me", self.kofi_token)
        self.assertEqual(status, 200)
        self.assertEqual((body["role"], body["organisation"]["country"]), ("focal-point", "KE"))

    def test_writing_needs_a_token(self) -> None:
        status, body = call(self.client, "post", "/api/v1/organisations", None, {"name": "X", "kind": "ngo"})
        self.assertEqual((status, body["code"]), (401, "unauthenticated"))

    def test_it_rejects_a_forged_token(self) -> None:
        forged = self.kofi_token[:-4] + "AAAA"
        status, _body = call(self.client, "get", "/api/v1/me", forged)
        self.assertEqual(status, 401)

    def test_a_focal_point_token_updates_its_own_country(self) -> None:
        hotline = self.world.kenya_hotline
        status, body = call(
            self.client,
            "patch",
            f"/api/v1/organisations/{hotline.pk}",
            self.kofi_token,
            {"description": "24/7"},
        )
        self.assertEqual((status, body["description"]), (200, "24/7"))
        event = AuditEvent.objects.filter(model="core.Organisation", object_id=str(hotline.pk)).latest("id")
        self.assertEqual(event.actor, self.world.kofi)
        self.assertIsNotNone(event.token)
        self.assertEqual((event.before, event.after), ({"description": ""}, {"description": "24/7"}))

    def test_a_focal_point_token_cannot_change_another_country(self) -> None:
        helpline = self.world.france_helpline
        status, body = call(
            self.client, "patch", f"/api/v1/organisations/{helpline.pk}", self.kofi_token, {"name": "Taken"}
        )
        self.assertEqual((status, body["code"]), (403, "forbidden"))
        helpline.refresh_from_db()
        self.assertEqual(helpline.name, "Ligne d'écoute")

    def test_a_focal_point_token_cannot_move_an_organisation_abroad(self) -> None:
        hotline = self.world.kenya_hotline
        status, _body = call(
            self.client, "patch", f"/api/v1/organisations/{hotline.pk}", self.kofi_token, {"country": "FR"}
        )
        self.assertEqual(status, 403)
        hotline.refresh_from_db()
        self.assertEqual(hotline.country_id, "KE")

    def test_a_focal_point_token_cannot_create_in_another_country(self) -> None:
        status, _body = call(
            self.client,
            "post",
            "/api/v1/organisations",
            self.kofi_token,
            {"name": "X", "kind": "ngo", "country": "FR"},
        )
        self.assertEqual(status, 403)

    def test_the_secretariat_creates_an_international_organisation(self) -> None:
        status, body = call(
            self.client,
            "post",
            "/api/v1/organisations",
            self.alice_token,
            {"name": "Global Alliance", "kind": "ngo", "website": "https://alliance.example.org"},
        )
        self.assertEqual((status, body["country"]), (201, None))

    def test_a_duplicate_name_in_a_country_is_a_conflict(self) -> None:
        status, body = call(
            self.client,
            "post",
            "/api/v1/organisations",
            self.kofi_token,
            {"name": "Kenya Hotline", "kind": "hotline", "country": "KE"},
        )
        self.assertEqual((status, body["code"]), (409, "conflict"))

    def test_an_organisation_of_no_country_cannot_be_created_twice_under_one_name(self) -> None:
        answers = [
            call(
                self.client,
                "post",
                "/api/v1/organisations",
                self.alice_token,
                {"name": "Alliance", "kind": "ngo"},
            )
            for _ in range(2)
        ]
        self.assertEqual(
            [(status, body.get("code")) for status, body in answers], [(201, None), (409, "conflict")]
        )

    def test_bad_bodies_get_the_error_shape_and_change_nothing(self) -> None:
        before = AuditEvent.objects.count()
        bodies: list[Any] = [
            "not json",
            "[]",
            {"name": "", "kind": "ngo", "country": "KE"},
            {"name": "A", "kind": "spaceship", "country": "KE"},
            {"name": "A", "kind": "ngo", "country": "KE", "website": "javascript:alert(1)"},
            {"name": "A" * 201, "kind": "ngo", "country": "KE"},
            {"name": "A", "kind": "ngo", "country": "ZZ"},
            {"name": "A", "kind": "ngo", "country": "KEN"},
            {"name": "\udcff", "kind": "ngo", "country": "KE"},
        ]
        for body in bodies:
            raw = body if isinstance(body, str) else json.dumps(body)
            status, answer = call(self.client, "post", "/api/v1/organisations", self.kofi_token, raw)
            self.assertIn(status, {400, 422}, body)
            self.assertIn("code", answer)
            self.assertIn("message", answer)
        self.assertEqual(AuditEvent.objects.count(), before)

    def test_the_schema_says_names_hold_only_visible_characters_and_the_server_agrees(self) -> None:
        import jsonschema_rs

        from cop.api import api

        schemas = api.get_openapi_schema()["components"]["schemas"]
        for model in ("OrganisationIn", "OrganisationPatch"):
            pattern = schemas[model]["properties"]["name"].get("pattern") or next(
                part["pattern"] for part in schemas[model]["properties"]["name"]["anyOf"] if "pattern" in part
            )
            # Read as JSON Schema reads it (ECMA rules), as clients and the fuzz test do.
            visible = jsonschema_rs.validator_for({"type": "string", "pattern": pattern}).is_valid
            for name in ("Right\u202eto left", "Zero\u200bwidth", "\tTabbed", "Soft\u00adhyphen"):
                self.assertFalse(visible(name), name)
                status, body = call(
                    self.client,
                    "post",
                    "/api/v1/organisations",
                    self.alice_token,
                    {"name": name, "kind": "ngo"},
                )
                self.assertEqual((status, body["code"]), (422, "invalid_request"), name)
            self.assertTrue(visible("Académie 学院 — Ligne d'écoute 🙂"))
        self.assertFalse(schemas["OrganisationIn"]["additionalProperties"])
        website = next(
            p for p in schemas["OrganisationIn"]["properties"]["website"]["anyOf"] if "pattern" in p
        )
        host = jsonschema_rs.validator_for(website).is_valid
        self.assertEqual((host("http://"), host("https://alliance.example.org")), (False, True))

    def test_a_body_is_read_as_json_types_without_coercion(self) -> None:
        for body in (
            {"name": "Alliance", "kind": "ngo", "description": 5},
            {"name": 5, "kind": "ngo"},
            {"name": "Alliance", "kind": "ngo", "country": True},
        ):
            status, answer = call(self.client, "post", "/api/v1/organisations", self.alice_token, body)
            self.assertEqual((status, answer["code"]), (422, "invalid_request"), body)

    def test_a_length_limit_is_stated_with_its_number_in_the_language_asked_for(self) -> None:
        response = self.client.post(
            "/api/v1/organisations",
            {"name": "x" * 500, "kind": "ngo"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.alice_token}", "Accept-Language": "es"},
        )
        details = response.json()["details"]
        self.assertEqual(response.status_code, 422)
        self.assertEqual(details[0]["location"][-1], "name")
        self.assertRegex(details[0]["message"], r"^Escriba como máximo \d+ caracteres\.$")

    def test_a_key_the_schema_does_not_name_is_refused_not_ignored(self) -> None:
        hotline = self.world.kenya_hotline
        for method, path in (
            ("post", "/api/v1/organisations"),
            ("patch", f"/api/v1/organisations/{hotline.pk}"),
        ):
            status, answer = call(
                self.client,
                method,
                path,
                self.alice_token,
                {"name": "Alliance", "kind": "ngo", "colour": "red"},
            )
            self.assertEqual((status, answer["code"]), (422, "invalid_request"), path)
            self.assertEqual(answer["details"][0]["location"][-1], "colour")
        hotline.refresh_from_db()
        self.assertEqual(hotline.name, "Kenya Hotline")

    def test_a_revoked_token_stops_working(self) -> None:
        ApiToken.objects.get(created_by=self.world.kofi).revoke()
        status, _body = call(self.client, "get", "/api/v1/me", self.kofi_token)
        self.assertEqual(status, 401)

    def test_a_token_stops_working_when_its_creator_loses_the_role(self) -> None:
        Membership.objects.filter(user=self.world.kofi).delete()
        status, _body = call(self.client, "get", "/api/v1/me", self.kofi_token)
        self.assertEqual(status, 401)

    def test_tokens_are_stored_only_as_digests(self) -> None:
        import hashlib

        from django.forms.models import model_to_dict

        token = ApiToken.objects.get(created_by=self.world.kofi)
        self.assertEqual(token.digest, hashlib.sha256(self.kofi_token.encode()).hexdigest())
        # The secret part may itself contain "_", so split only twice.
        secret = self.kofi_token.split("_", 2)[2]
        self.assertFalse(any(secret in str(value) for value in model_to_dict(token).values()))


class PaginationBoundsTestCase(BaseTestCase):
    def test_out_of_range_paging_is_an_invalid_request_not_a_server_error(self) -> None:
        for path in ("/api/v1/organisations", "/api/v1/resources", "/api/v1/alerts"):
            for query in ({"offset": "58440093331130023936"}, {"limit": "4000"}, {"offset": "-1"}):
                response = self.client.get(path, query)
                assert response.status_code == 422, (path, query)
                assert response.json()["code"] == "invalid_request"
            assert self.client.get(path, {"offset": "0", "limit": "500"}).status_code == 200


class NullCharacterTestCase(BaseTestCase):
    def test_a_nul_character_anywhere_is_a_bad_request(self) -> None:
        api = self.client.get("/api/v1/guidelines", {"group": "\x00x"})
        assert api.status_code == 400 and api.json()["code"] == "bad_request"
        page = self.client.get("/en/library/", {"type": "\x00"})
        assert page.status_code == 400
        body = self.client.post(
            "/api/v1/reports", '{"country": "KE\\u0000"}', content_type="application/json"
        )
        assert body.status_code == 400
        assert self.client.get("/api/v1/guidelines", {"group": "5-7"}).status_code == 200
