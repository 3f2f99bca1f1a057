"""Password reset by e-mail and password change, with Django's own views and the platform's pages."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core import mail
from django.test import Client
from django.urls import reverse

from cop.core.models import User
from cop.core.tests.base import PASSWORD, BaseTestCase
from cop.core.tests.mailbox import deliver
from cop.core.tests.test_lockout import ELSEWHERE, FAST_HASHER, HERE

NEW_PASSWORD = "a quite different passphrase 7"


@FAST_HASHER
class PasswordResetTestCase(BaseTestCase):
    def ask_reset(self, email: str, client: Client | None = None) -> Any:
        url = reverse("core:password-reset")
        response = (client or self.client).post(url, {"email": email})
        deliver()  # the mail goes through the outbox, as `cop run_worker` sends it
        return response

    def link_in_mail(self) -> str:
        self.assertEqual(len(mail.outbox), 1)
        found = re.search(r"http://testserver(/\S+)", str(mail.outbox[0].body))
        assert found is not None, mail.outbox[0].body
        return found.group(1)

    def reset(self, password: str = NEW_PASSWORD) -> Any:
        self.ask_reset("kofi@example.org")
        # The link leads to the form by way of a redirect that hides the token from the address bar.
        form_page = self.client.get(self.link_in_mail(), follow=True)
        self.assertContains(form_page, "Choose a new password")
        response = self.client.post(
            form_page.redirect_chain[-1][0], {"new_password1": password, "new_password2": password}
        )
        return response

    def test_the_sign_in_page_and_my_account_lead_to_reset_and_change(self) -> None:
        self.assertContains(self.client.get(reverse("core:login")), reverse("core:password-reset"))
        account = self.client_for(self.world.kofi).get(reverse("core:account"))
        self.assertContains(account, reverse("core:password-change"))

    def test_a_reset_mails_a_link_that_sets_a_new_password(self) -> None:
        response = self.reset()
        self.assertRedirects(response, reverse("core:password-reset-complete"))
        self.assertEqual(mail.outbox[0].to, ["kofi@example.org"])
        self.assertEqual(mail.outbox[0].from_email, settings.DEFAULT_FROM_EMAIL)
        self.assertIn("kofi", mail.outbox[0].body)
        self.assertTrue(User.objects.get(username="kofi").check_password(NEW_PASSWORD))

    def test_the_page_reads_the_same_whether_or_not_the_address_has_an_account(self) -> None:
        known = self.ask_reset("kofi@example.org", Client())
        unknown = self.ask_reset("nobody@example.org", Client())
        self.assertEqual((known.status_code, known["Location"]), (unknown.status_code, unknown["Location"]))
        self.assertRedirects(unknown, reverse("core:password-reset-sent"))
        sent_known, sent_unknown = Client().get(known["Location"]), Client().get(unknown["Location"])
        self.assertEqual(sent_known.content, sent_unknown.content)
        self.assertEqual([message.to for message in mail.outbox], [["kofi@example.org"]])

    def test_a_reset_lifts_every_lock_of_the_account(self) -> None:
        for address in [HERE, ELSEWHERE]:
            for _ in range(settings.AXES_FAILURE_LIMIT):
                self.client.post(
                    reverse("core:login"), {"username": "kofi", "password": "wrong"}, REMOTE_ADDR=address
                )
        self.reset()
        for address in [HERE, ELSEWHERE]:
            response = Client().post(
                reverse("core:login"), {"username": "kofi", "password": NEW_PASSWORD}, REMOTE_ADDR=address
            )
            self.assertEqual(response.status_code, 302, address)

    def test_a_reset_link_works_once(self) -> None:
        self.reset()
        again = self.client.get(self.link_in_mail(), follow=True)
        self.assertContains(again, "This link no longer works")
        self.assertNotContains(again, 'name="new_password1"')

    def test_a_weak_new_password_is_refused_and_changes_nothing(self) -> None:
        response = self.reset("password")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "too common")
        self.assertTrue(User.objects.get(username="kofi").check_password(PASSWORD))

    def test_the_password_rules_read_as_text_not_as_a_list_inside_the_help(self) -> None:
        self.ask_reset("kofi@example.org")
        page = self.client.get(self.link_in_mail(), follow=True).content.decode()
        self.assertIn("at least 12 characters", page)
        self.assertNotIn("<ul>", page)


@FAST_HASHER
class PasswordChangeTestCase(BaseTestCase):
    def change(self, client: Client, current: str) -> Any:
        response = client.post(
            reverse("core:password-change"),
            {"old_password": current, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        )
        return response

    def test_a_signed_in_person_changes_their_password_and_stays_signed_in(self) -> None:
        client = self.client_for(self.world.kofi)
        self.assertRedirects(self.change(client, PASSWORD), reverse("core:password-changed"))
        self.assertTrue(User.objects.get(username="kofi").check_password(NEW_PASSWORD))
        self.assertEqual(client.get(reverse("core:account")).status_code, 200)

    def test_the_current_password_is_required(self) -> None:
        response = self.change(self.client_for(self.world.kofi), "wrong")
        self.assertContains(response, "old password was entered incorrectly")
        self.assertTrue(User.objects.get(username="kofi").check_password(PASSWORD))

    def test_only_a_signed_in_person_reaches_the_page(self) -> None:
        response = self.client.get(reverse("core:password-change"))
        self.assertRedirects(response, f"{reverse('core:login')}?next={reverse('core:password-change')}")
