"""Helpers for browser tests: an axe-core audit and a signed-in page."""

from __future__ import annotations

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
