"""The campaign dashboard and a country's response page in a real browser, in English and in Arabic
(right to left): axe-core's WCAG 2.2 AA rules and the 320 px reflow check."""

from __future__ import annotations

from typing import Any

import pytest

from cop.core.models import Country
from cop.core.reference.loader import load_reference_data
from cop.core.tests.base import PASSWORD, World, make_world
from cop.core.tests.browser import assert_accessible, sign_in
from cop.survey.models import Campaign, ResponseState
from cop.survey.tests.helpers import answer, make_campaign, make_version, set_state

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def campaign(transactional_db: None) -> tuple[World, Campaign]:
    # Transactional tests empty the database afterwards, so each loads its own.
    if not Country.objects.exists():
        load_reference_data()
    world = make_world()
    made = make_campaign(make_version(), "Survey 2027", 2027, ["KE", "FR", "NG", "JP"])
    kenya = made.responses.get(country_id="KE")
    answer(kenya, "has_strategy", "yes", by=world.kofi)
    set_state(made.responses.get(country_id="FR"), ResponseState.RECEIVED)
    return world, made


def test_the_dashboard_and_a_response_page_pass_axe_in_english_and_arabic(
    browser: Any, live_server: Any, campaign: tuple[World, Campaign]
) -> None:
    _world, made = campaign
    context = browser.new_context(bypass_csp=True)
    try:
        page = context.new_page()
        base = live_server.url
        sign_in(page, base, "alice", PASSWORD)
        kenya = made.responses.get(country_id="KE")
        for language in ("en", "ar"):
            page.goto(f"{base}/{language}/survey/campaigns/{made.pk}/")
            assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
            assert_accessible(page)
            page.goto(f"{base}/{language}/survey/responses/{kenya.pk}/")
            assert_accessible(page)
        page.goto(f"{base}/en/survey/campaigns/{made.pk}/")
        page.get_by_label("Remind Kenya").check()
        page.get_by_role("button", name="Remind the countries ticked").click()
        page.wait_for_selector("text=Reminded: Kenya.")
        assert_accessible(page)
    finally:
        # Closed before the live server stops, so that no kept-alive connection outlives the test.
        context.close()
