"""A parent on a fresh install with the category lists downloaded (from 127.0.0.1): the settings page
says what each category holds or why it is empty, in English and Arabic, and passes axe-core."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from cop.core.tests.base import PASSWORD
from cop.core.tests.browser import assert_accessible, sign_in
from cop.core.tests.http_server import serving
from cop.filter.tests.helpers import make_family, make_parent, make_profile
from cop.filter.tests.test_catalogue import catalogue_file, imports_done, list_routes, served_catalogue
from cop.outbox.runner import run_due

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_settings_page_shows_each_categorys_lists_and_warns_about_empty_ones(
    page: Any, live_server: Any, settings: Any, tmp_path: Path, transactional_db: None
) -> None:
    settings.FILTER_DATA_DIR = tmp_path
    settings.FETCH_ALLOW_LOOPBACK = True
    amina = make_parent("amina")
    amara = make_profile(make_family(amina), "Amara", "8-12", blocked_categories=["adult", "games"])
    with serving(list_routes()) as server:
        with catalogue_file(served_catalogue(server), ["self-harm"]) as path:
            call_command("load_filter_catalogue", "--file", str(path), stdout=io.StringIO())
        run_due(50)
        assert imports_done() == 10

    sign_in(page, live_server.url, "amina", PASSWORD)
    page.goto(f"{live_server.url}/en/filter/profiles/{amara.pk}/settings/")
    adult = page.get_by_role("checkbox", name="Adult content", exact=True)
    assert adult.is_checked()
    # Each checkbox is described by what its category holds, so a screen reader says it too.
    assert (
        page.locator(f"#{adult.get_attribute('aria-describedby')}")
        .inner_text()
        .startswith("Names blocked: 1,200. Last refreshed")
    )
    self_harm = page.get_by_role("checkbox", name="Self-harm and suicide")
    assert (
        "help and prevention services"
        in page.locator(f"#{self_harm.get_attribute('aria-describedby')}").inner_text()
    )
    page.get_by_text("Empty: the download of its list failed: The server answered 500").wait_for()
    page.get_by_text(re.compile(r"^Empty: the download of its list failed: Could not connect")).wait_for()
    assert_accessible(page)

    self_harm.check()
    page.get_by_role("button", name="Save the settings").click()
    page.wait_for_url(f"**/en/filter/profiles/{amara.pk}/")
    page.get_by_text(
        "These blocked categories are empty for now, so they block nothing yet: "
        "Self-harm and suicide (no public list covers it)."
    ).wait_for()
    assert_accessible(page)

    page.goto(f"{live_server.url}/ar/filter/profiles/{amara.pk}/settings/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator(".category-status").count() == 11
    assert_accessible(page)
