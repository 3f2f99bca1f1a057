from __future__ import annotations

from django.urls import reverse

from cop.core.models import ApiToken, AuditEvent, Membership, Role
from cop.core.tests.base import BaseTestCase


class AuditTestCase(BaseTestCase):
    def test_an_edit_in_the_ui_is_recorded_with_who_when_and_before_after(self) -> None:
        client = self.client_for(self.world.alice)
        ngo = self.world.ngo
        client.post(
            reverse("core:organisation-edit", args=[ngo.pk]),
            {"name": "Renamed NGO", "kind": "ngo", "country": "", "website": "", "description": ""},
        )
        event = AuditEvent.objects.filter(model="core.Organisation", object_id=str(ngo.pk)).latest("id")
        self.assertEqual(
            (event.action, event.actor, event.actor_label), ("update", self.world.alice, "alice")
        )
        self.assertEqual(event.before, {"name": "Example Child Rights NGO"})
        self.assertEqual(event.after, {"name": "Renamed NGO"})
        self.assertEqual(event.ip_address, "127.0.0.1")
        self.assertIsNotNone(event.at)

    def test_creating_and_deleting_are_recorded(self) -> None:
        membership = Membership.objects.create(
            user=self.world.pablo, organisation=self.world.company, role=Role.PARTNER
        )
        membership.delete()
        actions = list(
            AuditEvent.objects.filter(model="core.Membership").order_by("id").values_list("action", flat=True)
        )
        self.assertEqual(actions[-2:], ["create", "delete"])

    def test_token_digests_are_never_written_to_the_log(self) -> None:
        token, _plain = ApiToken.issue(
            organisation=self.world.kenya_ministry,
            role=Role.FOCAL_POINT,
            name="t",
            created_by=self.world.kofi,
        )
        event = AuditEvent.objects.filter(model="core.ApiToken", object_id=str(token.pk)).get()
        self.assertEqual(event.after["digest"], "[redacted]")

    def test_a_password_change_is_recorded_without_the_hash(self) -> None:
        user = self.world.pablo
        user.set_password("another long passphrase 99")
        user.save()
        event = AuditEvent.objects.filter(model="core.User", object_id=str(user.pk)).latest("id")
        self.assertEqual(event.after, {"password": "[redacted]"})

    def test_signing_in_alone_leaves_no_record(self) -> None:
        before = AuditEvent.objects.count()
        self.client.post(
            reverse("core:login"), {"username": "pablo", "password": "correct horse battery staple 42"}
        )
        self.assertEqual(AuditEvent.objects.count(), before)

    def test_a_focal_point_reads_only_their_own_countrys_trail(self) -> None:
        self.world.france_helpline.description = "French change"
        self.world.france_helpline.save()
        self.world.kenya_hotline.description = "Kenyan change"
        self.world.kenya_hotline.save()
        response = self.client_for(self.world.kofi).get(reverse("core:audit"))
        self.assertContains(response, "Kenyan change")
        self.assertNotContains(response, "French change")

    def test_the_secretariat_reads_the_whole_trail(self) -> None:
        self.world.france_helpline.description = "French change"
        self.world.france_helpline.save()
        response = self.client_for(self.world.alice).get(reverse("core:audit"))
        self.assertContains(response, "French change")

    def test_other_roles_cannot_read_the_trail(self) -> None:
        self.assertEqual(self.client_for(self.world.hana).get(reverse("core:audit")).status_code, 403)
