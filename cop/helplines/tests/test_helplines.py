from __future__ import annotations

import pytest

from cop.core.tests.base import BaseTestCase
from cop.helplines.models import Channel, Service
from cop.helplines.numbers import InvalidNumber, check_number, emergency_numbers

LANGUAGES = ["ar", "zh-hans", "en", "fr", "ru", "es"]


def test_numbers_are_stored_as_e164_or_as_a_short_code_of_the_country() -> None:
    assert check_number("1800 55 1800", "AU").value == "+611800551800"
    assert check_number("1-800-668-6868", "CA").value == "+18006686868"
    assert check_number("116 111", "DE").value == "116111"
    assert check_number("116", "KE").is_short


@pytest.mark.parametrize(
    ("raw", "region"),
    [
        ("12", "FR"),
        ("abc", "FR"),
        ("+99 123", "FR"),
        ("0800 000 000 000 000", "FR"),
        ("116", "ZA"),
        ("", "KE"),
    ],
)
def test_it_rejects_numbers_that_are_not_valid_in_the_country(raw: str, region: str) -> None:
    with pytest.raises(InvalidNumber):
        check_number(raw, region)


def test_an_unlisted_short_code_needs_an_explicit_acknowledgement() -> None:
    checked = check_number("116", "ZA", allow_unlisted_short=True)
    assert checked.is_short and not checked.listed


def test_emergency_numbers_come_from_the_numbering_metadata() -> None:
    assert emergency_numbers("KE")[0] == "999" and "112" in emergency_numbers("KE")
    assert emergency_numbers("US")[0] == "911"
    assert emergency_numbers("FR")[0] == "112"
    assert emergency_numbers("AU")[0] == "000"


class HelpPagesTestCase(BaseTestCase):
    def test_kenya_shows_the_emergency_number_first_and_116(self) -> None:
        html = self.client.get("/en/help/KE/").content.decode()
        assert html.index('href="tel:999"') < html.index('href="tel:116"')
        assert "Childline Kenya" in html
        assert "Not yet verified by the platform." in html

    def test_every_language_has_the_page(self) -> None:
        for language in LANGUAGES:
            response = self.client.get(f"/{language}/help/FR/")
            self.assertContains(response, 'href="tel:112"')
            self.assertContains(response, 'href="tel:119"')

    def test_the_country_chooser_redirects_and_keeps_the_age(self) -> None:
        response = self.client.get("/en/help/", {"country": "ke", "age": "8-12"})
        assert response.status_code == 302 and response["Location"] == "/en/help/KE/?age=8-12"
        assert self.client.get("/en/help/", {"country": "ZZ"}).status_code == 200
        assert self.client.get("/en/help/ZZ/").status_code == 404

    def test_the_report_section_leads_to_the_report_form_even_without_a_hotline(self) -> None:
        brazil = self.client.get("/en/help/BR/").content.decode()
        section = brazil[brazil.index('id="report-title"') : brazil.index('id="more-title"')]
        assert 'href="/en/report/?country=BR"' in section
        kenya = self.client.get("/en/help/KE/", {"age": "13-17"}).content.decode()
        assert 'href="/en/report/?country=KE&amp;age=13-17"' in kenya
        # The link fills in what it knows and still asks first whether someone is in danger.
        start = self.client.get("/en/report/", {"country": "KE", "age": "13-17"}).content.decode()
        assert '<option value="KE" selected>' in start and '<option value="13-17" selected>' in start
        assert 'name="danger"' in start and 'name="urls"' not in start and "errorlist" not in start

    def test_the_data_source_is_in_a_details_section_for_adults_after_the_help(self) -> None:
        html = self.client.get("/en/help/KE/").content.decode()
        emergency = html[html.index('id="emergency-title"') : html.index('id="helplines-title"')]
        assert "libphonenumber" not in emergency
        details = html[html.index('<details class="for-adults">') :]
        assert html.index('id="report-title"') < html.index('<details class="for-adults">')
        assert "Short-number metadata of libphonenumber" in details[: details.index("</details>")]

    def test_a_childs_advice_page_puts_get_help_before_the_advice(self) -> None:
        for path in ("/en/guidelines/children/8-12/bullying/", "/fr/guidelines/children/5-7/games/"):
            html = self.client.get(path).content.decode()
            assert html.index('class="get-help"') < html.index('id="guideline-text"'), path

    def test_the_api_gives_the_numbers_of_a_country(self) -> None:
        body = self.client.get("/api/v1/help/ca").json()
        assert body["emergency_numbers"][0] == "911"
        phone = body["services"][0]["channels"][0]
        assert phone == {"kind": "phone", "value": "+18006686868", "href": "tel:+18006686868"}

    def test_a_focal_point_adds_a_verified_helpline_for_their_country(self) -> None:
        client = self.client_for(self.world.kofi)
        data = {
            "kind": "child-helpline", "name": "Example Youth Line", "min_age": "8", "max_age": "17",
            "always_open": "on", "hours": "", "is_free": "true", "source": "https://example.org/youth-line",
            "languages_text": "en sw", "verified_today": "on",
            "channels-TOTAL_FORMS": "2", "channels-INITIAL_FORMS": "0", "channels-MIN_NUM_FORMS": "1",
            "channels-MAX_NUM_FORMS": "1000",
            "channels-0-kind": "phone", "channels-0-value": "0800 723 253",
            "channels-1-kind": "web", "channels-1-value": "https://example.org/chat",
        }  # fmt: skip
        response = client.post("/en/help/KE/services/new/", data)
        assert response.status_code == 302, response.content.decode()[:2000]
        service = Service.objects.get(name="Example Youth Line")
        assert service.verified_on is not None and service.languages == ["en", "sw"]
        assert list(service.channels.values_list("value", flat=True)) == [
            "+254800723253",
            "https://example.org/chat",
        ]
        self.assertContains(self.client.get("/en/help/KE/"), "Last verified on")

    def test_a_bad_number_or_a_foreign_focal_point_changes_nothing(self) -> None:
        data = {
            "kind": "child-helpline", "name": "Bad Line", "source": "x", "languages_text": "",
            "channels-TOTAL_FORMS": "1", "channels-INITIAL_FORMS": "0", "channels-MIN_NUM_FORMS": "1",
            "channels-MAX_NUM_FORMS": "1000", "channels-0-kind": "phone", "channels-0-value": "12",
        }  # fmt: skip
        response = self.client_for(self.world.kofi).post("/en/help/KE/services/new/", data)
        assert response.status_code == 400
        self.assertContains(response, "not a valid phone number", status_code=400)
        assert self.client_for(self.world.claire).post("/en/help/KE/services/new/", data).status_code == 403
        assert not Service.objects.filter(name="Bad Line").exists()
        assert not Channel.objects.filter(value="12").exists()


@pytest.mark.django_db(transaction=True)
def test_the_directory_editor_passes_axe_and_refuses_a_bad_number(page, live_server, content_world) -> None:  # type: ignore[no-untyped-def]
    from cop.core.tests.base import PASSWORD
    from cop.core.tests.browser import assert_accessible, sign_in

    sign_in(page, live_server.url, "kofi", PASSWORD)
    page.goto(f"{live_server.url}/en/help/KE/services/new/")
    assert_accessible(page)
    page.get_by_label("Name").fill("Example Youth Line")
    page.get_by_label("Source").fill("https://example.org/youth-line")
    page.locator("#id_channels-0-kind").select_option("phone")
    page.locator("#id_channels-0-value").fill("12")
    # The server's own check, not the browser's: submit without client-side validation.
    page.evaluate("document.querySelector('main form').noValidate = true")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "not a valid phone number" in page.content()
    assert_accessible(page)
    assert not Service.objects.filter(name="Example Youth Line").exists()
