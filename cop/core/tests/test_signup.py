"""Parents and guardians create their own account, with no organisation, and land on their family filter."""

from __future__ import annotations

from django.contrib.auth.hashers import identify_hasher

from cop.core.models import AuditEvent, Membership, User
from cop.core.tests.base import PASSWORD, BaseTestCase

URL = "/en/account/signup/"


def signup_data(**changes: str) -> dict[str, str]:
    data = {"username": "amina", "email": "amina@example.net", "password1": PASSWORD, "password2": PASSWORD}
    data.update(changes)
    return data


class SignUpTestCase(BaseTestCase):
    def test_a_parent_signs_up_and_lands_on_the_family_filter_signed_in(self) -> None:
        response = self.client.post(URL, signup_data())
        self.assertRedirects(response, "/en/filter/", fetch_redirect_response=False)
        user = User.objects.get(username="amina")
        assert user.email == "amina@example.net"
        assert identify_hasher(user.password).algorithm == "argon2"
        assert not Membership.objects.filter(user=user).exists()
        page = self.client.get("/en/filter/")
        self.assertContains(page, "My family filter")
        self.assertContains(page, "Welcome, amina.")

    def test_the_new_account_is_audited_without_its_password(self) -> None:
        self.client.post(URL, signup_data())
        user = User.objects.get(username="amina")
        event = AuditEvent.objects.get(model="core.User", action="create", object_id=str(user.pk))
        assert event.after["username"] == "amina"
        assert event.after["password"] == "[redacted]"

    def test_the_passwords_must_match_and_pass_the_password_validators(self) -> None:
        cases = [
            (signup_data(password2=PASSWORD + "x"), "The two password fields didn"),
            (signup_data(password1="short", password2="short"), "This password is too short."),
            (signup_data(password1="password1234", password2="password1234"), "This password is too common."),
            (signup_data(password1="203948572619384", password2="203948572619384"), "entirely numeric"),
            (signup_data(password1="amina@example.net", password2="amina@example.net"), "too similar"),
        ]
        for data, message in cases:
            response = self.client.post(URL, data)
            self.assertContains(response, message, status_code=400)
        assert not User.objects.filter(username="amina").exists()

    def test_a_username_taken_in_any_case_is_refused(self) -> None:
        response = self.client.post(URL, signup_data(username="KOFI"))
        self.assertContains(response, "A user with that username already exists.", status_code=400)
        assert User.objects.filter(username__iexact="kofi").count() == 1

    def test_an_email_address_is_required_and_must_be_valid(self) -> None:
        self.assertContains(
            self.client.post(URL, signup_data(email="")), "This field is required.", status_code=400
        )
        self.assertContains(
            self.client.post(URL, signup_data(email="not-an-address")),
            "Enter a valid email address.",
            status_code=400,
        )
        assert not User.objects.filter(username="amina").exists()

    def test_html_in_the_username_is_refused(self) -> None:
        self.assertContains(
            self.client.post(URL, signup_data(username="<b>x</b>")), "Enter a valid username", status_code=400
        )

    def test_the_page_asks_for_a_new_password_the_browser_can_fill_in(self) -> None:
        page = self.client.get(URL)
        self.assertContains(page, 'autocomplete="new-password"', count=2)
        self.assertContains(page, 'autocomplete="username"')
        self.assertContains(page, 'autocomplete="email"')
        assert "max-age=0" in page["Cache-Control"]

    def test_the_login_page_links_to_the_sign_up_page(self) -> None:
        self.assertContains(self.client.get("/en/account/login/"), 'href="/en/account/signup/"')

    def test_a_signed_in_user_goes_straight_to_the_family_filter(self) -> None:
        response = self.client_for(self.world.pablo).get(URL)
        self.assertRedirects(response, "/en/filter/")
