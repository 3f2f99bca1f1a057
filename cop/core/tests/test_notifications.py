"""Notifications by e-mail: queued in the outbox, in the recipient's language, to confirmed addresses.

Each one can be turned off.
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.test import SimpleTestCase, override_settings

from cop.core import audit
from cop.core.checks import site_url_configured
from cop.core.models import Membership, NotificationSettings, Role, User
from cop.core.permissions import actor_for
from cop.core.tests.mailbox import deliver
from cop.filter import actions
from cop.filter.tests.helpers import FilterTestCase
from cop.guidance.models import Status
from cop.reports import cases
from cop.reports.tests.base import file_report

from .test_queues import _resource

SITE = "https://cop.example"


def mail_to(user: User) -> list[EmailMessage]:
    return [m for m in deliver() if m.to == [user.email]]


@override_settings(SITE_URL=SITE)
class NotificationsTestCase(FilterTestCase):
    def speaks(self, user: User, language: str) -> None:
        NotificationSettings.objects.update_or_create(user=user, defaults={"language": language})

    def test_a_new_proposal_tells_the_secretariat_with_a_link_to_moderation_in_their_language(
        self,
    ) -> None:
        self.speaks(self.world.alice, "fr")
        _resource("one", Status.PENDING, submitted_by=self.world.pablo)
        [message] = mail_to(self.world.alice)
        assert "Neutral title one" in message.subject
        assert f"{SITE}/fr/library/moderation/" in str(message.body)
        assert f"{SITE}/fr/account/notifications/" in str(message.body)
        # Nobody else holds the moderation permission.
        assert [m.to for m in deliver()] == []

    def test_nothing_is_sent_inside_the_request_only_queued_for_the_worker(self) -> None:
        from django.core import mail

        _resource("one", Status.PENDING)
        assert mail.outbox == []
        assert len(deliver()) == 1

    def test_a_decision_tells_the_submitter(self) -> None:
        resource = _resource("one", Status.PENDING, submitted_by=self.world.pablo)
        deliver()
        resource.status = Status.CHANGES_REQUESTED
        resource.save()
        [message] = mail_to(self.world.pablo)
        assert "asks for changes" in str(message.body)
        assert f"{SITE}/en/library/mine/#resource-{resource.pk}" in str(message.body)
        resource.moderation_note = "edited"
        resource.save()  # no change of status: no second message
        assert mail_to(self.world.pablo) == []

    def test_a_case_assigned_by_someone_else_tells_the_analyst_and_not_when_they_take_it(self) -> None:
        colleague = User.objects.create_user(
            "hugo", "hugo@example.org", "x", confirmed_email="hugo@example.org"
        )
        Membership.objects.create(
            user=colleague, organisation=self.world.kenya_hotline, role=Role.HOTLINE_ANALYST
        )
        report, _receipt = file_report()
        case = report.cases.get()
        with audit.acting_as(audit.AuditActor(label="hugo", user=colleague)):
            cases.assign(actor_for(colleague), case, self.world.hana)
        [message] = mail_to(self.world.hana)
        assert f"{SITE}/en/report/cases/{case.pk}/" in str(message.body)
        # The mail names the case, never what was reported.
        assert "example.org/page" not in str(message.body) and "forum" not in str(message.body)
        other, _receipt = file_report()
        with audit.acting_as(audit.AuditActor(label="hana", user=self.world.hana)):
            cases.assign(actor_for(self.world.hana), other.cases.get(), self.world.hana)
        assert mail_to(self.world.hana) == []

    def test_an_unblock_request_tells_every_guardian_of_the_family_and_nobody_else(self) -> None:
        actions.ask(self.amara, "games.example", "homework")
        sent = deliver()
        assert sorted(m.to[0] for m in sent) == [self.amina.email, self.bruno.email]
        assert all("games.example" in m.subject and f"{SITE}/en/filter/" in str(m.body) for m in sent)

    def test_a_person_turns_a_notification_off_on_their_settings_page(self) -> None:
        bruno = self.client_for(self.bruno)
        page = bruno.get("/en/account/notifications/")
        self.assertContains(page, "a child asks me to unblock a site")
        self.assertNotContains(page, "a case is assigned to me")
        response = bruno.post("/en/account/notifications/", {"language": "es"})
        assert response.status_code == 302
        actions.ask(self.amara, "games.example", "")
        assert [m.to for m in deliver()] == [[self.amina.email]]
        assert NotificationSettings.objects.get(user=self.bruno).language == "es"
        # And on again.
        bruno.post("/en/account/notifications/", {"language": "es", "on": ["filter.unblock-request"]})
        actions.ask(self.amara, "video.example", "")
        assert sorted(m.to[0] for m in deliver()) == [self.amina.email, self.bruno.email]

    def test_an_unknown_choice_on_the_settings_page_is_refused_and_changes_nothing(self) -> None:
        response = self.client_for(self.bruno).post(
            "/en/account/notifications/", {"language": "xx", "on": ["nope"]}
        )
        assert response.status_code == 400
        assert NotificationSettings.objects.get(user=self.bruno).off == []

    def test_an_address_not_confirmed_gets_no_notification(self) -> None:
        self.bruno.confirmed_email = ""
        self.bruno.save()
        actions.ask(self.amara, "games.example", "")
        assert [m.to for m in deliver()] == [[self.amina.email]]

    def test_signing_in_remembers_the_language_to_write_in(self) -> None:
        from cop.core.tests.base import PASSWORD

        self.client.post("/ru/account/login/", {"username": "carla", "password": PASSWORD})
        assert NotificationSettings.objects.get(user=self.carla).language == "ru"


class SiteAddressCheckTestCase(SimpleTestCase):
    def test_the_deployment_check_warns_while_notification_links_point_at_the_development_address(
        self,
    ) -> None:
        with override_settings(DEBUG=False, SITE_URL="http://127.0.0.1:8000"):
            assert [message.id for message in site_url_configured(None)] == ["cop.W002"]
        with override_settings(DEBUG=False, SITE_URL="https://cop.example"):
            assert site_url_configured(None) == []
