"""Block lists and local names in a real browser: the secretariat imports a list with bad lines and
follows the import to the end; axe-core audits every page, once in Arabic too."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.test import override_settings

from cop.core.models import Country
from cop.core.reference.loader import load_reference_data
from cop.core.tests.base import PASSWORD, World, make_world
from cop.core.tests.browser import assert_accessible, sign_in
from cop.filter.models import FilterList, ListVersion
from cop.filter.tests.helpers import run_compilations
from cop.outbox.runner import run_due

pytestmark = pytest.mark.django_db(transaction=True)
LIST = "games.example\n||arcade.example^\nnot a name\n0.0.0.0 play.example\n"


@pytest.fixture
def world(transactional_db: None, tmp_path: Path) -> Any:
    if not Country.objects.exists():
        load_reference_data()
    with override_settings(FILTER_DATA_DIR=tmp_path):
        yield make_world()


def test_the_secretariat_imports_a_list_and_every_list_page_passes_axe(
    browser: Any, live_server: Any, world: World, tmp_path: Path
) -> None:
    context = browser.new_context(bypass_csp=True)
    try:
        context.set_default_timeout(15_000)
        _journey(context.new_page(), live_server.url, tmp_path)
    finally:
        context.close()


def _journey(page: Any, base: str, tmp_path: Path) -> None:
    sign_in(page, base, "alice", PASSWORD)
    page.goto(f"{base}/en/filter/lists/")
    assert_accessible(page)
    page.get_by_role("link", name="Add a list").click()
    page.wait_for_url("**/en/filter/lists/new/")
    assert_accessible(page)
    # The illegal-content list without its hotline: refused, and the error page is accessible.
    page.get_by_label("Name").fill("Hotline list")
    page.get_by_label("Category").select_option("illegal")
    page.get_by_label("Source").fill("National hotline")
    page.get_by_role("button", name="Save").click()
    page.get_by_text("The illegal-content list needs the hotline that maintains it.").wait_for()
    assert_accessible(page)
    page.get_by_label("Name").fill("Games")
    page.get_by_label("Category").select_option("games")
    page.get_by_label("Source").fill("Example publisher")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r".*/en/filter/lists/\d+/$"))
    assert_accessible(page)

    # Upload, then follow the import: the page polls its progress and shows the result.
    upload = tmp_path / "games.txt"
    upload.write_text(LIST)
    page.get_by_label("List file").set_input_files(str(upload))
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(re.compile(r".*/versions/1/$"))
    page.get_by_text("Importing").first.wait_for()
    assert_accessible(page)
    run_compilations()  # what the list's creation queued, so that the import is the only job due
    assert run_due(1) == 1
    page.get_by_role("cell", name="not a name").wait_for()  # the page reloads itself when done
    assert ListVersion.objects.get().status == ListVersion.Status.ACTIVE
    assert page.locator("progress").get_attribute("value") == "100"
    assert_accessible(page)
    games = FilterList.objects.get(name="Games")
    page.goto(f"{base}/en/filter/lists/{games.pk}/")
    assert_accessible(page)
    page.goto(f"{base}/en/filter/lists/{games.pk}/edit/")
    assert_accessible(page)

    # Local names, with one record and one refused value.
    page.goto(f"{base}/en/filter/local-names/")
    assert_accessible(page)
    page.get_by_role("textbox", name="Name").fill("intranet.school.example")
    page.get_by_label("Type").select_option("A")
    page.get_by_label("Value").fill("192.0.2.80")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_text("intranet.school.example is answered by the filter now.").wait_for()
    assert_accessible(page)
    page.get_by_role("textbox", name="Name").fill("router.example")
    page.get_by_label("Type").select_option("AAAA")
    page.get_by_label("Value").fill("not an address")
    page.get_by_role("button", name="Add", exact=True).click()
    page.get_by_text("This value does not suit a record of type AAAA.").wait_for()
    assert_accessible(page)

    # Once in Arabic, right to left.
    page.goto(f"{base}/ar/filter/lists/{games.pk}/versions/1/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert_accessible(page)
