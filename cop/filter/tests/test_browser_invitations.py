"""A second guardian in a real browser: invited by e-mail, they create an account from the link and accept."""

from __future__ import annotations

import re
from typing import Any

import pytest

from cop.core.tests.base import PASSWORD
from cop.core.tests.browser import assert_accessible, mailed_link, sign_in
from cop.filter.models import Guardian
from cop.filter.tests.helpers import make_family, make_parent

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_guardian_invites_a_parent_without_an_account_who_signs_up_from_the_link_and_accepts(
    browser: Any, live_server: Any, transactional_db: None
) -> None:
    carla = make_parent("carla")
    family = make_family(carla, "The Rossi family", "Europe/Rome")
    base = live_server.url
    contexts = [browser.new_context(bypass_csp=True) for _ in range(2)]
    try:
        for context in contexts:
            context.set_default_timeout(15_000)
        inviter, invitee = (context.new_page() for context in contexts)

        sign_in(inviter, base, "carla", PASSWORD)
        inviter.goto(f"{base}/en/filter/families/{family.pk}/")
        inviter.get_by_label("E-mail address of the other parent or guardian").fill("dora@example.net")
        inviter.get_by_role("button", name="Send the invitation").click()
        inviter.get_by_text("We sent an invitation to dora@example.net.").wait_for()
        inviter.get_by_text(re.compile(r"dora@example\.net, pending until")).wait_for()
        assert_accessible(inviter)
        assert not Guardian.objects.filter(family=family, user__username="dora").exists()

        invitee.goto(mailed_link("dora@example.net"))
        invitee.get_by_text("carla invites you to become a guardian of The Rossi family.").wait_for()
        assert_accessible(invitee)
        invitee.get_by_role("link", name="Create an account").click()
        invitee.get_by_label("Username").fill("dora")
        invitee.get_by_label(re.compile(r"^Password")).fill(PASSWORD)
        invitee.get_by_label("The same password again").fill(PASSWORD)
        invitee.get_by_role("button", name="Create the account").click()
        invitee.get_by_role("button", name="Accept the invitation").click()
        invitee.wait_for_url(f"{base}/en/filter/families/{family.pk}/")
        invitee.get_by_text("You are now a guardian of The Rossi family.").wait_for()

        inviter.reload()
        guardians = inviter.locator("#guardians-title + p + ul").inner_text()
        assert "dora" in guardians and "carla" in guardians
        assert inviter.get_by_text("Invitations waiting for an answer").count() == 0
        # The page where a parent would delete their account, in passing.
        inviter.goto(f"{base}/en/account/delete/")
        inviter.get_by_text("The Rossi family stays with its other guardians").wait_for()
        assert_accessible(inviter)
    finally:
        for context in contexts:
            context.close()
