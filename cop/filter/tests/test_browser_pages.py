"""The family filter in a real browser: a parent signs up and sets up a child, the child asks for a
site, the parent allows it — and axe-core audits every page on the way, once in Arabic too."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from cop.core.tests.base import PASSWORD
from cop.core.tests.browser import assert_accessible, sign_up
from cop.filter.models import (
    ActivityHourly,
    BlockedDaily,
    BlockedSite,
    Device,
    Entry,
    Profile,
    QueryLogEntry,
    Schedule,
    UnblockRequest,
)
from cop.filter.reporting import family_today

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_parent_sets_up_a_child_the_child_asks_for_a_site_and_every_page_passes_axe(
    browser: Any, live_server: Any, transactional_db: None
) -> None:
    contexts = [browser.new_context(bypass_csp=True) for _ in range(2)]
    try:
        for context in contexts:
            context.set_default_timeout(15_000)
        _journey(contexts[0].new_page(), contexts[1].new_page(), live_server.url)
    finally:
        # Closed before the live server stops, so that no kept-alive connection outlives the test.
        for context in contexts:
            context.close()


def _see(page: Any, text: str) -> None:
    page.get_by_text(text).first.wait_for()


def _journey(parent: Any, child: Any, base: str) -> None:
    # What the filter is, for a visitor; then sign up from the login page.
    parent.goto(f"{base}/en/filter/")
    assert_accessible(parent)
    parent.goto(f"{base}/en/account/login/")
    assert_accessible(parent)
    parent.get_by_role("link", name="Create an account for your family filter").click()
    parent.wait_for_url("**/en/account/signup/")
    sign_up(parent, base, "amina", "amina@example.net", PASSWORD, audit=True)
    parent.wait_for_url(f"{base}/en/filter/")
    _see(parent, "Welcome, amina.")
    assert_accessible(parent)

    # A family, then a profile for a 9-year-old that blocks games too.
    parent.get_by_role("link", name="Create a family").click()
    parent.wait_for_url("**/en/filter/families/new/")
    assert_accessible(parent)
    parent.get_by_label("Name").fill("The Okafor family")
    parent.get_by_label("Time zone").select_option("Africa/Nairobi")
    parent.get_by_role("button", name="Create the family").click()
    parent.wait_for_url(re.compile(r".*/en/filter/families/\d+/$"))
    assert_accessible(parent)
    parent.get_by_role("link", name="Add a child's profile").click()
    parent.wait_for_url("**/profiles/new/")
    assert_accessible(parent)
    parent.get_by_label("Child's name or nickname").fill("Amara")
    parent.get_by_role("combobox", name=re.compile(r"^Age")).select_option("8-12")
    parent.get_by_role("button", name="Create the profile").click()
    parent.wait_for_url(re.compile(r".*/en/filter/profiles/\d+/settings/$"))
    assert_accessible(parent)
    assert parent.get_by_label("Adult content").is_checked()
    assert not parent.get_by_label("Games").is_checked()
    assert parent.get_by_label("Illegal content (national hotline)").count() == 0
    parent.get_by_label("Games").check()
    parent.get_by_role("button", name="Save the settings").click()
    parent.wait_for_url(re.compile(r".*/en/filter/profiles/\d+/$"))
    assert_accessible(parent)
    profile = Profile.objects.get(name="Amara")
    assert "games" in profile.blocked_categories
    profile_url = f"{base}/en/filter/profiles/{profile.pk}/"

    # A wrong site name shows its error on the page, which must stay accessible too.
    parent.get_by_role("textbox", name="Website").fill("not a site")
    parent.get_by_role("button", name="Add to the list").click()
    _see(parent, "is not a website name the filter can use")
    assert_accessible(parent)

    # Bind the child's tablet.
    parent.goto(profile_url)
    parent.get_by_role("link", name="Add a device").click()
    parent.wait_for_url("**/devices/new/")
    assert_accessible(parent)
    parent.get_by_label("Device name").fill("Amara's tablet")
    # The browser comes from 127.0.0.1, a loopback address: no network is the parent's to bind from
    # there, and the form says so and what to do instead.
    parent.get_by_label("IP addresses or networks (optional)").fill("192.0.2.7/24")
    parent.get_by_role("button", name="Add the device").click()
    _see(parent, "192.0.2.0/24 cannot be bound to this device.")
    assert_accessible(parent)
    parent.get_by_label("IP addresses or networks (optional)").fill("")
    parent.get_by_role("button", name="Add the device").click()
    parent.wait_for_url(re.compile(r".*/en/filter/devices/\d+/$"))
    assert_accessible(parent)
    device = Device.objects.get()
    assert device.networks == []
    assert parent.get_by_label("The device's token").input_value() == device.token
    ask_url = parent.locator("a[href*='/filter/ask/']").get_attribute("href")
    assert ask_url is not None and ask_url.endswith(f"/en/filter/ask/{device.ask_token}/")
    assert device.token not in ask_url

    # Bedtime with one click; the schedule pages.
    parent.goto(profile_url)
    parent.get_by_role("button", name=re.compile("Bedtime")).click()
    _see(parent, "The schedule Bedtime is added.")
    assert_accessible(parent)
    schedule = Schedule.objects.get()
    assert (schedule.block_everything, schedule.days) == (True, list(range(7)))
    parent.get_by_role("link", name="Change Bedtime").click()
    parent.wait_for_url(f"**/en/filter/schedules/{schedule.pk}/")
    assert_accessible(parent)
    parent.goto(f"{profile_url}schedules/new/")
    assert_accessible(parent)

    # Pause and resume.
    parent.goto(profile_url)
    parent.get_by_role("button", name="Pause for 30 minutes").click()
    _see(parent, "The rules are paused until")
    assert_accessible(parent)
    profile.refresh_from_db()
    assert profile.is_paused()
    parent.get_by_role("button", name="Resume now").click()
    _see(parent, "The rules of Amara apply again.")
    profile.refresh_from_db()
    assert profile.paused_until is None

    # The child asks for a site, without an account.
    child.goto(ask_url)
    assert_accessible(child)
    child.get_by_label("Which website?").fill("https://www.minecraft.net/en-us")
    child.get_by_label("Why do you need it? (you can leave this empty)").fill("For my school project")
    child.get_by_role("button", name="Send to my parent").click()
    _see(child, "Sent! A parent will look at it.")
    _see(child, "Waiting for a parent")
    assert_accessible(child)

    # The parent sees it on the dashboard and allows it.
    parent.goto(f"{base}/en/filter/")
    assert_accessible(parent)
    parent.get_by_role("button", name="Allow minecraft.net (Amara)").click()
    _see(parent, "minecraft.net is now allowed for Amara.")
    assert_accessible(parent)
    assert UnblockRequest.objects.get().status == "approved"
    assert Entry.objects.get(profile=profile).name == "minecraft.net"
    child.reload()
    _see(child, "Approved")

    # Reports, with what the resolver would have counted, the query log turned on, and the remaining pages.
    today = family_today(profile)
    BlockedDaily.objects.create(profile=profile, day=today, category="games", count=6)
    BlockedSite.objects.create(profile=profile, day=today, name="games.example", category="games", count=6)
    ActivityHourly.objects.create(profile=profile, day=today, hour=19, queries=120)
    ActivityHourly.objects.create(profile=profile, day=today, hour=20, queries=30)
    QueryLogEntry.objects.create(
        profile=profile, at=timezone.now(), name="games.example", qtype="A", blocked=True
    )
    parent.goto(f"{profile_url}report/")
    assert parent.locator("meter").count() == 24
    assert_accessible(parent)
    parent.get_by_label("Keep the log for (hours)").fill("2")
    parent.get_by_role("button", name="Turn the query log on").click()
    _see(parent, "The query log is on until")
    assert parent.locator("table.query-log").get_by_text("games.example").count() == 1
    assert_accessible(parent)
    for path in (f"{profile_url}delete/", f"{base}/en/filter/families/{profile.family_id}/edit/"):
        response = parent.goto(path)
        assert response is not None and response.status == 200, path
        assert_accessible(parent)

    # Once in Arabic, right to left: the child's profile and the child's page.
    parent.goto(f"{base}/ar/filter/profiles/{profile.pk}/")
    assert parent.locator("html").get_attribute("dir") == "rtl"
    assert parent.evaluate("getComputedStyle(document.body).direction") == "rtl"
    assert_accessible(parent)
    child.goto(ask_url.replace("/en/", "/ar/"))
    assert child.locator("html").get_attribute("lang") == "ar"
    assert_accessible(child)
