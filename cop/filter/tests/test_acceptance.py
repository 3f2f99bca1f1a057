"""The whole family filter at once: a parent in a real browser, the real resolver, `dig` as the device.

A parent sets up a 9-year-old with a tablet, bedtime and games blocked. Asked with the tablet's
token (the EDNS0 option a home router adds), the resolver blocks games, lets a news site through
and sends Google to safe search; bedtime bites at night; the child's unblock request reaches the
parent; and the hotline's illegal-content list stays blocked after the parent allows everything.
"""

from __future__ import annotations

import datetime
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from cop.core.models import Country, Organisation, OrganisationKind
from cop.core.reference.loader import load_reference_data
from cop.core.tests.base import PASSWORD
from cop.core.tests.browser import assert_accessible, sign_up
from cop.filter.compiler import compile_policy
from cop.filter.importing import import_file
from cop.filter.models import Device, FilterList, Profile
from cop.filter.tests.helpers import BackgroundWorker
from cop.filter.tests.running import Running, dig, start
from cop.filter.tests.upstream import Upstream

pytestmark = pytest.mark.django_db(transaction=True)


def zone_at(local_hour: int) -> str:
    """A fixed-offset time zone where it is now about `local_hour` o'clock."""
    offset = (local_hour - datetime.datetime.now(datetime.UTC).hour + 12) % 24 - 12
    # POSIX-style names: Etc/GMT-3 is three hours ahead of UTC.
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{-offset:+d}"


@pytest.fixture
def resolver(tmp_path: Path, transactional_db: None) -> Iterator[Running]:
    # Transactional tests empty the database afterwards, so each loads what it needs.
    if not Country.objects.exists():
        load_reference_data()
    with override_settings(FILTER_DATA_DIR=tmp_path):
        hotline = Organisation.objects.create(
            name="Kenya Hotline", kind=OrganisationKind.HOTLINE, country=Country.objects.get(iso2="KE")
        )
        lists = {
            "games": FilterList.objects.create(name="Games", category="games", source="Test publisher"),
            "illegal": FilterList.objects.create(
                name="Hotline list", category="illegal", source="Kenya Hotline", maintainer=hotline
            ),
        }
        (tmp_path / "games.txt").write_text("games.example\n||arcade.example^\n")
        (tmp_path / "illegal.txt").write_text("illegal.example\n")
        import_file(lists["games"], tmp_path / "games.txt")
        import_file(lists["illegal"], tmp_path / "illegal.txt")
        compile_policy()
        upstream = Upstream().start()
        running = start(tmp_path / "snapshots", upstream)
        try:
            # The parent's saves queue compilations; the worker runs them, as `cop run_worker` does.
            with BackgroundWorker():
                yield running
        finally:
            running.stop()
            upstream.stop()


def _eventually(check: Callable[[], bool], seconds: float = 15) -> None:
    """Snapshots reach the resolver within a second or two; wait for that, never longer than needed."""
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("the resolver did not pick up the change in time")
        time.sleep(0.2)


def test_a_parent_sets_up_a_child_and_the_resolver_enforces_it_for_the_device(
    browser: Any, live_server: Any, resolver: Running
) -> None:
    context = browser.new_context(bypass_csp=True)
    child_context = browser.new_context(bypass_csp=True)
    try:
        context.set_default_timeout(15_000)
        child_context.set_default_timeout(15_000)
        _journey(context.new_page(), child_context.new_page(), live_server.url, resolver)
    finally:
        context.close()
        child_context.close()


def _journey(parent: Any, child: Any, base: str, resolver: Running) -> None:
    sign_up(parent, base, "amina", "amina@example.net", PASSWORD)
    parent.wait_for_url(f"{base}/en/filter/")

    # A family where it is midday now, so that bedtime is not in force yet.
    parent.get_by_role("link", name="Create a family").click()
    parent.get_by_label("Name").fill("The Okafor family")
    parent.get_by_label("Time zone").select_option(zone_at(12))
    parent.get_by_role("button", name="Create the family").click()
    parent.wait_for_url(re.compile(r".*/en/filter/families/\d+/$"))
    family_url = parent.url

    # A profile for a 9-year-old, with games blocked on top of the age band's preset.
    parent.get_by_role("link", name="Add a child's profile").click()
    parent.get_by_label("Child's name or nickname").fill("Amara")
    parent.get_by_role("combobox", name=re.compile(r"^Age")).select_option("8-12")
    parent.get_by_role("button", name="Create the profile").click()
    parent.wait_for_url(re.compile(r".*/en/filter/profiles/\d+/settings/$"))
    parent.get_by_label("Games").check()
    parent.get_by_role("button", name="Save the settings").click()
    parent.wait_for_url(re.compile(r".*/en/filter/profiles/\d+/$"))
    profile_url = parent.url
    assert_accessible(parent)

    # The tablet, bound by its token; then bedtime with one click.
    parent.get_by_role("link", name="Add a device").click()
    parent.get_by_label("Device name").fill("Amara's tablet")
    parent.get_by_role("button", name="Add the device").click()
    parent.wait_for_url(re.compile(r".*/en/filter/devices/\d+/$"))
    token = parent.get_by_label("The device's token").input_value()
    assert token == Device.objects.get().token
    ask_url = parent.locator("a[href*='/filter/ask/']").get_attribute("href")
    parent.goto(profile_url)
    parent.get_by_role("button", name=re.compile("Bedtime")).click()
    parent.get_by_text("The schedule Bedtime is added.").wait_for()

    # What the tablet gets, asked with dig and the token in the option a home router adds.
    tablet = f"+ednsopt=65074:{token.encode().hex()}"

    def short(name: str, *options: str) -> list[str]:
        try:
            return dig(resolver.port, tablet, "+short", *options, name).split()
        except subprocess.CalledProcessError as failure:  # no answer in time: say so, let the caller judge
            return [f"dig failed: {failure.stdout}"]

    _eventually(lambda: short("play.games.example") == ["0.0.0.0"])
    assert short("www.arcade.example") == ["0.0.0.0"]
    assert short("news.example.org") == ["192.0.2.10"]
    assert short("www.google.com") == ["forcesafesearch.google.com.", "192.0.2.51"]
    assert short("www.youtube.com") == ["restrict.youtube.com.", "192.0.2.56"]  # strict by default
    # Another device on the same network, without the token, is not Amara's.
    assert dig(resolver.port, "+short", "play.games.example").split() == ["192.0.2.60"]

    # At night in the family's time zone, bedtime blocks everything, news included.
    parent.goto(family_url + "edit/")
    parent.get_by_label("Time zone").select_option(zone_at(23))
    parent.get_by_role("button", name="Save").click()
    _eventually(lambda: short("news.example.org") == ["0.0.0.0"])
    parent.goto(family_url + "edit/")
    parent.get_by_label("Time zone").select_option(zone_at(12))
    parent.get_by_role("button", name="Save").click()
    _eventually(lambda: short("news.example.org") == ["192.0.2.10"])

    # The child asks for the games site; the request reaches the parent, who allows it.
    assert ask_url is not None
    child.goto(ask_url)
    child.get_by_label("Which website?").fill("play.games.example")
    child.get_by_label("Why do you need it? (you can leave this empty)").fill("A maths game from school")
    child.get_by_role("button", name="Send to my parent").click()
    child.get_by_text("Sent! A parent will look at it.").wait_for()
    parent.goto(f"{base}/en/filter/")
    parent.get_by_text("A maths game from school").wait_for()
    assert_accessible(parent)
    parent.get_by_role("button", name="Allow play.games.example (Amara)").click()
    parent.get_by_text("play.games.example is now allowed for Amara.").wait_for()
    _eventually(lambda: short("play.games.example") == ["192.0.2.60"])
    assert short("www.arcade.example") == ["0.0.0.0"]  # the rest of the games list still applies

    # The parent allows everything: the illegal site explicitly, and a pause of all rules.
    parent.goto(profile_url)
    parent.get_by_role("textbox", name="Website").fill("illegal.example")
    parent.get_by_role("radio", name="Allow").check()
    parent.get_by_role("button", name="Add to the list").click()
    parent.get_by_role("button", name="Pause for 120 minutes").click()
    parent.get_by_text("The rules are paused until").wait_for()
    _eventually(lambda: short("www.arcade.example") != ["0.0.0.0"])  # paused: forwarded
    assert Profile.objects.get().is_paused()
    assert short("bad.illegal.example") == ["0.0.0.0"]
    assert short("illegal.example", "AAAA") == ["::"]
    censored = dig(resolver.port, tablet, "bad.illegal.example")
    assert "EDE: 16 (Censored)" in censored
