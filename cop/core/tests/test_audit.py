from __future__ import annotations

import importlib

from django.apps import apps as django_apps
from django.urls import reverse

from cop.core import audit
from cop.core.models import ApiToken, AuditEvent, Membership, Role
from cop.core.tests.base import PASSWORD, BaseTestCase
from cop.core.tests.mailbox import link_in, only_mail_to


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

    def test_signing_up_without_an_account_leaves_no_client_address(self) -> None:
        self.client.post("/en/account/signup/", {"email": "new@example.net"}, REMOTE_ADDR="198.51.100.20")
        link = link_in(only_mail_to("new@example.net"))
        self.client.post(
            link,
            {"username": "newparent", "password1": PASSWORD, "password2": PASSWORD},
            REMOTE_ADDR="198.51.100.20",
        )
        event = AuditEvent.objects.get(model="core.User", action="create", after__username="newparent")
        assert (event.actor_label, event.ip_address) == ("anonymous", None)

    def test_the_rule_holds_for_any_anonymous_actor_given_an_address(self) -> None:
        # Whatever a caller passes, somebody without an account or a token leaves no address.
        with audit.acting_as(audit.AuditActor(label="anonymous", ip_address="198.51.100.21")):
            self.world.ngo.description = "changed anonymously"
            self.world.ngo.save()
        event = AuditEvent.objects.filter(model="core.Organisation").latest("id")
        assert event.ip_address is None

    # cop/core/migrations/0003_privacy.py on events recorded before it, run with the project's models.
    migration = importlib.import_module("cop.core.migrations.0003_privacy")

    def _event(self, model: str, object_id: int, after: dict[str, object], **fields: object) -> AuditEvent:
        values: dict[str, object] = {"actor_label": "system", "action": "create", "object_repr": "x"}
        values.update(fields)
        return AuditEvent.objects.create(model=model, object_id=str(object_id), after=after, **values)

    def test_addresses_stored_for_anonymous_actions_are_forgotten_and_others_kept(self) -> None:
        anonymous = self._event("reports.Report", 1, {}, actor_label="anonymous", ip_address="203.0.113.9")
        signed_in = self._event(
            "core.Organisation", 2, {}, actor_label="alice", actor=self.world.alice, ip_address="192.0.2.1"
        )
        self.migration.forget_anonymous_addresses(django_apps, None)
        anonymous.refresh_from_db()
        signed_in.refresh_from_db()
        assert (anonymous.ip_address, signed_in.ip_address) == (None, "192.0.2.1")

    def test_past_events_are_given_their_subject_from_the_log_itself(self) -> None:
        family = self._event("filter.Family", 5, {"id": 5, "name": "A family"})
        profile = self._event("filter.Profile", 8, {"id": 8, "family_id": 5, "name": "A child"})
        renamed = self._event("filter.Profile", 8, {"name": "Another name"}, action="update")
        entry = self._event("filter.Entry", 13, {"id": 13, "profile_id": 8, "name": "a.example"})
        orphan = self._event("filter.Entry", 21, {"name": "b.example"}, action="update")
        case = self._event("reports.Case", 3, {"id": 3, "report_id": 2})
        action = self._event("reports.CaseAction", 4, {"id": 4, "case_id": 3, "note": "n"})
        organisation = self._event("core.Organisation", 1, {"name": "x"})
        self.migration.fill_subjects(django_apps, None)
        subjects = {
            e.pk: e.subject
            for e in AuditEvent.objects.filter(
                pk__in=[
                    family.pk,
                    profile.pk,
                    renamed.pk,
                    entry.pk,
                    orphan.pk,
                    case.pk,
                    action.pk,
                    organisation.pk,
                ]
            )
        }
        found = [
            subjects[e.pk] for e in (family, profile, renamed, entry, orphan, case, action, organisation)
        ]
        assert found == [
            "filter.Family:5", "filter.Family:5", "filter.Family:5", "filter.Family:5",
            "filter.Family:?", "reports.Report:2", "reports.Report:2", "",
        ]  # fmt: skip
