from __future__ import annotations

from django.urls import reverse

from cop.core import permissions
from cop.core.models import AuditEvent, Organisation, Role
from cop.core.tests.base import BaseTestCase


class PermissionLayerTestCase(BaseTestCase):
    def test_a_focal_point_may_change_organisations_of_their_own_country_only(self) -> None:
        kofi = permissions.actor_for(self.world.kofi)
        self.assertTrue(permissions.allows(kofi, "core.change_organisation", country_id="KE"))
        self.assertFalse(permissions.allows(kofi, "core.change_organisation", country_id="FR"))
        self.assertFalse(permissions.allows(kofi, "core.change_organisation", country_id=None))

    def test_the_secretariat_may_change_organisations_anywhere(self) -> None:
        alice = permissions.actor_for(self.world.alice)
        for country in ["KE", "FR", None]:
            self.assertTrue(permissions.allows(alice, "core.change_organisation", country_id=country))

    def test_roles_without_the_permission_may_not(self) -> None:
        for user in [self.world.hana, self.world.henri, self.world.ines, self.world.pablo]:
            actor = permissions.actor_for(user)
            self.assertFalse(permissions.allows(actor, "core.change_organisation", country_id="KE"))

    def test_anonymous_visitors_hold_no_permission(self) -> None:
        self.assertFalse(
            permissions.allows(permissions.actor_for(None), "core.add_organisation", country_id="KE")
        )

    def test_an_inactive_user_holds_no_permission(self) -> None:
        self.world.kofi.is_active = False
        self.assertFalse(
            permissions.allows(
                permissions.actor_for(self.world.kofi), "core.change_organisation", country_id="KE"
            )
        )

    def test_reach_lists_the_countries_of_a_focal_point(self) -> None:
        reach = permissions.reach(permissions.actor_for(self.world.kofi), "core.change_organisation")
        self.assertEqual((reach.everywhere, reach.countries), (False, frozenset({"KE"})))

    def test_it_rejects_an_unregistered_permission(self) -> None:
        with self.assertRaises(KeyError):
            permissions.allows(permissions.actor_for(self.world.alice), "core.fly")

    def test_a_role_cannot_be_held_in_the_wrong_kind_of_organisation(self) -> None:
        from django.core.exceptions import ValidationError

        from cop.core.models import Membership

        membership = Membership(
            user=self.world.hana, organisation=self.world.france_helpline, role=Role.SECRETARIAT
        )
        with self.assertRaises(ValidationError):
            membership.full_clean()


class OrganisationPagesTestCase(BaseTestCase):
    def edit_url(self, organisation: Organisation) -> str:
        return reverse("core:organisation-edit", args=[organisation.pk])

    def form_data(self, organisation: Organisation, **changes: str) -> dict[str, str]:
        data = {
            "name": organisation.name,
            "kind": organisation.kind,
            "country": organisation.country_id or "",
            "website": organisation.website,
            "description": organisation.description,
        }
        data.update(changes)
        return data

    def test_a_focal_point_edits_an_organisation_of_their_country(self) -> None:
        client = self.client_for(self.world.kofi)
        hotline = self.world.kenya_hotline
        response = client.post(
            self.edit_url(hotline), self.form_data(hotline, website="https://hotline.example.org")
        )
        self.assertRedirects(response, reverse("core:organisation", args=[hotline.pk]))
        hotline.refresh_from_db()
        self.assertEqual(hotline.website, "https://hotline.example.org")

    def test_a_focal_point_cannot_edit_an_organisation_of_another_country(self) -> None:
        client = self.client_for(self.world.kofi)
        helpline = self.world.france_helpline
        self.assertEqual(client.get(self.edit_url(helpline)).status_code, 403)
        response = client.post(self.edit_url(helpline), self.form_data(helpline, name="Taken over"))
        self.assertEqual(response.status_code, 403)
        helpline.refresh_from_db()
        self.assertEqual(helpline.name, "Ligne d'écoute")
        self.assertFalse(AuditEvent.objects.filter(model="core.Organisation", action="update").exists())

    def test_a_focal_point_cannot_move_an_organisation_to_another_country(self) -> None:
        client = self.client_for(self.world.kofi)
        hotline = self.world.kenya_hotline
        response = client.post(self.edit_url(hotline), self.form_data(hotline, country="FR"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Select a valid choice")
        hotline.refresh_from_db()
        self.assertEqual(hotline.country_id, "KE")

    def test_a_focal_point_cannot_add_an_organisation_in_another_country(self) -> None:
        client = self.client_for(self.world.kofi)
        response = client.post(
            reverse("core:organisation-create"), {"name": "Foreign NGO", "kind": "ngo", "country": "FR"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Organisation.objects.filter(name="Foreign NGO").exists())

    def test_a_focal_point_adds_an_organisation_in_their_country(self) -> None:
        client = self.client_for(self.world.kofi)
        response = client.post(
            reverse("core:organisation-create"),
            {"name": "Kenya Regulator", "kind": "regulator", "country": "KE"},
        )
        created = Organisation.objects.get(name="Kenya Regulator")
        self.assertRedirects(response, reverse("core:organisation", args=[created.pk]))

    def test_a_hotline_analyst_cannot_add_organisations(self) -> None:
        client = self.client_for(self.world.hana)
        self.assertEqual(client.get(reverse("core:organisation-create")).status_code, 403)

    def test_a_visitor_is_sent_to_sign_in(self) -> None:
        response = self.client.get(self.edit_url(self.world.kenya_hotline))
        self.assertEqual(response.status_code, 302)
        self.assertIn(reverse("core:login"), response["Location"])

    def test_it_rejects_an_invalid_website_and_changes_nothing(self) -> None:
        client = self.client_for(self.world.alice)
        ngo = self.world.ngo
        response = client.post(self.edit_url(ngo), self.form_data(ngo, website="javascript:alert(1)"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Enter a valid URL")
        ngo.refresh_from_db()
        self.assertEqual(ngo.website, "")

    def test_a_ministry_needs_a_country(self) -> None:
        client = self.client_for(self.world.alice)
        response = client.post(
            reverse("core:organisation-create"),
            {"name": "Nowhere Ministry", "kind": "ministry", "country": ""},
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Organisation.objects.filter(name="Nowhere Ministry").exists())

    def test_the_public_can_read_organisations(self) -> None:
        response = self.client.get(reverse("core:organisation", args=[self.world.kenya_hotline.pk]))
        self.assertContains(response, "Kenya Hotline")
        self.assertNotContains(response, "API tokens")
