"""A parent deletes their account: families only they manage go too; the audit keeps only that it happened."""

from __future__ import annotations

import datetime
import json

from axes.models import AccessAttempt, AccessLog
from django.utils import timezone

from cop.core.audit import ERASED
from cop.core.models import AuditEvent, LoginLockout, User
from cop.core.tests.base import PASSWORD
from cop.filter.models import Device, Family, Guardian, Invitation, Profile
from cop.filter.tests.helpers import FilterTestCase, make_device

URL = "/en/account/delete/"
CONFIRMED = {"password": PASSWORD, "confirm": "on"}


def _everything_audited() -> str:
    """Every audit record but the reference data's (where "Leo" is in "Sierra Leone")."""
    events = AuditEvent.objects.exclude(model__in=["core.Country", "core.Region"]).order_by("pk")
    return json.dumps([(e.actor_label, e.ip_address, e.object_repr, e.before, e.after) for e in events])


class AccountDeletionTestCase(FilterTestCase):
    def test_the_page_lists_what_goes_and_what_stays_with_others(self) -> None:
        page = self.parent.get(URL)
        self.assertContains(page, "The Okafor family stays with its other guardians")
        self.assertContains(page, 'autocomplete="current-password"')
        page = self.as_user(self.carla).get(URL)
        self.assertContains(page, "The Rossi family, with its children&#x27;s profiles")
        self.assertNotContains(page, "stays with")

    def test_a_parent_alone_in_a_family_deletes_their_account_and_the_family_goes_with_it(self) -> None:
        make_device(self.leo, networks=["203.0.113.0/24"])
        client = self.as_user(self.carla)
        response = client.post(URL, CONFIRMED, follow=True)
        self.assertRedirects(response, "/en/")
        self.assertContains(response, "Your account is deleted")
        assert not User.objects.filter(username="carla").exists()
        assert not Family.objects.filter(name="The Rossi family").exists()
        assert (
            not Profile.objects.filter(name="Leo").exists()
            and not Device.objects.filter(profile__name="Leo").exists()
        )
        # Signed out; the others' family is untouched.
        assert client.get("/en/account/").status_code == 302
        assert Family.objects.filter(pk=self.family.pk).exists()

    def test_a_family_with_another_guardian_stays_with_them(self) -> None:
        self.parent.post(URL, CONFIRMED)
        assert not User.objects.filter(username="amina").exists()
        assert list(Guardian.objects.filter(family=self.family).values_list("user__username", flat=True)) == [
            "bruno"
        ]
        self.assertContains(self.as_user(self.bruno).get(f"/en/filter/families/{self.family.pk}/"), "Amara")

    def test_a_wrong_password_or_no_confirmation_deletes_nothing(self) -> None:
        client = self.as_user(self.carla)
        cases = [
            ({"password": "wrong", "confirm": "on"}, "This is not your password."),
            ({"password": PASSWORD}, "This field is required."),
        ]
        for data, message in cases:
            self.assertContains(client.post(URL, data), message, status_code=400)
        assert (
            User.objects.filter(username="carla").exists()
            and Family.objects.filter(pk=self.other_family.pk).exists()
        )

    def test_the_audit_keeps_that_it_happened_and_nothing_of_the_account_or_its_families(self) -> None:
        make_device(self.leo, networks=["203.0.113.0/24"])
        carla_pk, family_pk = self.carla.pk, self.other_family.pk
        self.as_user(self.carla).post(URL, CONFIRMED, REMOTE_ADDR="198.51.100.23")
        event = AuditEvent.objects.get(model="core.User", action="delete", object_id=str(carla_pk))
        assert (
            event.before,
            event.after,
            event.object_repr,
            event.actor_label,
            event.ip_address,
            event.actor,
        ) == (
            {},
            {},
            ERASED,
            ERASED,
            None,
            None,
        )
        assert AuditEvent.objects.filter(
            model="filter.Family", action="delete", object_id=str(family_pk)
        ).exists()
        everything = _everything_audited()
        for trace in ("carla", "The Rossi family", "Leo", "203.0.113.0/24", "198.51.100.23"):
            assert trace not in everything, trace
        # The other family's records keep their values.
        assert "The Okafor family" in everything and "amina" in everything

    def test_the_sign_in_records_of_the_account_go_with_it(self) -> None:
        self.client.post("/en/account/login/", {"username": "carla", "password": "wrong"})
        self.client.post("/en/account/login/", {"username": "carla", "password": PASSWORD})
        assert (
            AccessAttempt.objects.filter(username="carla").exists()
            or AccessLog.objects.filter(username="carla").exists()
        )
        # A lock-out of the account from an address, kept for its cool-off: it names both.
        LoginLockout.objects.create(
            username="Carla", ip_address="198.51.100.24", lockouts=1, locked_until=timezone.now()
        )
        self.client.post(URL, CONFIRMED)
        assert not AccessAttempt.objects.filter(username="carla").exists()
        assert not AccessLog.objects.filter(username="carla").exists()
        assert not LoginLockout.objects.filter(username__iexact="carla").exists()

    def test_invitations_the_account_accepted_go_and_those_it_sent_for_a_family_that_stays_remain(
        self,
    ) -> None:
        later = timezone.now() + datetime.timedelta(days=1)
        Invitation.objects.create(
            family=self.family,
            email="bruno@example.net",
            accepted_by=self.bruno,
            status="accepted",
            expires_at=later,
        )
        sent = Invitation.objects.create(
            family=self.family, email="dora@example.net", invited_by=self.amina, expires_at=later
        )
        self.as_user(self.bruno).post(URL, CONFIRMED)
        assert list(Invitation.objects.values_list("pk", flat=True)) == [sent.pk]
        self.parent.post(URL, CONFIRMED)
        assert not Invitation.objects.exists()  # the family went with its last guardian

    def test_members_of_an_organisation_are_told_their_organisation_removes_them(self) -> None:
        client = self.as_user(self.world.hana)
        page = client.get(URL)
        self.assertContains(
            page, "You act for an organisation on the platform, so you cannot delete your account yourself"
        )
        self.assertNotContains(page, 'name="password"')
        self.assertContains(
            client.post(URL, {"password": PASSWORD, "confirm": "on"}),
            "your organisation removes it",
            status_code=403,
        )
        assert User.objects.filter(username="hana").exists()
        self.assertContains(client.get("/en/account/"), "About deleting an account")
        self.assertContains(
            self.parent.get("/en/account/"), "Delete my account and the families only I manage"
        )

    def test_signed_out_visitors_are_sent_to_sign_in(self) -> None:
        response = self.client.post(URL, CONFIRMED)
        assert response.status_code == 302 and response["Location"].startswith("/en/account/login/")
