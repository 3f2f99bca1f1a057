"""Every queue is linked, with its count, for the people who work through it, and only for them."""

from __future__ import annotations

from cop.core import queues
from cop.core.models import User
from cop.core.permissions import Actor
from cop.filter import actions
from cop.filter.tests.helpers import FilterTestCase
from cop.guidance.models import Resource, Status
from cop.reports.tests.base import file_report


def _resource(slug: str, status: str, submitted_by: User | None = None) -> Resource:
    return Resource.objects.create(
        slug=slug,
        title=f"Neutral title {slug}",
        publisher="Example Publisher",
        year=2024,
        url=f"https://example.org/{slug}",
        type="best-practice",
        language="en",
        licence="CC BY 4.0",
        status=status,
        submitted_by=submitted_by,
    )


class QueuesTestCase(FilterTestCase):
    def test_the_secretariat_sees_the_moderation_queue_with_its_count_on_every_page(self) -> None:
        _resource("one", Status.PENDING)
        _resource("two", Status.PENDING)
        _resource("three", Status.APPROVED)
        alice = self.client_for(self.world.alice)
        account = alice.get("/en/account/").content.decode()
        self.assertIn(
            '<a href="/en/library/moderation/">Proposals to review</a> <span class="count">2</span>', account
        )
        # The navigation of any page says that something waits.
        self.assertContains(alice.get("/en/countries/"), '<span class="count">2 waiting</span>', html=False)

    def test_nobody_else_sees_the_moderation_queue(self) -> None:
        _resource("one", Status.PENDING)
        for user in [self.world.kofi, self.world.hana, self.world.pablo, self.amina]:
            with self.subTest(user=user.username):
                self.assertNotContains(self.client_for(user).get("/en/account/"), "/en/library/moderation/")

    def test_a_hotline_analyst_sees_the_open_cases_of_their_hotline(self) -> None:
        file_report()
        file_report()
        hana = self.client_for(self.world.hana).get("/en/account/").content.decode()
        self.assertIn('<a href="/en/report/cases/">Open cases</a> <span class="count">2</span>', hana)
        # A focal point handles no cases: no queue, and no link to a page that would refuse them.
        self.assertNotContains(self.client_for(self.world.kofi).get("/en/account/"), "/en/report/cases/")

    def test_a_guardian_sees_the_unblock_requests_of_their_children(self) -> None:
        actions.ask(self.amara, "games.example", "homework")
        actions.ask(self.leo, "video.example", "")
        page = self.client_for(self.bruno).get("/en/account/").content.decode()
        self.assertIn('<a href="/en/filter/">Unblock requests</a> <span class="count">1</span>', page)
        self.assertNotContains(self.client_for(self.world.alice).get("/en/account/"), "Unblock requests")

    def test_a_submitter_sees_their_proposals_sent_back_for_changes(self) -> None:
        _resource("back", Status.CHANGES_REQUESTED, submitted_by=self.world.pablo)
        _resource("other", Status.CHANGES_REQUESTED, submitted_by=self.world.ines)
        page = self.client_for(self.world.pablo).get("/en/account/").content.decode()
        self.assertIn(
            '<a href="/en/library/mine/">My proposals sent back for changes</a> <span class="count">1</span>',
            page,
        )

    def test_a_queue_an_app_registers_is_shown_to_whoever_may_open_its_page(self) -> None:
        queues.register(queues.Queue("test.audit", "Events to look at", "core:audit", lambda actor: 7))
        self.addCleanup(queues.unregister, "test.audit")
        self.assertContains(self.client_for(self.world.kofi).get("/en/account/"), "Events to look at")
        self.assertNotContains(self.client_for(self.world.ines).get("/en/account/"), "Events to look at")

    def test_a_queue_cannot_be_registered_twice(self) -> None:
        queue = queues.Queue("reports.cases", "Open cases", "reports:queue", lambda actor: 0)
        with self.assertRaises(ValueError):
            queues.register(queue)

    def test_nobody_without_an_account_has_queues(self) -> None:
        self.assertEqual(queues.waiting_for(Actor()), [])
