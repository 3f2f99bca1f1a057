from __future__ import annotations

from django.contrib.auth.hashers import identify_hasher
from django.test import override_settings
from django.urls import reverse

from cop.core.tests.base import PASSWORD, BaseTestCase


class LoginTestCase(BaseTestCase):
    def login(self, username: str, password: str, address: str = "127.0.0.1"):  # type: ignore[no-untyped-def]
        return self.client.post(
            reverse("core:login"), {"username": username, "password": password}, REMOTE_ADDR=address
        )

    def test_it_signs_in_with_the_right_password(self) -> None:
        response = self.login("kofi", PASSWORD)
        self.assertRedirects(response, reverse("core:account"))

    def test_passwords_are_hashed_with_argon2(self) -> None:
        self.assertEqual(identify_hasher(self.world.kofi.password).algorithm, "argon2")

    def test_a_wrong_password_is_refused_with_a_clear_message(self) -> None:
        response = self.login("kofi", "wrong")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "do not match")

    def test_it_locks_an_account_after_five_failures(self) -> None:
        for _ in range(5):
            self.login("kofi", "wrong")
        response = self.login("kofi", PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertContains(response, "locked", status_code=429)

    def test_a_locked_account_stays_locked(self) -> None:
        for attempt in range(5):
            # From different addresses: the lock is on the account itself.
            self.login("kofi", "wrong", address=f"192.0.2.{attempt + 1}")
        for address in ["198.51.100.7", "203.0.113.9"]:
            self.assertEqual(self.login("kofi", PASSWORD, address=address).status_code, 429)
        self.assertEqual(self.client.get(reverse("core:account")).status_code, 302)

    def test_the_lock_is_per_account(self) -> None:
        for attempt in range(5):
            self.login("kofi", "wrong", address=f"192.0.2.{attempt + 1}")
        self.assertEqual(self.login("claire", PASSWORD, address="198.51.100.8").status_code, 302)

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_the_limit_is_configurable(self) -> None:
        for _ in range(3):
            self.login("claire", "wrong", address="192.0.2.50")
        self.assertEqual(self.login("claire", PASSWORD, address="192.0.2.51").status_code, 429)

    def test_an_operator_can_unlock_an_account(self) -> None:
        from django.core.management import call_command

        for _ in range(5):
            self.login("kofi", "wrong", address="192.0.2.60")
        call_command("axes_reset_username", "kofi", verbosity=0)
        self.assertEqual(self.login("kofi", PASSWORD, address="192.0.2.61").status_code, 302)
