from __future__ import annotations

from django.contrib.auth.hashers import identify_hasher
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
