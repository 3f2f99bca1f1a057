"""Parents and guardians create their own account, with no organisation, and land on their family filter.

Signing up starts with an address only and answers the same for every address; the link mailed to
it leads to the username and password. So the sign-up pages tell nobody which usernames or
addresses have accounts.
"""

from __future__ import annotations

import re

from django.contrib.auth.hashers import identify_hasher
from django.core import mail
from django.test import Client

from cop.core import confirmation
from cop.core.models import AuditEvent, Membership, User
from cop.core.tests.base import PASSWORD, BaseTestCase
from cop.core.tests.mailbox import SignedDaysAgo, deliver, link_in, only_mail_to
from cop.outbox.models import Job

URL = "/en/account/signup/"
SENT = "/en/account/signup/sent/"


def finish_data(**changes: str) -> dict[str, str]:
    data = {"username": "amina", "password1": PASSWORD, "password2": PASSWORD}
    data.update(changes)
    return data


def _without_csrf(html: str) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


class SignUpTestCase(BaseTestCase):
    def start(self, address: str = "amina@example.net", client: Client | None = None) -> str:
        """Ask for the link and follow it; returns the link's path."""
        response = (client or self.client).post(URL, {"email": address})
        self.assertRedirects(response, SENT, fetch_redirect_response=False)
        return link_in(only_mail_to(address))

    def test_a_parent_signs_up_through_the_mailed_link_and_lands_on_the_family_filter_signed_in(self) -> None:
        response = self.client.post(URL, {"email": "Amina@Example.net"})
        self.assertRedirects(response, SENT, fetch_redirect_response=False)
        # Nothing is sent inside the request: the mail waits in the outbox for the worker.
        assert mail.outbox == []
        assert Job.objects.get(kind="core.email").status == "pending"
        self.assertContains(self.client.get(SENT), "We sent a message to amina@example.net.")
        message = only_mail_to("amina@example.net")
        assert message.subject == "Create your account on the COP Platform"
        link = link_in(message)
        self.assertContains(self.client.get(link), "Your e-mail address amina@example.net is confirmed.")
        response = self.client.post(link, finish_data())
        self.assertRedirects(response, "/en/filter/", fetch_redirect_response=False)
        user = User.objects.get(username="amina")
        assert (user.email, user.confirmed_email, user.has_confirmed_email) == (
            "amina@example.net",
            "amina@example.net",
            True,
        )
        assert identify_hasher(user.password).algorithm == "argon2"
        assert not Membership.objects.filter(user=user).exists()
        page = self.client.get("/en/filter/")
        self.assertContains(page, "My family filter")
        self.assertContains(page, "Welcome, amina.")

    def test_the_first_step_answers_the_same_for_an_address_with_an_account_and_a_new_one(self) -> None:
        answers = []
        for address in ("kofi@example.org", "nobody-yet@example.net"):
            client = Client()
            response = client.post(URL, {"email": address})
            page = client.get(SENT)
            answers.append(
                (
                    response.status_code,
                    response["Location"],
                    _without_csrf(page.content.decode()).replace(address, "@"),
                )
            )
        assert answers[0] == answers[1]
        # The owner of the address with an account is told they have one, with no link to a new one.
        sent = {m.to[0]: m for m in deliver()}
        existing = sent["kofi@example.org"]
        assert existing.subject == "You already have an account on the COP Platform"
        assert (
            "/account/signup/" not in existing.body and "http://testserver/en/account/login/" in existing.body
        )
        assert "/en/account/signup/" in sent["nobody-yet@example.net"].body
        assert User.objects.filter(email__iexact="kofi@example.org").count() == 1

    def test_the_old_one_step_form_with_a_taken_username_no_longer_tells_that_it_exists(self) -> None:
        data = {"username": "KOFI", "email": "new@example.net", "password1": PASSWORD, "password2": PASSWORD}
        response = self.client.post(URL, data)
        self.assertRedirects(response, SENT, fetch_redirect_response=False)
        assert "already exists" not in self.client.get(SENT).content.decode()
        assert not User.objects.filter(email="new@example.net").exists()

    def test_the_link_is_used_up_once_the_account_exists(self) -> None:
        link = self.start()
        self.client.post(link, finish_data())
        again = Client()
        self.assertContains(again.get(link), "This sign-up link cannot be used", status_code=404)
        self.assertContains(
            again.post(link, finish_data(username="amina2")), "cannot be used", status_code=404
        )
        assert User.objects.filter(email="amina@example.net").count() == 1

    def test_a_forged_or_expired_link_is_refused_and_makes_no_account(self) -> None:
        link = self.start()
        forged = link.replace("/signup/", "/signup/x")
        expired = SignedDaysAgo(4, salt=confirmation.SIGNUP_SALT).sign_object({"e": "amina@example.net"})
        recent = SignedDaysAgo(2, salt=confirmation.SIGNUP_SALT).sign_object({"e": "amina@example.net"})
        for path in (forged, f"{URL}{expired}/"):
            self.assertContains(self.client.post(path, finish_data()), "cannot be used", status_code=404)
        assert not User.objects.filter(username="amina").exists()
        self.assertContains(self.client.get(f"{URL}{recent}/"), "Now choose your username and password.")

    def test_the_passwords_must_match_and_pass_the_password_validators(self) -> None:
        link = self.start()
        cases = [
            (finish_data(password2=PASSWORD + "x"), "The two password fields didn"),
            (finish_data(password1="short", password2="short"), "This password is too short."),
            (finish_data(password1="password1234", password2="password1234"), "This password is too common."),
            (finish_data(password1="203948572619384", password2="203948572619384"), "entirely numeric"),
            # Compared with the address the link was sent to, which is not a field of this form.
            (finish_data(password1="amina@example.net", password2="amina@example.net"), "too similar"),
        ]
        for data, message in cases:
            self.assertContains(self.client.post(link, data), message, status_code=400)
        assert not User.objects.filter(username="amina").exists()

    def test_behind_the_link_a_username_taken_in_any_case_is_refused(self) -> None:
        link = self.start()
        response = self.client.post(link, finish_data(username="KOFI"))
        self.assertContains(response, "A user with that username already exists.", status_code=400)
        assert User.objects.filter(username__iexact="kofi").count() == 1

    def test_an_email_address_is_required_and_must_be_valid(self) -> None:
        self.assertContains(self.client.post(URL, {"email": ""}), "This field is required.", status_code=400)
        self.assertContains(
            self.client.post(URL, {"email": "not-an-address"}),
            "Enter a valid email address.",
            status_code=400,
        )
        assert not Job.objects.exists()

    def test_html_in_the_username_is_refused(self) -> None:
        link = self.start()
        self.assertContains(
            self.client.post(link, finish_data(username="<b>x</b>")),
            "Enter a valid username",
            status_code=400,
        )

    def test_one_address_gets_at_most_three_sign_up_mails_an_hour_and_the_answer_stays_the_same(self) -> None:
        for _ in range(5):
            self.assertRedirects(self.client.post(URL, {"email": "amina@example.net"}), SENT)
        assert len(deliver()) == 3

    def test_the_page_after_the_first_step_sends_the_link_again(self) -> None:
        self.start()
        page = self.client.get(SENT)
        self.assertContains(page, 'name="email" value="amina@example.net"')
        self.client.post(URL, {"email": "amina@example.net"})
        assert only_mail_to("amina@example.net").subject == "Create your account on the COP Platform"

    def test_the_new_account_is_audited_without_its_password(self) -> None:
        self.client.post(self.start(), finish_data())
        user = User.objects.get(username="amina")
        event = AuditEvent.objects.get(model="core.User", action="create", object_id=str(user.pk))
        assert event.after["username"] == "amina"
        assert event.after["password"] == "[redacted]"

    def test_the_pages_ask_for_what_the_browser_can_fill_in(self) -> None:
        page = self.client.get(URL)
        self.assertContains(page, 'autocomplete="email"')
        assert "max-age=0" in page["Cache-Control"]
        finish = self.client.get(self.start())
        self.assertContains(finish, 'autocomplete="new-password"', count=2)
        self.assertContains(finish, 'autocomplete="username"')
        assert "max-age=0" in finish["Cache-Control"]

    def test_the_login_page_links_to_the_sign_up_page(self) -> None:
        self.assertContains(self.client.get("/en/account/login/"), 'href="/en/account/signup/"')

    def test_a_signed_in_user_goes_straight_to_the_family_filter(self) -> None:
        response = self.client_for(self.world.pablo).get(URL)
        self.assertRedirects(response, "/en/filter/")

    def test_after_signing_up_the_link_may_lead_back_to_a_page_of_the_site_and_nowhere_else(self) -> None:
        link = self.start()
        response = self.client.post(link + "?next=/en/filter/families/new/", finish_data())
        self.assertRedirects(response, "/en/filter/families/new/", fetch_redirect_response=False)
        other = self.start("bea@example.net", client=Client())
        response = Client().post(other + "?next=https://elsewhere.example/", finish_data(username="bea"))
        self.assertRedirects(response, "/en/filter/", fetch_redirect_response=False)
