"""The family filter's pages: families, profiles, lists, schedules, devices, pauses, requests and reports."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from html.parser import HTMLParser

from django.test import override_settings
from django.utils import timezone
from django.utils.html import escape

from cop.core.models import AuditEvent
from cop.filter import actions
from cop.filter.categories import CHOOSABLE, PRESETS
from cop.filter.models import (
    ActivityHourly,
    BlockedDaily,
    BlockedSite,
    Device,
    Entry,
    Family,
    Invitation,
    Profile,
    QueryLogEntry,
    Schedule,
    UnblockRequest,
)
from cop.filter.reporting import family_today
from cop.filter.tests.helpers import FilterTestCase, make_device, make_profile


@dataclass
class Table:
    caption: str = ""
    header: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    scopes: list[str] = field(default_factory=list)  # of every header cell


class _TableReader(HTMLParser):
    """The tables of a page as text: caption, column headers, body rows, and each <th>'s scope."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[Table] = []
        self.part = ""
        self.cell: list[str] | None = None
        self.row: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append(Table())
        elif tag in ("caption", "thead", "tbody"):
            self.part = tag
            self.cell = [] if tag == "caption" else None
        elif tag == "tr":
            self.row = []
        elif tag in ("th", "td"):
            self.cell = []
            if tag == "th":
                self.tables[-1].scopes.append(dict(attrs).get("scope") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "caption" and self.cell is not None:
            self.tables[-1].caption = "".join(self.cell).strip()
            self.cell = None
        elif tag in ("th", "td") and self.cell is not None:
            self.row.append(" ".join("".join(self.cell).split()))
            self.cell = None
        elif tag == "tr":
            if self.part == "thead":
                self.tables[-1].header = self.row
            else:
                self.tables[-1].rows.append(self.row)

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def read_tables(html: str) -> list[Table]:
    reader = _TableReader()
    reader.feed(html)
    return reader.tables


def schedule_data(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "label": "Homework",
        "days": ["0", "1", "2", "3", "4"],
        "start": "16:00",
        "end": "18:00",
        "mode": "categories",
        "categories": ["games", "video"],
        "allowed": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


class FamilyPagesTestCase(FilterTestCase):
    def test_a_visitor_without_an_account_learns_what_the_filter_does_and_where_to_sign_up(self) -> None:
        response = self.client.get("/en/filter/")
        self.assertContains(
            response, "Illegal content reported to the national hotline is blocked for everyone"
        )
        self.assertContains(response, 'href="/en/account/signup/"')
        self.assertNotContains(response, "Okafor")

    def test_a_parent_creates_a_family_and_becomes_its_guardian(self) -> None:
        response = self.parent.post(
            "/en/filter/families/new/",
            {"name": "Okafor grandparents", "kind": "family", "time_zone": "Africa/Lagos"},
        )
        family = Family.objects.get(name="Okafor grandparents")
        self.assertRedirects(response, f"/en/filter/families/{family.pk}/")
        assert family.time_zone == "Africa/Lagos"
        assert list(family.guardians.values_list("user__username", flat=True)) == ["amina"]
        self.assertContains(self.parent.get("/en/filter/"), "Okafor grandparents")

    def test_a_school_or_provider_is_a_kind_of_family(self) -> None:
        self.parent.post(
            "/en/filter/families/new/", {"name": "Hillside School", "kind": "school", "time_zone": "UTC"}
        )
        self.parent.post(
            "/en/filter/families/new/", {"name": "Net Kenya", "kind": "provider", "time_zone": "UTC"}
        )
        assert Family.objects.get(name="Hillside School").kind == "school"
        assert Family.objects.get(name="Net Kenya").kind == "provider"

    def test_a_family_with_bad_input_is_refused_with_messages_and_nothing_is_created(self) -> None:
        before = Family.objects.count()
        response = self.parent.post(
            "/en/filter/families/new/", {"name": "<b>Us</b>", "kind": "clan", "time_zone": "Mars/Olympus"}
        )
        self.assertContains(response, "HTML is not allowed here", status_code=400)
        self.assertContains(response, "Select a valid choice", count=2, status_code=400)
        assert Family.objects.count() == before

    def test_the_dashboard_lists_only_the_families_the_user_guards(self) -> None:
        page = self.parent.get("/en/filter/")
        self.assertContains(page, "The Okafor family")
        self.assertContains(page, "Amara")
        self.assertNotContains(page, "The Rossi family")
        self.assertNotContains(page, "Leo")

    def test_a_guardian_changes_the_family_time_zone(self) -> None:
        self.parent.post(
            f"/en/filter/families/{self.family.pk}/edit/",
            {"name": "The Okafors", "kind": "family", "time_zone": "Europe/London"},
        )
        self.family.refresh_from_db()
        assert (self.family.name, self.family.time_zone) == ("The Okafors", "Europe/London")


class AccessTestCase(FilterTestCase):
    """Only guardians of a family see or change anything of it; for everyone else it does not exist."""

    def urls(self) -> tuple[list[str], list[tuple[str, dict[str, object]]]]:
        profile = self.amara
        entry = Entry.objects.create(profile=profile, name="example.org", action="block")
        schedule = actions.apply_template(profile, "bedtime")
        device = make_device(profile, networks=["192.0.2.0/24"])
        unblock, _new = actions.ask(profile, "minecraft.net", "")
        invitation = Invitation.objects.create(
            family=self.family, email="x@example.net", expires_at=timezone.now() + datetime.timedelta(days=1)
        )
        family = self.family.pk
        pages = [
            f"/en/filter/families/{family}/",
            f"/en/filter/families/{family}/edit/",
            f"/en/filter/families/{family}/profiles/new/",
            f"/en/filter/profiles/{profile.pk}/",
            f"/en/filter/profiles/{profile.pk}/settings/",
            f"/en/filter/profiles/{profile.pk}/delete/",
            f"/en/filter/profiles/{profile.pk}/schedules/new/",
            f"/en/filter/schedules/{schedule.pk}/",
            f"/en/filter/profiles/{profile.pk}/devices/new/",
            f"/en/filter/devices/{device.pk}/",
            f"/en/filter/profiles/{profile.pk}/report/",
        ]
        posts: list[tuple[str, dict[str, object]]] = [
            (f"/en/filter/families/{family}/edit/", {"name": "Taken", "kind": "family", "time_zone": "UTC"}),
            (f"/en/filter/families/{family}/invitations/", {"email": "carla@example.net"}),
            (f"/en/filter/families/{family}/invitations/{invitation.pk}/revoke/", {}),
            (f"/en/filter/families/{family}/profiles/new/", {"name": "Intruder", "age_band": "5-7"}),
            (
                f"/en/filter/profiles/{profile.pk}/settings/",
                {"name": "X", "age_band": "5-7", "youtube": "off", "block_answer": "zero"},
            ),
            (f"/en/filter/profiles/{profile.pk}/pause/", {"minutes": "60"}),
            (f"/en/filter/profiles/{profile.pk}/resume/", {}),
            (f"/en/filter/profiles/{profile.pk}/entries/", {"site": "evil.example", "action": "allow"}),
            (f"/en/filter/entries/{entry.pk}/delete/", {}),
            (f"/en/filter/profiles/{profile.pk}/schedules/new/", schedule_data()),
            (f"/en/filter/profiles/{profile.pk}/schedules/ready-made/", {"template": "school-nights"}),
            (f"/en/filter/schedules/{schedule.pk}/", schedule_data()),
            (f"/en/filter/schedules/{schedule.pk}/delete/", {}),
            (f"/en/filter/profiles/{profile.pk}/devices/new/", {"name": "Spy", "networks": ""}),
            (f"/en/filter/devices/{device.pk}/delete/", {}),
            (f"/en/filter/requests/{unblock.pk}/approve/", {}),
            (f"/en/filter/requests/{unblock.pk}/decline/", {}),
            (f"/en/filter/profiles/{profile.pk}/query-log/", {"hours": "2"}),
            (f"/en/filter/profiles/{profile.pk}/delete/", {}),
        ]
        return pages, posts

    def test_nobody_but_a_guardian_sees_or_changes_anything_of_a_family(self) -> None:
        pages, posts = self.urls()
        audited = AuditEvent.objects.count()
        # Another parent, and the secretariat: an organisation's role gives no access to a family.
        for outsider in (self.carla, self.world.alice):
            client = self.as_user(outsider)
            for url in pages:
                self.assertEqual(client.get(url).status_code, 404, f"{outsider} GET {url}")
            for url, data in posts:
                self.assertEqual(client.post(url, data).status_code, 404, f"{outsider} POST {url}")
        assert AuditEvent.objects.count() == audited
        self.amara.refresh_from_db()
        assert self.amara.name == "Amara" and self.amara.paused_until is None
        assert Entry.objects.filter(profile=self.amara).count() == 1
        assert Schedule.objects.filter(profile=self.amara).count() == 1
        assert Device.objects.filter(profile=self.amara).count() == 1
        assert UnblockRequest.objects.get().status == "pending"
        assert not self.family.profiles.filter(name="Intruder").exists()
        assert list(Invitation.objects.values_list("status", flat=True)) == ["pending"]

    def test_every_page_of_the_family_answers_its_guardians(self) -> None:
        pages, _posts = self.urls()
        bruno = self.as_user(self.bruno)
        for url in pages:
            self.assertEqual(bruno.get(url).status_code, 200, url)

    def test_signed_out_visitors_are_sent_to_sign_in(self) -> None:
        pages, _posts = self.urls()
        for url in pages:
            response = self.client.get(url)
            self.assertEqual(response.status_code, 302, url)
            assert response["Location"].startswith("/en/account/login/")


class ProfilePagesTestCase(FilterTestCase):
    def test_a_new_profile_starts_with_the_preset_of_its_age_band(self) -> None:
        for band in ("5-7", "8-12", "13-17"):
            response = self.parent.post(
                f"/en/filter/families/{self.family.pk}/profiles/new/",
                {"name": f"Child {band}", "age_band": band},
            )
            profile = Profile.objects.get(name=f"Child {band}")
            self.assertRedirects(response, f"/en/filter/profiles/{profile.pk}/settings/")
            assert set(profile.blocked_categories) == set(PRESETS[band])

    def test_the_create_page_shows_what_each_age_starts_with_and_that_illegal_content_is_always_blocked(
        self,
    ) -> None:
        page = self.parent.get(f"/en/filter/families/{self.family.pk}/profiles/new/")
        self.assertContains(page, "5 to 7 years")
        self.assertContains(page, "Illegal content (national hotline) is always blocked, for everyone")

    def test_the_settings_page_offers_only_choosable_categories_checked_from_the_preset(self) -> None:
        page = self.parent.get(f"/en/filter/profiles/{self.amara.pk}/settings/")
        html = page.content.decode()
        for category in CHOOSABLE:
            checked = category.code in PRESETS["8-12"]
            self.assertInHTML(
                f'<input type="checkbox" name="blocked_categories" value="{category.code}"'
                f' id="id_blocked_categories_{[c.code for c in CHOOSABLE].index(category.code)}"'
                f' aria-describedby="category-status-{category.code}"'
                f"{' checked' if checked else ''}>",
                html,
            )
        assert 'value="illegal"' not in html
        self.assertContains(page, "is always blocked, for everyone")

    def test_settings_are_saved(self) -> None:
        response = self.parent.post(
            f"/en/filter/profiles/{self.amara.pk}/settings/",
            {
                "name": "Amara O.",
                "age_band": "8-12",
                "blocked_categories": ["adult", "games"],
                "youtube": "moderate",
                "block_answer": "nxdomain",
            },
        )
        self.assertRedirects(response, f"/en/filter/profiles/{self.amara.pk}/")
        self.amara.refresh_from_db()
        assert self.amara.name == "Amara O."
        assert self.amara.blocked_categories == ["adult", "games"]
        # An unchecked box is "off".
        assert self.amara.safe_search is False
        assert (self.amara.youtube, self.amara.block_answer) == ("moderate", "nxdomain")

    def test_the_illegal_or_an_unknown_category_is_refused_and_nothing_changes(self) -> None:
        before = list(self.amara.blocked_categories)
        for codes in (["adult", "illegal"], ["casinos"]):
            response = self.parent.post(
                f"/en/filter/profiles/{self.amara.pk}/settings/",
                {
                    "name": "Amara",
                    "age_band": "8-12",
                    "blocked_categories": codes,
                    "youtube": "strict",
                    "block_answer": "zero",
                },
            )
            self.assertContains(response, "Select a valid choice", status_code=400)
        self.amara.refresh_from_db()
        assert self.amara.blocked_categories == before

    def test_a_guardian_deletes_a_profile(self) -> None:
        child = make_profile(self.family, "Temporary")
        self.assertContains(self.parent.get(f"/en/filter/profiles/{child.pk}/delete/"), "Delete the profile")
        response = self.parent.post(f"/en/filter/profiles/{child.pk}/delete/")
        self.assertRedirects(response, f"/en/filter/families/{self.family.pk}/")
        assert not Profile.objects.filter(pk=child.pk).exists()


class EntryPagesTestCase(FilterTestCase):
    def url(self) -> str:
        return f"/en/filter/profiles/{self.amara.pk}/entries/"

    def test_a_parent_allows_and_blocks_sites_stored_normalised(self) -> None:
        response = self.parent.post(self.url(), {"site": "Bücher.Example.", "action": "allow"})
        self.assertRedirects(
            response, f"/en/filter/profiles/{self.amara.pk}/#entries", fetch_redirect_response=False
        )
        self.parent.post(self.url(), {"site": "https://WWW.Chat.Example/rooms?id=1", "action": "block"})
        assert dict(Entry.objects.filter(profile=self.amara).values_list("name", "action")) == {
            "xn--bcher-kva.example": "allow",
            "chat.example": "block",
        }
        page = self.parent.get(f"/en/filter/profiles/{self.amara.pk}/")
        self.assertContains(page, "xn--bcher-kva.example")
        self.assertContains(page, "chat.example is now blocked for Amara.")
        # The parent pasted an address: they are told what the list keeps.
        self.assertContains(
            page, "You typed https://WWW.Chat.Example/rooms?id=1; the list keeps chat.example, which covers"
        )

    def test_a_pasted_address_blocks_its_whole_site_but_allows_only_its_own_name(self) -> None:
        cases = [
            # (typed, action, stored, told what was kept)
            ("https://www.roblox.com/games", "block", "roblox.com", True),
            ("https://m.video.example.co.uk/watch?v=1", "block", "example.co.uk", True),
            (
                "someone.github.io/page",
                "block",
                "someone.github.io",
                True,
            ),  # a private suffix: their site only
            ("videos.example.com", "block", "videos.example.com", False),  # typed: the name they meant
            ("www.games.example", "block", "games.example", True),
            ("https://docs.example.org/homework", "allow", "docs.example.org", True),  # never widened
            ("https://www.school.example/maths", "allow", "school.example", True),
            ("www.news.example", "allow", "news.example", True),
            ("Bücher.Example", "allow", "xn--bcher-kva.example", False),
        ]
        for typed, action, stored, told in cases:
            response = self.parent.post(self.url(), {"site": typed, "action": action}, follow=True)
            assert Entry.objects.filter(profile=self.amara, name=stored, action=action).exists(), typed
            note = f"the list keeps {stored}, which covers its subdomains too."
            assert (note in response.content.decode()) is told, typed

    def test_the_api_says_what_the_list_keeps(self) -> None:
        response = self.parent.post(
            f"/api/v1/filter/profiles/{self.amara.pk}/entries",
            {"name": "https://www.roblox.com/games", "action": "block"},
            content_type="application/json",
        )
        assert response.status_code == 201
        body = response.json()
        assert body["name"] == "roblox.com"
        assert body["note"] == (
            "You typed https://www.roblox.com/games; the list keeps roblox.com, "
            "which covers its subdomains too."
        )

    def test_a_bad_name_is_refused_with_the_reason_and_nothing_is_added(self) -> None:
        for site, reason in [
            ("localhost", "a single label is not a domain"),
            ("192.0.2.1", "an IP address is not a domain name"),
            ("bad_-.example", "invalid label"),
        ]:
            response = self.parent.post(self.url(), {"site": site, "action": "block"})
            self.assertContains(response, "is not a website name the filter can use", status_code=400)
            self.assertContains(response, escape(reason), status_code=400)
        assert not Entry.objects.exists()

    def test_a_duplicate_entry_is_refused_with_a_message(self) -> None:
        self.parent.post(self.url(), {"site": "example.org", "action": "block"})
        response = self.parent.post(self.url(), {"site": "EXAMPLE.org.", "action": "allow"})
        self.assertContains(response, "example.org is already on this child", status_code=400)
        assert Entry.objects.get().action == "block"

    def test_the_same_site_may_be_on_two_children_lists(self) -> None:
        other = make_profile(self.family, "Kofi")
        self.parent.post(self.url(), {"site": "example.org", "action": "block"})
        self.parent.post(
            f"/en/filter/profiles/{other.pk}/entries/", {"site": "example.org", "action": "allow"}
        )
        assert Entry.objects.count() == 2

    def test_an_entry_is_removed(self) -> None:
        entry = Entry.objects.create(profile=self.amara, name="example.org", action="block")
        response = self.parent.post(f"/en/filter/entries/{entry.pk}/delete/")
        self.assertRedirects(
            response, f"/en/filter/profiles/{self.amara.pk}/#entries", fetch_redirect_response=False
        )
        assert not Entry.objects.exists()

    def test_removing_needs_a_post(self) -> None:
        entry = Entry.objects.create(profile=self.amara, name="example.org", action="block")
        assert self.parent.get(f"/en/filter/entries/{entry.pk}/delete/").status_code == 405
        assert Entry.objects.exists()


class SchedulePagesTestCase(FilterTestCase):
    def test_the_bedtime_template_blocks_everything_every_day_from_20_to_7(self) -> None:
        self.parent.post(
            f"/en/filter/profiles/{self.amara.pk}/schedules/ready-made/", {"template": "bedtime"}
        )
        schedule = Schedule.objects.get(profile=self.amara)
        assert schedule.label == "Bedtime"
        assert schedule.days == [0, 1, 2, 3, 4, 5, 6]
        assert (schedule.start, schedule.end) == (datetime.time(20), datetime.time(7))
        assert schedule.block_everything and schedule.allowed == [] and schedule.categories == []
        page = self.parent.get(f"/en/filter/profiles/{self.amara.pk}/")
        self.assertContains(page, "Every day · 20:00 to 07:00 the next morning")

    def test_the_school_nights_template_blocks_games_from_sunday_to_thursday(self) -> None:
        self.parent.post(
            f"/en/filter/profiles/{self.amara.pk}/schedules/ready-made/", {"template": "school-nights"}
        )
        schedule = Schedule.objects.get(profile=self.amara)
        assert schedule.label == "No games on school nights"
        assert schedule.days == [0, 1, 2, 3, 6]
        assert (schedule.start, schedule.end) == (datetime.time(19), datetime.time(7))
        assert not schedule.block_everything and schedule.categories == ["games"]

    def test_a_template_is_not_added_twice_nor_an_unknown_one(self) -> None:
        url = f"/en/filter/profiles/{self.amara.pk}/schedules/ready-made/"
        self.parent.post(url, {"template": "bedtime"})
        page = self.parent.post(url, {"template": "bedtime"}, follow=True)
        self.assertContains(page, "Amara already has a schedule called Bedtime.")
        self.assertContains(
            self.parent.post(url, {"template": "party"}, follow=True), "There is no such ready-made schedule."
        )
        assert Schedule.objects.count() == 1

    def test_a_window_across_midnight_with_allowed_sites_is_saved_normalised(self) -> None:
        response = self.parent.post(
            f"/en/filter/profiles/{self.amara.pk}/schedules/new/",
            schedule_data(
                label="Late",
                days=["4", "5"],
                start="21:30",
                end="06:45",
                mode="everything",
                allowed="Homework.Example\n\nhttps://school.example/portal\nhomework.example",
            ),
        )
        self.assertRedirects(
            response, f"/en/filter/profiles/{self.amara.pk}/#schedules", fetch_redirect_response=False
        )
        schedule = Schedule.objects.get()
        assert (schedule.days, schedule.start, schedule.end) == (
            [4, 5],
            datetime.time(21, 30),
            datetime.time(6, 45),
        )
        assert schedule.block_everything and schedule.categories == []
        assert schedule.allowed == ["homework.example", "school.example"]

    def test_a_schedule_with_bad_input_is_refused_with_messages_and_nothing_is_saved(self) -> None:
        url = f"/en/filter/profiles/{self.amara.pk}/schedules/new/"
        cases = [
            (schedule_data(days=None), "This field is required."),
            (schedule_data(days=["7"]), "Select a valid choice."),
            (schedule_data(start="25:00"), "Enter a valid time."),
            (schedule_data(categories=None), "Check at least one category, or block everything."),
            (schedule_data(categories=["illegal"]), "Select a valid choice."),
            (schedule_data(allowed="fine.example\nnot a site"), "Line 2:"),
        ]
        for data, message in cases:
            self.assertContains(self.parent.post(url, data), escape(message), status_code=400)
        assert not Schedule.objects.exists()

    def test_a_schedule_is_edited_and_deleted(self) -> None:
        schedule = actions.apply_template(self.amara, "bedtime")
        page = self.parent.get(f"/en/filter/schedules/{schedule.pk}/")
        self.assertContains(page, 'value="20:00"')
        self.parent.post(
            f"/en/filter/schedules/{schedule.pk}/", schedule_data(label="Bedtime", start="21:00", end="07:00")
        )
        schedule.refresh_from_db()
        assert schedule.start == datetime.time(21)
        assert not schedule.block_everything and schedule.categories == ["games", "video"]
        self.parent.post(f"/en/filter/schedules/{schedule.pk}/delete/")
        assert not Schedule.objects.exists()


class DevicePagesTestCase(FilterTestCase):
    def url(self) -> str:
        return f"/en/filter/profiles/{self.amara.pk}/devices/new/"

    def test_a_device_is_added_with_its_networks_normalised(self) -> None:
        # The parent is at home, at 192.0.2.7: the address itself and the /24 around it are theirs.
        response = self.parent.post(
            self.url(),
            {"name": "Amara's tablet", "networks": "192.0.2.7\n192.0.2.99/24\n\n"},
            REMOTE_ADDR="192.0.2.7",
        )
        device = Device.objects.get()
        self.assertRedirects(response, f"/en/filter/devices/{device.pk}/")
        assert device.networks == ["192.0.2.7/32", "192.0.2.0/24"]
        assert len(device.token) == 20
        response = self.parent.post(
            self.url(), {"name": "Laptop", "networks": "2001:DB8:0:7::1/64"}, REMOTE_ADDR="2001:db8:0:7::99"
        )
        assert Device.objects.get(name="Laptop").networks == ["2001:db8:0:7::/64"]

    def test_the_form_says_what_the_parent_can_bind_from_where_they_are(self) -> None:
        page = self.parent.get(self.url(), REMOTE_ADDR="192.0.2.7")
        self.assertContains(
            page,
            "You can bind the address you are using now, 192.0.2.7, or a network around it no wider than /24",
        )

    def test_a_device_without_networks_is_recognised_by_its_token(self) -> None:
        self.parent.post(self.url(), {"name": "Phone", "networks": ""})
        assert Device.objects.get().networks == []

    def test_a_bad_address_is_refused_with_a_message(self) -> None:
        response = self.parent.post(
            self.url(), {"name": "Phone", "networks": "192.0.2.300\nfe80::1%eth0\n192.0.2.1"}
        )
        self.assertContains(response, "“192.0.2.300” is not an IP address or network", status_code=400)
        self.assertContains(response, "“fe80::1%eth0” is not an IP address or network", status_code=400)
        assert not Device.objects.exists()

    def test_a_network_of_another_device_of_the_family_is_refused_naming_that_device(self) -> None:
        make_device(self.amara, "Amara's tablet", ["198.51.100.7/32"])
        sibling = make_profile(self.family, "Kofi")
        response = self.parent.post(
            f"/en/filter/profiles/{sibling.pk}/devices/new/",
            {"name": "Kofi's phone", "networks": "198.51.100.7"},
            REMOTE_ADDR="198.51.100.7",
        )
        self.assertContains(
            response, "198.51.100.7/32 is already bound to the device Amara&#x27;s tablet.", status_code=400
        )
        assert Device.objects.count() == 1

    @override_settings(FILTER_DOH_URL="https://dns.example.net/dns-query/")
    def test_the_device_page_shows_the_token_the_doh_address_the_router_option_and_the_ask_link(self) -> None:
        device = make_device(self.amara)
        page = self.parent.get(f"/en/filter/devices/{device.pk}/")
        self.assertContains(page, f'value="{device.token}"')
        self.assertContains(page, f'value="https://dns.example.net/dns-query/{device.token}"')
        self.assertContains(page, "EDNS0 option 65074")
        self.assertContains(page, f"add-cpe-id={device.token}")
        self.assertContains(page, f"http://testserver/en/filter/ask/{device.ask_token}/")
        self.assertNotContains(page, f"/ask/{device.token}/")
        assert page["Cache-Control"].startswith("max-age=0")

    @override_settings(FILTER_DOH_URL="")
    def test_without_a_doh_address_the_page_says_to_use_the_router(self) -> None:
        device = make_device(self.amara)
        page = self.parent.get(f"/en/filter/devices/{device.pk}/")
        self.assertContains(page, "is not offered by this installation yet")
        self.assertNotContains(page, "dns-query")

    def test_a_device_is_removed(self) -> None:
        device = make_device(self.amara)
        self.parent.post(f"/en/filter/devices/{device.pk}/delete/")
        assert not Device.objects.exists()
        assert self.client.get(f"/en/filter/ask/{device.ask_token}/").status_code == 404


class PausePagesTestCase(FilterTestCase):
    def test_each_offered_pause_lasts_its_minutes_and_resume_ends_it(self) -> None:
        for minutes in (15, 30, 60, 120):
            before = timezone.now()
            self.parent.post(f"/en/filter/profiles/{self.amara.pk}/pause/", {"minutes": str(minutes)})
            self.amara.refresh_from_db()
            assert self.amara.paused_until is not None
            expected = before + datetime.timedelta(minutes=minutes)
            assert abs((self.amara.paused_until - expected).total_seconds()) < 5
        page = self.parent.get(f"/en/filter/profiles/{self.amara.pk}/")
        self.assertContains(page, "The rules are paused until")
        self.assertContains(page, "Resume now")
        self.parent.post(f"/en/filter/profiles/{self.amara.pk}/resume/")
        self.amara.refresh_from_db()
        assert self.amara.paused_until is None

    def test_a_pause_not_offered_is_refused(self) -> None:
        page = self.parent.post(
            f"/en/filter/profiles/{self.amara.pk}/pause/", {"minutes": "600"}, follow=True
        )
        self.assertContains(page, "Choose one of the pause buttons.")
        self.amara.refresh_from_db()
        assert self.amara.paused_until is None

    def test_the_page_offers_the_four_pauses_and_says_illegal_content_stays_blocked(self) -> None:
        page = self.parent.get(f"/en/filter/profiles/{self.amara.pk}/")
        for minutes in (15, 30, 60, 120):
            self.assertContains(page, f"Pause for {minutes} minutes")
        self.assertContains(page, "A pause never unblocks illegal content.")

    def test_the_pause_time_is_shown_in_the_family_time_zone(self) -> None:
        until = datetime.datetime(2030, 1, 1, 12, 0, tzinfo=datetime.UTC)
        Profile.objects.filter(pk=self.amara.pk).update(paused_until=until)
        # Nairobi is three hours ahead of UTC.
        self.assertContains(self.parent.get(f"/en/filter/profiles/{self.amara.pk}/"), "paused until 15:00")


class UnblockPagesTestCase(FilterTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.device = make_device(self.amara)
        self.ask_url = f"/en/filter/ask/{self.device.ask_token}/"

    def test_a_child_asks_without_an_account_and_sees_the_status(self) -> None:
        page = self.client.get(self.ask_url)
        self.assertContains(page, "Ask to open a website")
        response = self.client.post(
            self.ask_url, {"site": "https://www.Minecraft.net/en-us", "reason": "School project"}
        )
        self.assertRedirects(response, self.ask_url)
        unblock = UnblockRequest.objects.get()
        # A child's request is an allowance to be: the address's own name, less www., not widened.
        assert (unblock.profile, unblock.name, unblock.reason, unblock.status) == (
            self.amara,
            "minecraft.net",
            "School project",
            "pending",
        )
        page = self.client.get(self.ask_url)
        self.assertContains(page, "minecraft.net")
        self.assertContains(page, "Waiting for a parent")

    def test_an_unknown_token_is_not_found(self) -> None:
        assert self.client.get("/en/filter/ask/aaaaaaaaaaaaaaaaaaaa/").status_code == 404
        assert (
            self.client.post("/en/filter/ask/aaaaaaaaaaaaaaaaaaaa/", {"site": "example.org"}).status_code
            == 404
        )
        assert not UnblockRequest.objects.exists()

    def test_the_ask_page_neither_takes_nor_shows_the_dns_token(self) -> None:
        assert self.device.token not in self.ask_url
        assert self.client.get(f"/en/filter/ask/{self.device.token}/").status_code == 404
        assert (
            self.client.post(f"/en/filter/ask/{self.device.token}/", {"site": "example.org"}).status_code
            == 404
        )
        self.client.post(self.ask_url, {"site": "example.org", "reason": ""})
        page = self.client.get(self.ask_url)
        self.assertContains(page, "example.org")
        self.assertNotContains(page, self.device.token)

    def test_a_guardian_makes_a_new_ask_link_and_the_old_one_stops_working_at_once(self) -> None:
        response = self.parent.post(f"/en/filter/devices/{self.device.pk}/ask-link/")
        self.assertRedirects(
            response, f"/en/filter/devices/{self.device.pk}/#ask", fetch_redirect_response=False
        )
        old = self.device.ask_token
        self.device.refresh_from_db()
        assert self.device.ask_token != old and len(self.device.ask_token) == 20
        assert self.client.get(f"/en/filter/ask/{old}/").status_code == 404
        assert self.client.get(f"/en/filter/ask/{self.device.ask_token}/").status_code == 200
        page = self.parent.get(f"/en/filter/devices/{self.device.pk}/")
        self.assertContains(page, "has a new ask link; the old one no longer works.")
        self.assertContains(page, f"/en/filter/ask/{self.device.ask_token}/")
        # Only the device's guardians can, and only with a POST.
        assert (
            self.as_user(self.carla).post(f"/en/filter/devices/{self.device.pk}/ask-link/").status_code == 404
        )
        assert self.parent.get(f"/en/filter/devices/{self.device.pk}/ask-link/").status_code == 405

    def test_a_bad_site_is_refused_in_words_a_child_understands(self) -> None:
        response = self.client.post(self.ask_url, {"site": "my game", "reason": ""})
        self.assertContains(
            response, "We could not read that website name. Write it like this: example.org", status_code=400
        )
        assert not UnblockRequest.objects.exists()

    def test_asking_twice_for_the_same_site_makes_one_request(self) -> None:
        self.client.post(self.ask_url, {"site": "example.org"})
        page = self.client.post(self.ask_url, {"site": "EXAMPLE.ORG"}, follow=True)
        self.assertContains(page, "You already asked for this website.")
        assert UnblockRequest.objects.count() == 1

    def test_at_most_twenty_requests_wait_for_a_parent(self) -> None:
        for number in range(20):
            self.client.post(self.ask_url, {"site": f"site{number}.example"})
        response = self.client.post(self.ask_url, {"site": "one-more.example"})
        self.assertContains(response, "You have asked for 20 websites already.", status_code=400)
        assert UnblockRequest.objects.count() == 20
        # Once a parent answers one, the child may ask again.
        actions.decline(UnblockRequest.objects.first(), self.amina)  # type: ignore[arg-type]
        self.client.post(self.ask_url, {"site": "one-more.example"})
        assert UnblockRequest.objects.filter(name="one-more.example").exists()

    def test_a_child_sees_only_the_requests_of_their_own_profile(self) -> None:
        actions.ask(self.leo, "secret-of-leo.example", "")
        self.assertNotContains(self.client.get(self.ask_url), "secret-of-leo.example")

    def test_a_parent_sees_pending_requests_and_approves_one(self) -> None:
        self.client.post(self.ask_url, {"site": "minecraft.net", "reason": "<script>alert(1)</script>"})
        unblock = UnblockRequest.objects.get()
        for url in ("/en/filter/", f"/en/filter/profiles/{self.amara.pk}/"):
            page = self.parent.get(url)
            self.assertContains(page, "minecraft.net")
            self.assertContains(page, escape("<script>alert(1)</script>"))
            self.assertNotContains(page, "<script>alert(1)</script>")
        response = self.parent.post(f"/en/filter/requests/{unblock.pk}/approve/", {"next": "/en/filter/"})
        self.assertRedirects(response, "/en/filter/")
        unblock.refresh_from_db()
        assert (unblock.status, unblock.decided_by) == ("approved", self.amina)
        assert unblock.decided_at is not None
        assert Entry.objects.get(profile=self.amara, name="minecraft.net").action == "allow"
        self.assertContains(self.client.get(self.ask_url), "Approved")

    def test_approving_keeps_an_existing_allow_entry_and_turns_a_block_entry_into_an_allow(self) -> None:
        allowed = Entry.objects.create(profile=self.amara, name="kept.example", action="allow")
        Entry.objects.create(profile=self.amara, name="blocked.example", action="block")
        for site in ("kept.example", "blocked.example"):
            unblock, _new = actions.ask(self.amara, site, "")
            page = self.parent.post(f"/en/filter/requests/{unblock.pk}/approve/", follow=True)
        self.assertContains(page, "blocked.example was on the block list of Amara; it is now allowed.")
        assert Entry.objects.get(pk=allowed.pk).created_at == allowed.created_at
        assert set(Entry.objects.values_list("name", "action")) == {
            ("kept.example", "allow"),
            ("blocked.example", "allow"),
        }

    def test_a_parent_declines_a_request(self) -> None:
        unblock, _new = actions.ask(self.amara, "tiktok.com", "")
        self.parent.post(
            f"/en/filter/requests/{unblock.pk}/decline/", {"next": f"/en/filter/profiles/{self.amara.pk}/"}
        )
        unblock.refresh_from_db()
        assert unblock.status == "declined"
        assert not Entry.objects.exists()
        self.assertContains(self.client.get(self.ask_url), "Declined")

    def test_a_request_is_answered_only_once(self) -> None:
        unblock, _new = actions.ask(self.amara, "tiktok.com", "")
        self.parent.post(f"/en/filter/requests/{unblock.pk}/decline/")
        page = self.parent.post(f"/en/filter/requests/{unblock.pk}/approve/", follow=True)
        self.assertContains(page, "This request was answered already: Declined.")
        assert not Entry.objects.exists()

    def test_the_way_back_after_answering_never_leaves_the_site(self) -> None:
        unblock, _new = actions.ask(self.amara, "tiktok.com", "")
        response = self.parent.post(
            f"/en/filter/requests/{unblock.pk}/decline/", {"next": "https://evil.example/"}
        )
        self.assertRedirects(response, "/en/filter/")


class ReportPagesTestCase(FilterTestCase):
    def test_the_report_shows_blocked_attempts_by_category_and_day_top_sites_and_activity_by_hour(
        self,
    ) -> None:
        today = family_today(self.amara)
        yesterday = today - datetime.timedelta(days=1)
        BlockedDaily.objects.create(profile=self.amara, day=today, category="games", count=7)
        BlockedDaily.objects.create(profile=self.amara, day=yesterday, category="adult", count=3)
        BlockedDaily.objects.create(
            profile=self.amara, day=today - datetime.timedelta(days=20), category="hate", count=99
        )
        BlockedDaily.objects.create(profile=self.leo, day=today, category="drugs", count=5)
        for number in range(12):
            BlockedSite.objects.create(
                profile=self.amara,
                day=today,
                name=f"site{number:02}.example",
                category="games",
                count=number + 1,
            )
        ActivityHourly.objects.create(profile=self.amara, day=today, hour=21, queries=340)
        ActivityHourly.objects.create(profile=self.amara, day=yesterday, hour=21, queries=60)
        page = self.parent.get(f"/en/filter/profiles/{self.amara.pk}/report/")
        html = page.content.decode()
        self.assertContains(page, '<th scope="col">Games</th>', html=True)
        self.assertContains(page, '<th scope="col">Adult content</th>', html=True)
        self.assertNotContains(page, "Hate and extremism")
        self.assertNotContains(page, "Drugs and alcohol")
        assert html.count('<tr><th scope="row">') == 14 + 10 + 24  # days, top sites, hours
        # The ten most blocked of the twelve sites, most blocked first.
        assert "site11.example" in html and "site02.example" in html
        assert "site01.example" not in html and "site00.example" not in html
        assert html.index("site11.example") < html.index("site10.example")
        assert '<th scope="row">21:00</th><td>400 <meter' in html

    def test_every_table_has_a_caption_headers_with_scope_and_no_empty_column(self) -> None:
        today = family_today(self.amara)
        for category, count in (("games", 4), ("profile-block", 2), ("schedule", 1), ("", 1)):
            BlockedDaily.objects.create(profile=self.amara, day=today, category=category, count=count)
        for name, category in (("arcade.example", "games"), ("chat.example", "profile-block")):
            BlockedSite.objects.create(profile=self.amara, day=today, name=name, category=category, count=3)
        BlockedSite.objects.create(
            profile=self.amara, day=today, name="late.example", category="schedule", count=1
        )
        ActivityHourly.objects.create(profile=self.amara, day=today, hour=8, queries=5)
        QueryLogEntry.objects.create(
            profile=self.amara,
            at=timezone.now(),
            name="chat.example",
            qtype="A",
            blocked=True,
            reason="profile-block",
        )
        actions.set_query_log(self.amara, 1)
        page = self.parent.get(f"/en/filter/profiles/{self.amara.pk}/report/")
        tables = read_tables(page.content.decode())
        assert len(tables) == 4
        for table in tables:
            assert table.caption, table
            assert all(scope in ("col", "row") for scope in table.scopes), table
            assert all(table.header), table  # every column has a header, in words
            for column in range(len(table.header)):
                assert any(row[column] for row in table.rows), (table.caption, table.header[column])
        by_day, top_sites, _hours, log = tables
        assert by_day.header == [
            "Day",
            "Games",
            "Schedule",
            "Your own list",
            "Your own list or a schedule",
            "Total",
        ]
        assert top_sites.header == ["Website", "Blocked by", "Blocked attempts"]
        assert [row[:2] for row in top_sites.rows] == [
            ["arcade.example", "Games"],
            ["chat.example", "Your own list"],
            ["late.example", "Schedule"],
        ]
        assert log.rows[0][3] == "blocked (your own list)"

    def test_an_empty_report_says_so(self) -> None:
        page = self.parent.get(f"/en/filter/profiles/{self.amara.pk}/report/")
        self.assertContains(page, "Nothing was blocked in the last 14 days.")
        self.assertContains(page, "No site was blocked in the last 7 days.")
        self.assertContains(page, "No activity was recorded in the last 7 days.")

    def test_the_query_log_is_off_by_default_and_its_rows_show_only_while_it_is_on(self) -> None:
        QueryLogEntry.objects.create(
            profile=self.amara,
            at=timezone.now(),
            name="seen.example",
            qtype="A",
            blocked=True,
            reason="category",
        )
        url = f"/en/filter/profiles/{self.amara.pk}/report/"
        self.assertNotContains(self.parent.get(url), "seen.example")
        self.assertContains(self.parent.get(url), "Turn the query log on")
        self.parent.post(f"/en/filter/profiles/{self.amara.pk}/query-log/", {"hours": "3"})
        self.amara.refresh_from_db()
        assert self.amara.query_log_until is not None
        assert abs((self.amara.query_log_until - timezone.now()).total_seconds() - 3 * 3600) < 5
        self.assertContains(self.parent.get(url), "seen.example")
        self.parent.post(f"/en/filter/profiles/{self.amara.pk}/query-log/", {"turn": "off"})
        self.amara.refresh_from_db()
        assert self.amara.query_log_until is None
        self.assertNotContains(self.parent.get(url), "seen.example")

    def test_a_query_log_that_ran_out_shows_nothing(self) -> None:
        QueryLogEntry.objects.create(
            profile=self.amara, at=timezone.now(), name="seen.example", qtype="A", blocked=False
        )
        Profile.objects.filter(pk=self.amara.pk).update(
            query_log_until=timezone.now() - datetime.timedelta(minutes=1)
        )
        self.assertNotContains(
            self.parent.get(f"/en/filter/profiles/{self.amara.pk}/report/"), "seen.example"
        )

    @override_settings(FILTER_QUERY_LOG_MAX_HOURS=6)
    def test_the_query_log_hours_are_bounded_by_the_setting(self) -> None:
        url = f"/en/filter/profiles/{self.amara.pk}/query-log/"
        self.assertContains(self.parent.post(url, {"hours": "7"}), "At most 6 hours.", status_code=400)
        self.assertContains(
            self.parent.post(url, {"hours": "0"}), "greater than or equal to 1", status_code=400
        )
        self.amara.refresh_from_db()
        assert self.amara.query_log_until is None


class AuditTestCase(FilterTestCase):
    def test_changes_to_a_family_are_audited_with_who_made_them_but_never_a_device_token(self) -> None:
        self.parent.post(
            f"/en/filter/profiles/{self.amara.pk}/entries/", {"site": "example.org", "action": "block"}
        )
        self.parent.post(
            f"/en/filter/profiles/{self.amara.pk}/devices/new/", {"name": "Tablet", "networks": ""}
        )
        self.parent.post(f"/en/filter/profiles/{self.amara.pk}/pause/", {"minutes": "15"})
        entry = AuditEvent.objects.get(model="filter.Entry")
        assert (entry.action, entry.actor, entry.after["name"]) == ("create", self.amina, "example.org")
        device = AuditEvent.objects.get(model="filter.Device")
        created = Device.objects.get()
        assert device.after["token"] == "[redacted]" and created.token not in str(device.after)
        assert device.after["ask_token"] == "[redacted]" and created.ask_token not in str(device.after)
        assert AuditEvent.objects.filter(model="filter.Profile", action="update", actor=self.amina).exists()
