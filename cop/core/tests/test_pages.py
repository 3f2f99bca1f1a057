from __future__ import annotations

from django.test import TestCase
from django.urls import reverse

from cop.core.models import ApiToken
from cop.core.tests.base import BaseTestCase


class PublicPagesTestCase(BaseTestCase):
    def test_the_home_page_presents_the_four_audiences(self) -> None:
        response = self.client.get("/en/")
        for audience in [
            "Children and young people",
            "Parents, guardians and educators",
            "Industry",
            "Policy makers",
        ]:
            self.assertContains(response, audience)
        self.assertContains(response, 'href="#main"')

    def test_the_home_page_links_only_to_pages_that_exist(self) -> None:
        import re

        html = self.client.get("/en/").content.decode()
        for href in set(re.findall(r'href="(/[^"#]*)"', html)):
            self.assertIn(self.client.get(href).status_code, {200}, href)

    def test_the_country_list_filters_by_region_and_level(self) -> None:
        response = self.client.get("/en/countries/?region=africa&level=least-developed")
        self.assertContains(response, "Ethiopia")
        self.assertNotContains(response, "South Africa")
        self.assertNotContains(response, "Bangladesh")

    def test_the_country_list_ignores_unknown_filters(self) -> None:
        response = self.client.get("/en/countries/?region=<script>&level=x")
        self.assertContains(response, "195 countries")
        self.assertNotContains(response, "<script>")

    def test_a_country_page_shows_its_facts_and_sources(self) -> None:
        response = self.client.get("/en/countries/KE/")
        self.assertContains(response, "KEN")
        self.assertContains(response, "Africa")
        self.assertContains(response, "Ministry of ICT")
        self.assertContains(response, "CLDR")

    def test_an_unknown_country_is_a_404_page(self) -> None:
        response = self.client.get("/en/countries/QQ/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "Page not found", status_code=404)

    def test_the_organisation_search_finds_by_name(self) -> None:
        response = self.client.get("/en/organisations/?q=hotline")
        self.assertContains(response, "Kenya Hotline")
        self.assertNotContains(response, "Example Networks")

    def test_the_health_endpoint_reports_the_database(self) -> None:
        response = self.client.get("/health/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json()["status"], "ok")
        self.assertEqual(response.json()["reference_data"]["countries"], 195)

    def test_pages_carry_security_headers(self) -> None:
        response = self.client.get("/en/")
        self.assertIn("default-src 'self'", response["Content-Security-Policy"])
        self.assertEqual(response["X-Frame-Options"], "DENY")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")


class TokenPagesTestCase(BaseTestCase):
    def test_a_member_creates_a_token_and_sees_it_once(self) -> None:
        client = self.client_for(self.world.hana)
        url = reverse("core:token-create", args=[self.world.kenya_hotline.pk])
        response = client.post(url, {"name": "exporter", "role": "hotline-analyst"})
        token = ApiToken.objects.get(name="exporter")
        self.assertContains(response, f"cop_{token.key_id}_")
        detail = client.get(reverse("core:organisation", args=[self.world.kenya_hotline.pk]))
        self.assertContains(detail, token.key_id)
        self.assertNotContains(detail, f"cop_{token.key_id}_")

    def test_a_token_can_only_carry_a_role_the_member_holds(self) -> None:
        client = self.client_for(self.world.hana)
        url = reverse("core:token-create", args=[self.world.kenya_hotline.pk])
        response = client.post(url, {"name": "sneaky", "role": "secretariat"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(ApiToken.objects.filter(name="sneaky").exists())

    def test_an_outsider_cannot_create_tokens_for_an_organisation(self) -> None:
        client = self.client_for(self.world.kofi)
        url = reverse("core:token-create", args=[self.world.kenya_hotline.pk])
        self.assertEqual(client.post(url, {"name": "x", "role": "focal-point"}).status_code, 403)

    def test_a_member_revokes_a_token(self) -> None:
        token, _plain = ApiToken.issue(
            organisation=self.world.kenya_hotline,
            role="hotline-analyst",
            name="old",
            created_by=self.world.hana,
        )
        client = self.client_for(self.world.hana)
        client.post(reverse("core:token-revoke", args=[self.world.kenya_hotline.pk, token.pk]))
        token.refresh_from_db()
        self.assertIsNotNone(token.revoked_at)

    def test_an_outsider_cannot_revoke_a_token(self) -> None:
        token, _plain = ApiToken.issue(
            organisation=self.world.kenya_hotline,
            role="hotline-analyst",
            name="kept",
            created_by=self.world.hana,
        )
        client = self.client_for(self.world.claire)
        response = client.post(reverse("core:token-revoke", args=[self.world.kenya_hotline.pk, token.pk]))
        self.assertEqual(response.status_code, 403)
        token.refresh_from_db()
        self.assertIsNone(token.revoked_at)


class HostileInputTestCase(BaseTestCase):
    def test_stored_markup_is_shown_as_text(self) -> None:
        self.world.ngo.name = "<script>alert(1)</script>"
        self.world.ngo.description = '<img src=x onerror="alert(1)">'
        self.world.ngo.save()
        response = self.client.get(reverse("core:organisation", args=[self.world.ngo.pk]))
        self.assertNotContains(response, "<script>alert(1)</script>")
        self.assertContains(response, "&lt;script&gt;alert(1)&lt;/script&gt;")
        self.assertNotContains(response, "<img src=x")

    def test_the_country_page_names_the_source_of_each_classification(self) -> None:
        response = self.client.get("/en/countries/PW/")
        self.assertContains(response, "Palau is not an ITU Member State")
        self.assertContains(response, "UN Committee for Development Policy")


class HealthTestCase(TestCase):
    def test_health_is_degraded_without_reference_data(self) -> None:
        from cop.core.models import Country
        from cop.guidance.models import Resource
        from cop.helplines.models import Service

        Resource.objects.all().delete()
        Service.objects.all().delete()
        Country.objects.all().delete()
        response = self.client.get("/health/")
        self.assertEqual((response.status_code, response.json()["status"]), (503, "degraded"))
