"""Confirming the e-mail address of an existing account, and what needs a confirmed one."""

from __future__ import annotations

from django.core import mail
from django.db import IntegrityError, transaction

from cop.core import confirmation
from cop.core.forms import ConfirmedAddressPasswordResetForm
from cop.core.models import User
from cop.core.tests.base import PASSWORD, BaseTestCase
from cop.core.tests.mailbox import SignedDaysAgo, deliver, link_in, only_mail_to

ACCOUNT = "/en/account/"
SEND = "/en/account/email/confirm/"


class ConfirmationTestCase(BaseTestCase):
    def setUp(self) -> None:
        # An account from before addresses were confirmed.
        self.zawadi = User.objects.create_user("zawadi", "zawadi@example.net", PASSWORD)

    def test_an_account_without_a_confirmed_address_signs_in_and_confirms_it_from_its_page(self) -> None:
        response = self.client.post("/en/account/login/", {"username": "zawadi", "password": PASSWORD})
        self.assertRedirects(response, ACCOUNT)
        self.assertContains(self.client.get(ACCOUNT), "zawadi@example.net, not confirmed yet.")
        response = self.client.post(SEND, follow=True)
        self.assertContains(response, "We sent a link to zawadi@example.net.")
        message = only_mail_to("zawadi@example.net")
        assert message.subject == "Confirm your e-mail address on the COP Platform"
        response = self.client.get(link_in(message), follow=True)
        self.assertContains(response, "Your e-mail address zawadi@example.net is confirmed.")
        self.assertContains(response, "zawadi@example.net, confirmed.")
        self.zawadi.refresh_from_db()
        assert self.zawadi.has_confirmed_email

    def test_the_link_works_without_signing_in_and_then_leads_to_sign_in(self) -> None:
        token = confirmation.confirmation_token(self.zawadi)
        response = self.client.get(f"{SEND}{token}/")
        self.assertRedirects(response, "/en/account/login/")
        self.zawadi.refresh_from_db()
        assert self.zawadi.confirmed_email == "zawadi@example.net"

    def test_a_link_for_an_address_changed_since_a_forged_or_an_expired_one_confirms_nothing(self) -> None:
        changed = confirmation.confirmation_token(self.zawadi)
        expired = SignedDaysAgo(4, salt=confirmation.CONFIRM_SALT).sign_object(
            {"u": self.zawadi.pk, "e": "zawadi@example.net"}
        )
        User.objects.filter(pk=self.zawadi.pk).update(email="zawadi@example.org")
        forged = confirmation.confirmation_token(self.zawadi)[:-2] + "xx"
        for token in (changed, expired, forged):
            self.assertContains(
                self.client.get(f"{SEND}{token}/"), "This confirmation link cannot be used", status_code=404
            )
        self.zawadi.refresh_from_db()
        assert self.zawadi.confirmed_email == ""

    def test_an_address_another_account_confirmed_first_stays_with_that_account(self) -> None:
        twin = User.objects.create_user("twin", "KOFI@example.org", PASSWORD)
        response = self.client.get(f"{SEND}{confirmation.confirmation_token(twin)}/")
        self.assertContains(response, "This address belongs to another account", status_code=409)
        twin.refresh_from_db()
        assert twin.confirmed_email == "" and not twin.has_confirmed_email

    def test_the_database_keeps_a_confirmed_address_to_one_account(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            User.objects.create_user("twin", "kofi@example.org", PASSWORD, confirmed_email="kofi@example.org")

    def test_a_changed_address_is_no_longer_confirmed(self) -> None:
        kofi = self.world.kofi
        assert kofi.has_confirmed_email
        kofi.email = "kofi@example.net"
        assert not kofi.has_confirmed_email

    def test_asking_for_the_link_again_and_again_sends_three_an_hour(self) -> None:
        client = self.client_for(self.zawadi)
        for _ in range(3):
            client.post(SEND)
        response = client.post(SEND, follow=True)
        self.assertContains(response, "A link went to this address a short while ago.")
        assert len(deliver()) == 3

    def test_a_confirmed_account_is_told_so_and_sent_nothing(self) -> None:
        response = self.client_for(self.world.kofi).post(SEND, follow=True)
        self.assertContains(response, "Your e-mail address is confirmed already.")
        assert mail.outbox == []


class PasswordResetTestCase(BaseTestCase):
    def test_password_reset_mails_go_only_to_addresses_their_accounts_confirmed(self) -> None:
        User.objects.create_user("zawadi", "shared@example.net", PASSWORD)
        User.objects.create_user("yusuf", "other@example.net", PASSWORD, confirmed_email="other@example.net")
        for address, expected in (("shared@example.net", []), ("Other@Example.net", ["yusuf"])):
            form = ConfirmedAddressPasswordResetForm({"email": address})
            assert form.is_valid()
            assert [user.username for user in form.get_users(address)] == expected
            # Any two templates show the way: the project's reset mail templates are not this test's.
            form.save(
                domain_override="cop.example",
                subject_template_name="core/mail/confirm.txt",
                email_template_name="core/mail/confirm.txt",
            )
        # Queued in the outbox, then sent by the worker, to the confirmed address only.
        assert mail.outbox == []
        [message] = deliver()
        assert message.to == ["other@example.net"] and "\n" not in message.subject
