"""The platform in a real browser (Chromium), with an axe-core audit of every page."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings

from cop.core.models import Country, Organisation
from cop.core.reference.loader import load_reference_data
from cop.core.tests.base import PASSWORD, World, make_world
from cop.core.tests.browser import assert_accessible, mailed_link, sign_in, submit_sign_in

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(transactional_db: None) -> World:
    # Transactional tests empty the database afterwards, so each loads its own.
    if not Country.objects.exists():
        load_reference_data()
    return make_world()


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_home_page_passes_axe_in_every_language(
    page: Any, live_server: Any, world: World, language: str
) -> None:
    page.goto(f"{live_server.url}/{language}/")
    assert page.locator("html").get_attribute("lang") == language
    assert_accessible(page)


def test_arabic_pages_run_right_to_left(page: Any, live_server: Any, world: World) -> None:
    page.goto(f"{live_server.url}/ar/")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # The brand sits at the right edge in Arabic, at the left in English.
    brand_ar = page.locator(".brand").bounding_box()
    page.goto(f"{live_server.url}/en/")
    brand_en = page.locator(".brand").bounding_box()
    assert brand_ar["x"] > 600 > brand_en["x"]


def test_chinese_and_arabic_text_render_with_real_glyphs(page: Any, live_server: Any, world: World) -> None:
    page.goto(f"{live_server.url}/zh-hans/")
    # A character with no font renders as the same box as an unassigned code
    # point; with a font, the two differ.
    differs = page.evaluate(
        """() => {
          const draw = (text) => {
            const c = document.createElement('canvas'); c.width = 64; c.height = 64;
            const x = c.getContext('2d'); x.font = '40px ' + getComputedStyle(document.body).fontFamily;
            x.fillText(text, 4, 48); return c.toDataURL();
          };
          const box = draw('\\u{E000}');
          return [draw('中'), draw('ع')].map(d => d !== box);
        }"""
    )
    assert differs == [True, True]


def test_the_skip_link_is_the_first_stop_and_moves_to_the_content(
    page: Any, live_server: Any, world: World
) -> None:
    page.goto(f"{live_server.url}/en/")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent.trim()")
    assert focused == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"


def test_the_language_switcher_keeps_the_page(page: Any, live_server: Any, world: World) -> None:
    page.goto(f"{live_server.url}/en/countries/KE/")
    page.get_by_role("navigation", name="Language").get_by_role("link", name="Français").click()
    page.wait_for_url(f"{live_server.url}/fr/countries/KE/")
    assert page.locator("h1").inner_text() == "Kenya"


def test_the_site_works_without_javascript(browser: Any, live_server: Any, world: World) -> None:
    context = browser.new_context(java_script_enabled=False, bypass_csp=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/en/countries/")
    page.get_by_label("ITU region").select_option("cis")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/countries/?region=cis*")
    assert "Kazakhstan" in page.content()
    assert "Kenya" not in page.content()
    context.close()


@pytest.mark.parametrize(
    "path",
    [
        "/en/countries/",
        "/ar/countries/",
        "/zh-hans/countries/CN/",
        "/ru/organisations/",
        "/es/account/login/",
        "/fr/nowhere/",
    ],
)
def test_public_pages_pass_axe(page: Any, live_server: Any, world: World, path: str) -> None:
    page.goto(f"{live_server.url}{path}")
    assert_accessible(page)


def test_a_focal_point_edits_their_countrys_organisation_and_pages_pass_axe(
    page: Any, live_server: Any, world: World
) -> None:
    sign_in(page, live_server.url, "kofi", PASSWORD)
    assert_accessible(page)
    page.goto(f"{live_server.url}/en/organisations/{world.kenya_hotline.pk}/")
    assert_accessible(page)
    page.get_by_role("link", name="Edit this organisation").click()
    assert_accessible(page)
    page.get_by_label("Description").fill("Receives reports around the clock.")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/en/organisations/{world.kenya_hotline.pk}/")
    assert "Receives reports around the clock." in page.content()
    page.goto(f"{live_server.url}/en/audit/")
    assert "Receives reports around the clock." in page.content()
    assert_accessible(page)


def test_a_focal_point_sees_no_edit_button_abroad_and_is_refused(
    page: Any, live_server: Any, world: World
) -> None:
    sign_in(page, live_server.url, "kofi", PASSWORD)
    page.goto(f"{live_server.url}/en/organisations/{world.france_helpline.pk}/")
    assert page.get_by_role("link", name="Edit this organisation").count() == 0
    response = page.goto(f"{live_server.url}/en/organisations/{world.france_helpline.pk}/edit/")
    assert response.status == 403
    assert_accessible(page)
    assert Organisation.objects.get(pk=world.france_helpline.pk).name == "Ligne d'écoute"


def test_a_member_creates_an_api_token_and_uses_it(page: Any, live_server: Any, world: World) -> None:
    sign_in(page, live_server.url, "hana", PASSWORD)
    page.goto(f"{live_server.url}/en/organisations/{world.kenya_hotline.pk}/")
    page.get_by_label("Name of the token").fill("statistics export")
    page.get_by_role("button", name="Create token").click()
    token = page.get_by_label("Token").input_value()
    assert token.startswith("cop_")
    assert_accessible(page)
    answer = page.request.get(f"{live_server.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert answer.json()["organisation"]["name"] == "Kenya Hotline"


def fail_until_locked(page: Any, base_url: str, username: str) -> None:
    for _ in range(settings.AXES_FAILURE_LIMIT):
        submit_sign_in(page, base_url, username, "wrong password")
    page.get_by_role("heading", name="Account locked").wait_for()


def test_a_lock_out_stops_only_that_account_from_that_address_until_the_cool_off_or_a_reset(
    page: Any, browser: Any, live_server: Any, world: World, settings: Any
) -> None:
    # A fast hasher keeps a dozen sign-ins quick (test_login checks Argon2); the world's users get
    # their password again under it.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for user in [world.kofi, world.claire]:
        user.set_password(PASSWORD)
        user.save()
    fail_until_locked(page, live_server.url, "kofi")
    assert "You can try again in 5\xa0minutes" in page.locator("main").inner_text()
    assert_accessible(page)
    submit_sign_in(page, live_server.url, "kofi", PASSWORD)
    page.get_by_role("heading", name="Account locked").wait_for()

    # Claire, at the same address (every browser here is 127.0.0.1), signs in as usual.
    other = browser.new_context()
    sign_in(other.new_page(), live_server.url, "claire", PASSWORD)
    other.close()

    # Failures count within the cool-off too, so it is shortened only now that Kofi is locked out:
    # once it has passed, he is in.
    settings.LOGIN_COOLOFF = timedelta(seconds=1)
    page.wait_for_timeout(1_100)
    sign_in(page, live_server.url, "kofi", PASSWORD)
    page.get_by_role("button", name="Sign out").click()

    # Locked again, for five minutes: a password reset from the link on the page lets him in.
    settings.LOGIN_COOLOFF = timedelta(minutes=5)
    fail_until_locked(page, live_server.url, "kofi")
    page.get_by_role("link", name="Reset your password").click()
    assert_accessible(page)
    page.get_by_label("E-mail address").fill("kofi@example.org")
    page.get_by_role("button", name="Send the link").click()
    page.get_by_role("heading", name="Check your e-mail").wait_for()
    page.goto(mailed_link("kofi@example.org"))
    page.get_by_label(re.compile("^New password(?! confirmation)")).fill("a new and longer passphrase 9")
    page.get_by_label("New password confirmation").fill("a new and longer passphrase 9")
    page.get_by_role("button", name="Save the new password").click()
    page.get_by_role("heading", name="Your password is changed").wait_for()
    sign_in(page, live_server.url, "kofi", "a new and longer passphrase 9")


def test_the_secretariat_adds_an_organisation_through_the_form(
    page: Any, live_server: Any, world: World
) -> None:
    sign_in(page, live_server.url, "alice", PASSWORD)
    page.goto(f"{live_server.url}/en/organisations/new/")
    assert_accessible(page)
    page.get_by_role("button", name="Save").click()
    # An empty form is refused with messages tied to the fields, and stays accessible.
    assert "This field is required." in page.content()
    assert_accessible(page)
    page.get_by_label("Name").fill("Safer Internet Centre")
    page.get_by_label("Kind").select_option("ngo")
    page.get_by_label("Country").select_option("KE")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(f"{live_server.url}/en/organisations/*/")
    assert Organisation.objects.get(name="Safer Internet Centre").country_id == "KE"


def test_the_api_documentation_passes_axe(page: Any, live_server: Any, world: World) -> None:
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".swagger-ui .info")
    assert_accessible(page)
