"""The device page in a real browser, as a parent sets a child's phone up: the steps per platform,
the QR codes, the Apple profile download; axe-core audits it in English and in Arabic, with every
setting in place and with none."""

from __future__ import annotations

import plistlib
from pathlib import Path
from typing import Any

import pytest

from cop.core.tests.base import PASSWORD
from cop.core.tests.browser import assert_accessible, sign_in
from cop.filter.tests.helpers import make_device, make_family, make_parent, make_profile
from cop.filter.tests.test_device_setup import DOMAIN, NOTHING, SERVED

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_device_page_gives_working_steps_and_passes_axe_in_english_and_arabic(
    browser: Any, live_server: Any, transactional_db: None, settings: Any
) -> None:
    for name, value in SERVED.items():
        setattr(settings, name, value)
    device = make_device(make_profile(make_family(make_parent("amina"))))
    context = browser.new_context(bypass_csp=True, accept_downloads=True)
    try:
        context.set_default_timeout(15_000)
        page = context.new_page()
        _journey(page, live_server.url, device.pk, device.token, settings)
    finally:
        context.close()


def _journey(page: Any, base: str, pk: int, token: str, settings: Any) -> None:
    sign_in(page, base, "amina", PASSWORD)
    page.goto(f"{base}/en/filter/devices/{pk}/")
    assert_accessible(page)
    assert page.get_by_role("textbox", name="Private DNS host name").input_value() == f"{token}.{DOMAIN}"
    assert (
        page.get_by_role("textbox", name="Secure DNS address").input_value()
        == f"https://{token}.{DOMAIN}/dns-query/{token}"
    )
    for label in (
        "QR code of the Private DNS host name",
        "QR code of the link to the Apple profile",
        "QR code of the secure DNS address",
    ):
        code = page.get_by_role("img", name=label)
        box = code.bounding_box()
        # Big enough for a phone's camera, and square.
        assert box is not None and box["width"] >= 140 and box["width"] == box["height"], label
    for heading in (
        "Android phone or tablet (Android 9 or later)",
        "iPhone, iPad or Mac",
        "Windows 11 computer",
    ):
        assert page.get_by_role("heading", name=heading).is_visible()

    # The profile downloads as a file a Mac or an iPhone opens.
    with page.expect_download() as started:
        page.get_by_role("link", name="Download the profile").click()
    download = started.value
    assert download.suggested_filename == f"family-filter-device-{pk}.mobileconfig"
    profile = plistlib.loads(Path(download.path()).read_bytes())
    assert profile["PayloadContent"][0]["DNSSettings"]["ServerURL"].endswith(f"/dns-query/{token}")

    # Right to left, in Arabic.
    page.goto(f"{base}/ar/filter/devices/{pk}/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("svg.qr-code").count() == 3
    assert_accessible(page)

    # An installation without the settings: the page says what the operator must set, accessibly.
    for name, value in NOTHING.items():
        setattr(settings, name, value)
    page.goto(f"{base}/en/filter/devices/{pk}/")
    assert page.get_by_text("is not offered by this installation yet").count() == 5
    assert page.locator("svg").filter(has=page.locator("g")).count() == 0
    assert_accessible(page)
    page.goto(f"{base}/ar/filter/devices/{pk}/")
    assert_accessible(page)
