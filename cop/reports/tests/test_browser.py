"""Help and reporting in a real browser, as a child, an adult and analysts would use them."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.utils import translation

from cop.core.tests.base import PASSWORD, World
from cop.core.tests.browser import assert_accessible, sign_in
from cop.reports.models import PublicStatus, Report
from cop.reports.tests.base import french_hotline

pytestmark = pytest.mark.django_db(transaction=True)
LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.fixture
def world(content_world: World) -> World:
    return content_world


def test_a_twelve_year_old_in_kenya_in_danger_sees_the_numbers_at_once(
    page: Any, live_server: Any, world: World
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/en/report/")
    page.get_by_label("How old are you?").select_option("8-12")
    page.get_by_label("Which country are you in?").select_option("KE")
    page.get_by_role("button", name="Yes, someone is in danger now").click()
    emergency = page.get_by_role("link", name="999", exact=True)
    helpline = page.get_by_role("link", name="116", exact=True)
    assert emergency.is_visible() and helpline.is_visible()
    # Both are on the first screen of a small phone, before the form.
    assert emergency.bounding_box()["y"] < 740 and helpline.bounding_box()["y"] < 740
    assert emergency.get_attribute("href") == "tel:999"
    assert_accessible(page)


def test_an_anonymous_adult_reports_in_french_and_follows_the_status(
    browser: Any, live_server: Any, world: World
) -> None:
    french_hotline()
    reporter = browser.new_context(bypass_csp=True).new_page()
    reporter.goto(f"{live_server.url}/fr/report/")
    reporter.locator("#id_age").select_option("adult")
    reporter.locator("#id_country").select_option("FR")
    reporter.locator("button[name=danger][value=no]").click()
    reporter.locator("#id_urls").fill("https://example.org/contenu-signale")
    reporter.locator("#id_where_seen").select_option("social-network")
    reporter.locator("form.report-form button[type=submit]").click()
    code = reporter.locator(".receipt-code").inner_text()
    secret = reporter.locator(".receipt-secret").inner_text()
    assert re.fullmatch(r"[0-9A-Z]{5}-[0-9A-Z]{5}", code)
    assert_accessible(reporter)

    analyst = browser.new_context(bypass_csp=True).new_page()
    sign_in(analyst, live_server.url, "fanny", PASSWORD)
    analyst.goto(f"{live_server.url}/en/report/cases/")
    analyst.get_by_role("link", name=re.compile(code)).click()
    assert_accessible(analyst)
    analyst.get_by_label("Assessment").select_option("nationally-illegal")
    analyst.get_by_role("button", name="Save the assessment").click()
    analyst.get_by_label("Action").select_option("takedown-notice")
    analyst.get_by_label("To whom (hosting provider or police unit)").fill("Example Hosting")
    analyst.get_by_role("button", name="Record the action").click()
    assert "Acted on" in analyst.content()

    reporter.goto(f"{live_server.url}/fr/report/status/")
    reporter.locator("#id_receipt").fill(code)
    reporter.locator("#id_secret").fill(secret)
    reporter.locator("form button[type=submit]").click()
    status = reporter.locator(".status-now").inner_text()
    report = Report.objects.get(receipt=code)
    assert report.public_status() == PublicStatus.ACTION_TAKEN
    with translation.override("fr"):
        assert status == str(PublicStatus.ACTION_TAKEN.label)
    assert "Example Hosting" not in reporter.content()
    assert_accessible(reporter)


def test_a_cross_border_forward_lands_in_the_other_countrys_queue(
    browser: Any, live_server: Any, world: World
) -> None:
    hotline, _fanny = french_hotline()
    from cop.reports.tests.base import file_report

    report, _receipt = file_report(country="KE")
    kenya = browser.new_context(bypass_csp=True).new_page()
    sign_in(kenya, live_server.url, "hana", PASSWORD)
    kenya.goto(f"{live_server.url}/en/report/cases/{report.cases.get().pk}/")
    kenya.get_by_label("Assessment").select_option("nationally-illegal")
    kenya.get_by_role("button", name="Save the assessment").click()
    kenya.get_by_label("Hotline of another country").select_option(str(hotline.pk))
    kenya.get_by_role("button", name="Forward", exact=True).click()
    france = browser.new_context(bypass_csp=True).new_page()
    sign_in(france, live_server.url, "fanny", PASSWORD)
    france.goto(f"{live_server.url}/en/report/cases/")
    assert report.receipt in france.content()
    assert "forwarded" in france.content()
    assert_accessible(france)


def test_on_a_phone_a_child_meets_help_first_and_reports_a_group_chat_without_a_link(
    page: Any, live_server: Any, world: World
) -> None:
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{live_server.url}/en/guidelines/children/8-12/bullying/")
    help_box = page.locator("#main .get-help").bounding_box()
    advice = page.locator("#guideline-text .lead").bounding_box()
    assert help_box["y"] + help_box["height"] <= advice["y"]
    assert_accessible(page)
    # Brazil has no hotline on the platform: the help page still leads to the report form.
    page.goto(f"{live_server.url}/en/help/BR/?age=8-12")
    assert not page.get_by_text("libphonenumber short-number metadata").is_visible()
    page.get_by_role("link", name="Report it here").click()
    assert page.locator("#id_country").input_value() == "BR"
    assert page.locator("#id_age").input_value() == "8-12"
    assert_accessible(page)
    page.get_by_role("button", name="No, I want to report something").click()
    page.locator("#id_where_seen").select_option("messaging")
    page.locator("#id_description").fill("Children in my class chat post mean things about me.")
    assert_accessible(page)
    page.locator("form.report-form button[type=submit]").click()
    code = page.locator(".receipt-code").inner_text()
    report = Report.objects.get(receipt=code)
    assert report.country_id == "BR" and not report.urls.exists()


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_help_report_and_status_pages_pass_axe(
    page: Any, live_server: Any, world: World, language: str
) -> None:
    for path in [
        "/help/",
        "/help/KE/",
        "/help/GQ/",
        "/report/",
        "/report/?age=8-12&country=KE&danger=yes",
        "/report/?age=adult&country=FR&danger=no",
        "/report/status/",
        "/report/statistics/",
    ]:
        page.goto(f"{live_server.url}/{language}{path}")
        assert_accessible(page)
    # A refused submission shows its errors accessibly too.
    page.goto(f"{live_server.url}/{language}/report/?age=adult&country=FR&danger=no")
    page.locator("#id_urls").fill("javascript:alert(1)")
    page.locator("form.report-form button[type=submit]").click()
    assert page.locator(".error").count() >= 1
    assert_accessible(page)
