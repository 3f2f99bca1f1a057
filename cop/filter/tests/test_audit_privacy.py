"""The audit log keeps a family's records private to its guardians, and a child asking leaves no address."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from cop.core import audit
from cop.core.models import AuditEvent, User
from cop.filter import actions
from cop.filter.models import Family
from cop.filter.tests.helpers import FilterTestCase, make_device

# What the Okafor family's records hold: none of it may reach anyone but its guardians.
CHILD = "Amara"
NETWORK = "198.51.100.0/28"
SITE = "games.example"
REASON = "for the class project on volcanoes"


class FamilyAuditPrivacyTestCase(FilterTestCase):
    ask_url: str

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        with audit.acting_as(audit.user_actor(cls.amina, "192.0.2.10")):
            actions.add_entry(cls.amara, "blocked.example", "block")
            device = make_device(cls.amara, "Amara's tablet", [NETWORK])
        cls.ask_url = f"/en/filter/ask/{device.ask_token}/"

    def setUp(self) -> None:
        super().setUp()
        # The child asks on their own page, without an account.
        self.client.post(self.ask_url, {"site": SITE, "reason": REASON})

    def _page(self, user: User) -> tuple[int, str]:
        client = Client()
        client.force_login(user)
        response = client.get(reverse("core:audit"))
        return response.status_code, response.content.decode()

    def _assert_values_hidden(self, html: str, who: str) -> None:
        for value in (CHILD, NETWORK, SITE, REASON, "blocked.example", "The Okafor family"):
            assert value not in html, f"{who} reads {value!r}"

    def test_the_familys_guardians_read_its_records_in_full(self) -> None:
        for guardian in (self.amina, self.bruno):
            status, html = self._page(guardian)
            assert status == 200
            for value in (CHILD, NETWORK, SITE, REASON, "blocked.example"):
                assert value in html, f"{guardian} misses {value!r}"
            # Their own family only: another family's child stays out of it.
            assert "Leo" not in html and "The Rossi family" not in html

    def test_the_secretariat_sees_that_events_happened_and_none_of_their_values(self) -> None:
        status, html = self._page(self.world.alice)
        assert status == 200
        assert "filter.UnblockRequest" in html and "filter.DeviceNetwork" in html and "filter.Profile" in html
        assert "private to the family" in html
        self._assert_values_hidden(html, "alice")
        assert "Leo" not in html

    def test_focal_points_see_no_family_record_and_other_roles_no_audit_log(self) -> None:
        for focal_point in (self.world.kofi, self.world.claire):
            status, html = self._page(focal_point)
            assert status == 200
            assert "filter." not in html
            self._assert_values_hidden(html, focal_point.username)
        for member in (self.world.hana, self.world.henri, self.world.ines, self.world.pablo):
            status, html = self._page(member)
            assert status == 403, member.username
            self._assert_values_hidden(html, member.username)

    def test_a_guardian_of_another_family_reads_only_their_own(self) -> None:
        status, html = self._page(self.carla)
        assert status == 200
        assert "Leo" in html
        self._assert_values_hidden(html, "carla")

    def test_the_rule_is_the_readers_not_the_pages(self) -> None:
        event = AuditEvent.objects.filter(model="filter.UnblockRequest").latest("id")
        assert event.subject == f"filter.Family:{self.family.pk}"
        shown = audit.Reader(self.world.alice).show(event)
        assert (shown.full, shown.action, shown.model) == (False, "create", "filter.UnblockRequest")
        assert (shown.actor_label, shown.object_repr, shown.before, shown.after) == ("", "", None, None)
        assert audit.Reader(self.amina).show(event).after["reason"] == REASON  # type: ignore[index]
        assert not audit.Reader(self.carla).events().filter(pk=event.pk).exists()
        assert not audit.Reader(self.world.kofi).events().filter(pk=event.pk).exists()

    def test_a_childs_request_to_unblock_a_site_stores_no_client_address(self) -> None:
        event = AuditEvent.objects.filter(model="filter.UnblockRequest").latest("id")
        assert (event.actor_label, event.ip_address) == ("anonymous", None)
        # A guardian's own changes keep theirs: a guardian answers for what they do.
        entry = AuditEvent.objects.filter(model="filter.Entry").latest("id")
        assert entry.ip_address == "192.0.2.10"

    def test_a_family_record_whose_family_is_lost_stays_private_to_nobody(self) -> None:
        with audit.acting_as(audit.user_actor(self.amina)):
            actions.add_entry(self.amara, "other.example", "block")
        entry = self.amara.entries.get(name="other.example")
        entry.profile_id = 0  # a parent that no longer exists
        entry.delete()
        event = AuditEvent.objects.filter(model="filter.Entry", action="delete").latest("id")
        assert event.subject == "filter.Family:?"
        for reader in (self.world.alice, self.amina):
            assert not audit.Reader(reader).show(event).full

    def test_a_deleted_familys_records_keep_that_things_happened_and_lose_what_they_held(self) -> None:
        subject = audit.subject_key(Family, self.family.pk)
        recorded = AuditEvent.objects.filter(subject=subject).count()
        self.family.delete()
        events = list(AuditEvent.objects.filter(subject=subject))
        # Every earlier record, and the delete records of the family and all that went with it.
        assert len(events) > recorded
        assert {"filter.Family", "filter.Profile", "filter.Entry", "filter.UnblockRequest"} <= {
            e.model for e in events if e.action == "delete"
        }
        for event in events:
            assert set(event.after.values()) | set(event.before.values()) <= {audit.ERASED}
            assert event.object_repr == audit.ERASED
        for value in (CHILD, NETWORK, SITE, REASON, "The Okafor family"):
            assert value not in str([(e.before, e.after, e.object_repr) for e in events])
        # Leo's family is untouched.
        assert AuditEvent.objects.filter(model="filter.Profile", after__name="Leo").exists()
