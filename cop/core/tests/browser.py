"""Helpers for browser tests: an axe-core audit and a signed-in page."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def assert_accessible(page: Any) -> None:
    """Run axe-core on the page in the browser; fail on any WCAG 2.1 A/AA violation."""
    if not AXE.exists():
        pytest.fail("axe-core is not installed: run `npm ci` (scripts/test does)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document,"
        " {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        WCAG_21_AA,
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert violations == [], f"{page.url}: " + "; ".join(violations)


def submit_sign_in(page: Any, base_url: str, username: str, password: str) -> None:
    page.goto(f"{base_url}/en/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def sign_in(page: Any, base_url: str, username: str, password: str) -> None:
    submit_sign_in(page, base_url, username, password)
    page.wait_for_url(f"{base_url}/en/account/")


def mailed_link(address: str, timeout: float = 10.0) -> str:
    """The link in the newest mail to `address`, once the outbox has sent it (run here, or by a worker
    thread the test runs)."""
    from django.core import mail

    from cop.core.tests.mailbox import LINK, deliver

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        deliver()
        found = [m for m in mail.outbox if m.to == [address]]
        if found:
            links = LINK.findall(str(found[-1].body))
            assert len(links) == 1, links
            return str(links[0])
        time.sleep(0.05)
    pytest.fail(f"no mail to {address} within {timeout} s")


def sign_up(
    page: Any, base_url: str, username: str, address: str, password: str, *, audit: bool = False
) -> None:
    """Sign up as a parent does: the address, the mailed link, then a username and password."""
    page.goto(f"{base_url}/en/account/signup/")
    if audit:
        assert_accessible(page)
    page.get_by_label("E-mail address").fill(address)
    page.get_by_role("button", name="Send me the link").click()
    page.wait_for_url(f"{base_url}/en/account/signup/sent/")
    if audit:
        assert_accessible(page)
    page.goto(mailed_link(address))
    if audit:
        assert_accessible(page)
    page.get_by_label("Username").fill(username)
    page.get_by_label(re.compile(r"^Password")).fill(password)
    page.get_by_label("The same password again").fill(password)
    page.get_by_role("button", name="Create the account").click()
