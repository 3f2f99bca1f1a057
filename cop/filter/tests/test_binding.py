"""Binding networks to devices: only what is the guardian's, never overlapping another family's,
and no answer that tells anything about what other families have bound."""

from __future__ import annotations

import io
import threading
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test import Client, override_settings

from cop.core.models import User
from cop.filter import actions
from cop.filter.binding import Binder
from cop.filter.models import AssignedRange, Device, DeviceNetwork, Family, Profile
from cop.filter.networks import span
from cop.filter.tests.helpers import FilterTestCase, make_device, make_family, make_parent, make_profile
from cop.filter.tests.test_api import call


class BindingTestCase(FilterTestCase):
    """amina (Okafor family, child Amara) and carla (Rossi family, child Leo) share a street."""

    def add(self, networks: list[str], at: str, profile: Profile | None = None) -> tuple[int, Any]:
        """A device for Amara (or `profile`) through the API, the parent being at address `at`."""
        profile = profile or self.amara
        client = self.as_user(self.carla) if profile.family == self.other_family else self.parent
        body = {"name": "Tablet", "networks": networks}
        return call(client, "post", f"/profiles/{profile.pk}/devices", body, REMOTE_ADDR=at)

    def refusal(self, network: str, at: str, family: Family | None = None) -> str:
        return Binder.of(family or self.family, at).refusal([network])

    def test_the_whole_internet_is_nobodys_network(self) -> None:
        for network, at in (("0.0.0.0/0", "192.0.2.7"), ("::/0", "2001:db8::7"), ("0.0.0.0/1", "10.0.0.1")):
            status, body = self.add([network], at)
            assert (status, body["message"]) == (422, self.refusal(network, at)), network
        assert not Device.objects.exists()

    def test_loopback_link_local_multicast_and_mapped_networks_are_nobodys(self) -> None:
        for network, at in (
            ("127.0.0.1", "127.0.0.1"),
            ("fe80::/64", "fe80::1"),
            ("169.254.0.0/24", "169.254.0.9"),
            ("224.0.0.0/24", "192.0.2.7"),
            ("::ffff:192.0.2.7", "192.0.2.7"),
        ):
            assert self.add([network], at)[0] == 422, network
        assert not Device.objects.exists()

    def test_a_parent_behind_a_proxy_that_hides_their_address_is_told_so(self) -> None:
        status, body = self.add(["192.0.2.7"], "127.0.0.1")
        assert status == 422
        assert "The platform sees you at 127.0.0.1, an address no device can be bound to" in body["message"]

    def test_a_parent_binds_only_around_their_own_address_and_no_wider_than_a_24(self) -> None:
        assert self.add(["198.51.100.0/24"], "192.0.2.7")[0] == 422  # not where the parent is
        assert self.add(["192.0.2.0/23"], "192.0.2.7")[0] == 422  # too wide
        assert self.add(["2001:db8:0:100::/55"], "2001:db8:0:100::7")[0] == 422
        assert self.add(["192.0.2.0/24"], "192.0.2.7")[0] == 201
        assert self.add(["2001:db8:0:100::/56"], "2001:db8:0:100::7")[0] == 201
        with override_settings(FILTER_BIND_WIDEST_IPV4=32):
            status, body = self.add(["203.0.113.0/31"], "203.0.113.1")
        assert status == 422 and "no wider than /32" in body["message"]

    def test_an_ipv4_mapped_client_address_is_its_ipv4_address(self) -> None:
        assert self.add(["192.0.2.7"], "::ffff:192.0.2.7")[0] == 201
        assert Device.objects.get().networks == ["192.0.2.7/32"]

    def test_a_wider_or_a_narrower_slice_of_another_familys_network_is_refused(self) -> None:
        assert self.add(["192.0.2.128/25"], "192.0.2.130", self.leo)[0] == 201
        # Wider: the parent's own /24 holds the neighbour's /25.
        status, body = self.add(["192.0.2.0/24"], "192.0.2.7")
        assert (status, body["message"]) == (422, self.refusal("192.0.2.0/24", "192.0.2.7"))
        # Narrower: the parent is inside the neighbour's network.
        status, body = self.add(["192.0.2.140"], "192.0.2.140")
        assert (status, body["message"]) == (422, self.refusal("192.0.2.140/32", "192.0.2.140"))
        assert Device.objects.count() == 1

    def test_an_exact_duplicate_of_another_familys_network_is_refused_without_revealing_it(self) -> None:
        assert self.add(["192.0.2.128/25"], "192.0.2.130", self.leo)[0] == 201
        status, body = self.add(["192.0.2.128/25"], "192.0.2.130")
        # The words of any network that is not the parent's: nothing of Leo, his device or his family.
        assert (status, body["message"]) == (422, self.refusal("192.0.2.128/25", "192.0.2.130"))
        for secret in ("Leo", "Rossi", "Tablet", "already"):
            assert secret not in body["message"]

    def test_the_answer_is_the_same_before_and_after_another_family_binds_the_network(self) -> None:
        # The parent tries a network that is not theirs; whether the neighbours bound it meanwhile
        # must not change a byte of the answer, nor its status.
        before = self.add(["192.0.2.128/25"], "198.51.100.9")
        assert self.add(["192.0.2.128/25"], "192.0.2.130", self.leo)[0] == 201
        after = self.add(["192.0.2.128/25"], "198.51.100.9")
        assert before == after and before[0] == 422

    def test_the_page_refuses_with_the_same_words(self) -> None:
        make_device(self.leo, "Leo's laptop", ["192.0.2.128/25"])
        response = self.parent.post(
            f"/en/filter/profiles/{self.amara.pk}/devices/new/",
            {"name": "Phone", "networks": "192.0.2.0/24"},
            REMOTE_ADDR="192.0.2.7",
        )
        assert response.status_code == 400
        self.assertContains(response, "192.0.2.0/24 cannot be bound to this device.", status_code=400)
        self.assertNotContains(response, "Leo", status_code=400)
        assert Device.objects.count() == 1

    def test_inside_one_family_networks_may_nest(self) -> None:
        school = make_family(self.amina, "Hillside Primary School")
        pupils, staff = make_profile(school, "Pupils"), make_profile(school, "Staff")
        assert self.add(["10.0.5.0/24"], "10.0.5.20", pupils)[0] == 201
        assert self.add(["10.0.5.16/28"], "10.0.5.20", staff)[0] == 201
        # The same network twice in the family: refused, naming the family's own device.
        status, body = self.add(["10.0.5.16/28"], "10.0.5.20", pupils)
        assert (status, body["message"]) == (409, "10.0.5.16/28 is already bound to the device Tablet.")

    def test_the_database_refuses_an_overlapping_row_written_past_the_code(self) -> None:
        mine = make_device(self.amara, networks=["192.0.2.7/32"])
        theirs = make_device(self.leo, "Leo's laptop", ["198.51.100.0/24"])
        with pytest.raises(IntegrityError), transaction.atomic():
            DeviceNetwork.objects.create(device=theirs, network="192.0.2.0/24")
        version, first, last = span("192.0.2.0/28")
        with pytest.raises(IntegrityError), transaction.atomic():
            DeviceNetwork.objects.filter(device=theirs).update(network="192.0.2.0/28", first=first, last=last)
        with pytest.raises(IntegrityError), transaction.atomic():
            # Written by hand, as another program could: the guard is in the database itself.
            with connection.cursor() as cursor:
                cursor.execute(
                    "INSERT INTO filter_devicenetwork (device_id, family_id, network, version, first, last) "
                    "VALUES (%s, %s, %s, %s, %s, %s)",
                    [theirs.pk, self.other_family.pk, "192.0.2.7/32", version, *span("192.0.2.7/32")[1:]],
                )
        # Nesting inside one family is the database's business no more than the code's.
        DeviceNetwork.objects.create(device=mine, network="192.0.2.0/24")
        assert sorted(DeviceNetwork.objects.values_list("network", flat=True)) == [
            "192.0.2.0/24",
            "192.0.2.7/32",
            "198.51.100.0/24",
        ]


class ProviderTestCase(FilterTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.provider = actions.create_family(self.amina, "Example Networks", Family.Kind.PROVIDER, "UTC")
        self.customer = make_profile(self.provider, "Customer 1001")

    def add(self, network: str, at: str) -> tuple[int, Any]:
        path = f"/profiles/{self.customer.pk}/devices"
        return call(self.parent, "post", path, {"name": "Home router", "networks": [network]}, REMOTE_ADDR=at)

    def assign(self, *args: str) -> str:
        out = io.StringIO()
        call_command("assign_provider_ranges", *args, stdout=out)
        return out.getvalue()

    def test_a_provider_without_ranges_binds_nothing_and_is_told_who_assigns_them(self) -> None:
        status, body = self.add("203.0.113.0/24", "203.0.113.5")  # not even around its own address
        assert status == 422 and "the platform's secretariat assigns" in body["message"]
        page = self.parent.get(f"/en/filter/families/{self.provider.pk}/")
        self.assertContains(page, "none yet: the platform's secretariat assigns")

    def test_a_provider_binds_inside_its_assigned_ranges_from_anywhere_and_nothing_outside(self) -> None:
        output = self.assign(str(self.provider.pk), "198.51.100.0/22", "2001:db8:100::/40")
        assert "assigned ranges 198.51.100.0/22, 2001:db8:100::/40" in output
        assert self.add("198.51.100.0/24", "203.0.113.5")[0] == 201
        assert self.add("2001:db8:100:ff00::/56", "203.0.113.5")[0] == 201
        status, body = self.add("198.51.104.0/24", "203.0.113.5")  # just outside
        assert status == 422 and "inside the ranges assigned to you, 198.51.100.0/22" in body["message"]
        assert self.add("198.51.96.0/21", "203.0.113.5")[0] == 422  # around the range: wider
        page = self.parent.get(f"/en/filter/families/{self.provider.pk}/")
        self.assertContains(page, "<code>198.51.100.0/22</code>")

    def test_a_family_binds_inside_a_range_taken_by_the_provider_only_if_the_provider_has_not_bound_it(
        self,
    ) -> None:
        self.assign(str(self.provider.pk), "198.51.100.0/22")
        assert self.add("198.51.100.0/24", "203.0.113.5")[0] == 201
        status, _body = call(
            self.as_user(self.carla),
            "post",
            f"/profiles/{self.leo.pk}/devices",
            {"name": "Laptop", "networks": ["198.51.100.9"]},
            REMOTE_ADDR="198.51.100.9",
        )
        assert status == 422

    def test_the_command_refuses_overlaps_reserved_networks_and_bad_input_and_takes_ranges_back(self) -> None:
        self.assign(str(self.provider.pk), "198.51.100.0/22")
        with pytest.raises(CommandError, match=r"overlaps 198\.51\.100\.0/22, assigned to Example Networks"):
            self.assign(str(self.family.pk), "198.51.101.0/24")
        with pytest.raises(CommandError, match="loopback"):
            self.assign(str(self.provider.pk), "0.0.0.0/0")
        with pytest.raises(CommandError, match="not an IP network"):
            self.assign(str(self.provider.pk), "198.51.100.0/33")
        with pytest.raises(CommandError, match="no family number"):
            self.assign("999999", "203.0.113.0/24")
        assert self.assign(str(self.provider.pk), "198.51.100.0/22", "--remove").endswith(
            "assigned ranges none.\n"
        )
        assert not AssignedRange.objects.exists()


@pytest.mark.usefixtures("database_on_disk")
def test_two_families_binding_overlapping_networks_at_the_same_moment_cannot_both_succeed() -> None:
    """Two requests start together (a barrier), each in its own thread with its own connection; the
    database, not only the code, lets exactly one of them bind. Several rounds, to let them race."""
    people: list[tuple[Client, Profile]] = []
    for username, family_name in (("amina", "The Okafor family"), ("carla", "The Rossi family")):
        parent: User = make_parent(username)
        client = Client()
        client.force_login(parent)
        people.append((client, make_profile(make_family(parent, family_name), "Child")))
    for round_number in range(5):
        # One family binds a /28, the other a single address inside it: they overlap. Each parent
        # is at an address inside what they bind, so each request alone would succeed.
        wide = f"192.0.2.{round_number * 16}/28"
        single = f"192.0.2.{round_number * 16 + 5}"
        requests = [(*people[0], wide, f"192.0.2.{round_number * 16 + 1}"), (*people[1], single, single)]
        barrier = threading.Barrier(len(requests))
        answers: list[int] = []
        threads = [threading.Thread(target=_bind, args=(*request, barrier, answers)) for request in requests]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert sorted(answers) == [201, 422], (round_number, answers)
    assert DeviceNetwork.objects.count() == 5


def _bind(
    client: Client,
    profile: Profile,
    network: str,
    address: str,
    barrier: threading.Barrier,
    answers: list[int],
) -> None:
    """One guardian's request, from its own thread and so with its own database connection."""
    try:
        barrier.wait(timeout=30)
        body = {"name": "Tablet", "networks": [network]}
        answers.append(call(client, "post", f"/profiles/{profile.pk}/devices", body, REMOTE_ADDR=address)[0])
    finally:
        connection.close()
