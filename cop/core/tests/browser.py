"""Helpers for browser tests: an axe-core audit with a reflow check, and a signed-in page."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# WCAG 1.4.10 (reflow): content fits 320 CSS pixels without scrolling sideways.
REFLOW_WIDTH = 320

# Elements sticking out of the viewport at its current width, and whether the page itself scrolls
# sideways. Content inside a scroll container (a wide data table in .table-wrap, which 1.4.10
# allows) or inside a clipping box (visually hidden text, the honeypot) is not counted: only
# what makes the page wider than the screen.
_OVERFLOW_SCRIPT = """() => {
  const root = document.documentElement;
  const width = root.clientWidth;
  const problems = [];
  if (root.scrollWidth > width) problems.push(`the page is ${root.scrollWidth} px wide`);
  const clipped = (el) => {
    for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
      if (getComputedStyle(a).overflowX !== 'visible') return true;
    }
    return false;
  };
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    // Boxes of 1 px or less are visually hidden text and the honeypot field, placed off screen on purpose.
    if (box.width <= 1 || box.height <= 1 || (box.right <= width + 1 && box.left >= -1)) continue;
    // Content the browser does not render (a closed <details>, display: none) widens nothing.
    if (!el.checkVisibility()) continue;
    if (clipped(el) || getComputedStyle(el).position === 'fixed') continue;
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.classList.length ? '.' + [...el.classList].join('.') : '');
    problems.push(`${name} spans ${Math.round(box.left)}..${Math.round(box.right)} px`);
    if (problems.length > 8) break;
  }
  return problems;
}"""


def reflow_problems(page: Any) -> list[str]:
    """What overflows the page at 320 CSS pixels wide; the viewport is put back afterwards."""
    size = page.viewport_size
    page.set_viewport_size({"width": REFLOW_WIDTH, "height": size["height"]})
    try:
        problems: list[str] = page.evaluate(_OVERFLOW_SCRIPT)
    finally:
        page.set_viewport_size(size)
    return problems


def assert_reflows(page: Any) -> None:
    problems = reflow_problems(page)
    assert problems == [], f"{page.url} at {REFLOW_WIDTH} px: " + "; ".join(problems)


def assert_accessible(page: Any, *, reflow: bool = True) -> None:
    """Run axe-core on the page in the browser; fail on any WCAG 2.2 A/AA violation, and (unless
    `reflow` is off) on anything that does not reflow into 320 CSS pixels."""
    if not AXE.exists():
        pytest.fail("axe-core is not installed: run `npm ci` (scripts/test does)")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        # target-size (2.5.8, WCAG 2.2 AA) is off by default in axe-core: turned on by name.
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " rules: {'target-size': {enabled: true}}, resultTypes: ['violations']})",
        WCAG_22_AA,
    )
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
    ]
    assert violations == [], f"{page.url}: " + "; ".join(violations)
    if reflow:
        assert_reflows(page)


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
