"""In Chromium: the navigation folds on a phone, and the new account pages pass axe."""

from __future__ import annotations

from typing import Any

import pytest

from cop.core.models import Country
from cop.core.reference.loader import load_reference_data
from cop.core.tests.base import PASSWORD, World, make_world
from cop.core.tests.browser import assert_accessible, sign_in

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def world(transactional_db: None) -> World:
    if not Country.objects.exists():
        load_reference_data()
    return make_world()


@pytest.fixture
def phone(browser: Any) -> Any:
    context = browser.new_context(viewport=PHONE, bypass_csp=True, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_on_a_phone_the_content_starts_near_the_top_and_the_menu_opens(
    phone: Any, live_server: Any, world: World
) -> None:
    phone.goto(f"{live_server.url}/en/countries/")
    # Before, the navigation alone filled the first 228 px.
    assert phone.locator("main").bounding_box()["y"] < 150
    library = phone.get_by_role("navigation", name="Main").get_by_role("link", name="Library")
    assert not library.is_visible()
    assert_accessible(phone)
    menu = phone.locator(".site-menu > summary")
    assert menu.inner_text().strip() == "Menu"
    # With the keyboard, as a screen reader user would: the summary is a button that toggles.
    menu.focus()
    phone.keyboard.press("Enter")
    assert library.is_visible()
    assert_accessible(phone)
    library.click()
    phone.wait_for_url(f"{live_server.url}/en/library/")


def test_the_menu_works_without_javascript(browser: Any, live_server: Any, world: World) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/en/")
        page.locator(".site-menu > summary").click()
        page.get_by_role("link", name="Countries", exact=True).first.click()
        page.wait_for_url(f"{live_server.url}/en/countries/")
    finally:
        context.close()


def test_on_a_wide_screen_the_navigation_shows_without_a_menu_button(
    page: Any, live_server: Any, world: World
) -> None:
    page.goto(f"{live_server.url}/en/")
    assert not page.locator(".site-menu > summary").is_visible()
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Library").is_visible()


def test_the_account_and_notification_pages_pass_axe_and_turn_a_notification_off(
    page: Any, live_server: Any, world: World
) -> None:
    sign_in(page, live_server.url, "alice", PASSWORD)
    assert_accessible(page)
    page.get_by_role("link", name="Notifications").click()
    page.wait_for_url(f"{live_server.url}/en/account/notifications/")
    assert_accessible(page)
    box = page.get_by_label("a resource is proposed for the library")
    assert box.is_checked()
    box.uncheck()
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/en/account/notifications/")
    assert not page.get_by_label("a resource is proposed for the library").is_checked()
    assert_accessible(page)
