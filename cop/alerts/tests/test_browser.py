"""Alerts in a real browser: an analyst publishes one, the public finds it, and axe-core audits every page."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from cop.alerts.models import Alert, Delivery, Status
from cop.core.models import Country
from cop.core.reference.loader import load_reference_data
from cop.core.tests.base import PASSWORD, World, make_world
from cop.core.tests.browser import assert_accessible, sign_in
from cop.threats.models import Classification

pytestmark = pytest.mark.django_db(transaction=True)
LANGUAGES = [code for code, _name in settings.LANGUAGES]
TITLE = "Fake prize messages in a popular game"


@pytest.fixture
def world(transactional_db: None) -> World:
    # Transactional tests empty the database afterwards, so each loads its own.
    if not Country.objects.exists():
        load_reference_data()
    if not Classification.objects.exists():
        call_command("load_content", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return make_world()


def test_an_analyst_publishes_an_alert_the_public_finds_it_and_the_pages_pass_axe_in_every_language(
    browser: Any, live_server: Any, world: World
) -> None:
    contexts = [browser.new_context(bypass_csp=True) for _ in range(2)]
    try:
        _publish_and_audit(contexts[0].new_page(), contexts[1].new_page(), live_server.url)
    finally:
        # Closed before the live server stops, so that no kept-alive connection outlives the test.
        for context in contexts:
            context.close()


def _publish_and_audit(analyst: Any, visitor: Any, base: str) -> None:
    sign_in(analyst, base, "hana", PASSWORD)

    # A webhook first, so that the publication has somewhere to go.
    analyst.goto(f"{base}/en/alerts/webhooks/")
    assert_accessible(analyst)
    analyst.get_by_role("link", name="Register a webhook").click()
    assert_accessible(analyst)
    analyst.get_by_label("Name").fill("Hotline case system")
    analyst.get_by_label("Address (URL)").fill("https://hooks.example.org/cop")
    analyst.get_by_role("button", name="Register the webhook").click()
    secret = analyst.get_by_label("Secret").input_value()
    assert secret.startswith("whsec_")
    assert_accessible(analyst)

    analyst.goto(f"{base}/en/alerts/")
    analyst.get_by_role("link", name="Write an alert").click()
    analyst.wait_for_url("**/en/alerts/new/")
    assert_accessible(analyst)
    analyst.get_by_label("Title").fill(TITLE)
    analyst.get_by_label("What it is").fill(
        "Children receive chat messages in a game promising free currency in exchange for a photo."
    )
    analyst.get_by_label("Who is at risk").fill(
        "Children aged 9 to 14 who chat with strangers while playing."
    )
    analyst.get_by_label("Advice for children and young people").fill(
        "Never send a photo to someone you only know online. Tell an adult you trust."
    )
    analyst.get_by_label("Severity").select_option("high")
    analyst.get_by_label("Countries concerned").select_option("KE")
    analyst.get_by_label("Grooming and sexual exploitation").check()
    analyst.get_by_role("button", name="Save the draft").click()
    analyst.wait_for_selector("text=This is a draft.")
    assert_accessible(analyst)
    alert = Alert.objects.get()
    assert alert.status == Status.DRAFT

    analyst.get_by_role("button", name="Publish this alert").click()
    analyst.wait_for_selector("text=The alert is published.")
    alert.refresh_from_db()
    assert alert.status == Status.PUBLISHED and Delivery.objects.filter(alert=alert).count() == 1
    for path in [
        "/en/alerts/manage/",
        f"/en/alerts/{alert.pk}/edit/",
        f"/en/alerts/{alert.pk}/translations/fr/",
        f"/en/alerts/{alert.pk}/withdraw/",
        f"/en/alerts/webhooks/{Delivery.objects.get().subscription_id}/",
    ]:
        response = analyst.goto(f"{base}{path}")
        assert response is not None and response.status == 200, path
        assert_accessible(analyst)
    assert "Not attempted yet." in analyst.content()

    for language in LANGUAGES:
        visitor.goto(f"{base}/{language}/alerts/")
        link = visitor.get_by_role("link", name=TITLE)
        assert link.count() == 1, language
        assert_accessible(visitor)
        link.click()
        visitor.wait_for_url(f"**/{language}/alerts/{alert.pk}/")
        assert visitor.locator("h1").inner_text() == TITLE
        assert_accessible(visitor)
    filtered = visitor.goto(f"{base}/en/alerts/?country=KE&risk=contact-sexual&language=en")
    assert filtered is not None and filtered.status == 200
    assert visitor.get_by_role("link", name=TITLE).count() == 1
    assert_accessible(visitor)
