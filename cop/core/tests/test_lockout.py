"""Sign-in lock-out: by account and address together, a cool-off that grows, a clear message."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.models import AccessAttempt, AccessAttemptExpiration
from django.conf import settings
from django.core.management import call_command
from django.db.models import F
from django.test import override_settings
from django.urls import reverse

from cop.core.models import LoginLockout
from cop.core.tests.base import PASSWORD, BaseTestCase

# Every failed sign-in costs a password hash; Argon2 at full strength would make these tests slow
# without testing anything more (test_login checks that real passwords are hashed with Argon2).
FAST_HASHER = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
HERE = "192.0.2.10"
ELSEWHERE = "198.51.100.20"


def travel(minutes: float) -> None:
    """Move every stored sign-in time back, as if `minutes` had passed."""
    delta = timedelta(minutes=minutes)
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - delta)
    AccessAttemptExpiration.objects.update(expires_at=F("expires_at") - delta)
    LoginLockout.objects.update(locked_until=F("locked_until") - delta)


@FAST_HASHER
class LockoutTestCase(BaseTestCase):
    def login(self, username: str, password: str, address: str = HERE, **headers: Any) -> Any:
        credentials = {"username": username, "password": password}
        response = self.client.post(reverse("core:login"), credentials, REMOTE_ADDR=address, **headers)
        return response

    def lock(self, username: str = "kofi", address: str = HERE, **headers: Any) -> Any:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            self.assertEqual(self.login(username, "wrong", address, **headers).status_code, 200)
        response = self.login(username, "wrong", address, **headers)
        self.assertEqual(response.status_code, 429)
        return response

    def signs_in(self, username: str, address: str = HERE, **headers: Any) -> bool:
        response = self.login(username, PASSWORD, address, **headers)
        self.client.logout()
        return bool(response.status_code == 302)

    def retry_after(self, response: Any) -> int:
        return int(response["Retry-After"])

    def test_five_failures_lock_the_account_from_that_address_even_with_the_right_password(self) -> None:
        self.lock()
        self.assertFalse(self.signs_in("kofi"))

    def test_another_user_behind_the_same_address_still_signs_in(self) -> None:
        self.lock("kofi")
        self.assertTrue(self.signs_in("claire"))

    def test_the_same_user_from_another_address_still_signs_in(self) -> None:
        self.lock("kofi")
        self.assertTrue(self.signs_in("kofi", ELSEWHERE))

    @override_settings(AXES_FAILURE_LIMIT=3)
    def test_the_number_of_failures_is_configurable(self) -> None:
        for _ in range(2):
            self.login("claire", "wrong")
        self.assertEqual(self.login("claire", "wrong").status_code, 429)

    def test_failures_from_different_addresses_do_not_add_up(self) -> None:
        for address in [HERE, ELSEWHERE]:
            for _ in range(settings.AXES_FAILURE_LIMIT - 1):
                self.login("kofi", "wrong", address)
        self.assertTrue(self.signs_in("kofi"))

    def test_failures_with_many_names_from_one_address_lock_none_of_the_others(self) -> None:
        for name in ["kofi", "hana", "henri"]:
            self.lock(name)
        self.assertTrue(self.signs_in("claire"))

    def test_the_lock_lifts_by_itself_after_the_five_minute_cool_off(self) -> None:
        self.lock()
        travel(4.9)
        self.assertFalse(self.signs_in("kofi"))
        travel(0.2)
        self.assertTrue(self.signs_in("kofi"))

    def test_tries_during_a_lock_do_not_extend_it(self) -> None:
        self.lock()
        travel(3)
        self.assertEqual(self.login("kofi", "wrong").status_code, 429)
        self.assertFalse(self.signs_in("kofi"))
        travel(2.1)
        self.assertTrue(self.signs_in("kofi"))

    @override_settings(AXES_FAILURE_LIMIT=2, LOGIN_COOLOFF_MAX=timedelta(minutes=15))
    def test_each_further_lock_out_doubles_the_cool_off_up_to_the_longest(self) -> None:
        waits = []
        for _ in range(4):
            waits.append(self.retry_after(self.lock()))
            travel(waits[-1] / 60)
        self.assertEqual([round(wait / 60) for wait in waits], [5, 10, 15, 15])
        self.assertTrue(self.signs_in("kofi"))

    @override_settings(AXES_FAILURE_LIMIT=2)
    def test_the_longer_lock_of_a_repeat_is_applied_in_full(self) -> None:
        self.lock()
        travel(5)
        self.lock()  # the second: ten minutes
        travel(6)
        # Anyone's failed sign-in clears expired failures: the second lock's must not be among them.
        self.login("claire", "wrong", ELSEWHERE)
        self.assertFalse(self.signs_in("kofi"))
        travel(4.1)
        self.assertTrue(self.signs_in("kofi"))

    @override_settings(AXES_FAILURE_LIMIT=2)
    def test_a_successful_sign_in_starts_the_count_afresh(self) -> None:
        self.lock()
        travel(5)
        self.assertTrue(self.signs_in("kofi"))
        self.assertEqual(round(self.retry_after(self.lock()) / 60), 5)

    @override_settings(AXES_FAILURE_LIMIT=2)
    def test_a_lock_out_a_day_after_the_last_one_counts_as_the_first_again(self) -> None:
        self.lock()
        travel(5 + 24 * 60 + 1)
        self.assertEqual(round(self.retry_after(self.lock()) / 60), 5)

    def test_the_locked_out_page_says_when_to_try_again_and_that_a_reset_unlocks(self) -> None:
        response = self.lock()
        self.assertContains(response, "You can try again in 5\xa0minutes", status_code=429)
        self.assertContains(response, "Resetting your password unlocks the account at once", status_code=429)
        self.assertContains(response, f'href="{reverse("core:password-reset")}"', status_code=429)
        self.assertAlmostEqual(self.retry_after(response), 300, delta=5)

    def test_a_client_asking_for_json_gets_the_api_error_shape_with_the_wait(self) -> None:
        response = self.lock(HTTP_ACCEPT="application/json")
        body = response.json()
        self.assertEqual(body["code"], "too_many_requests")
        self.assertIn("try again in 5\xa0minutes", body["message"])
        self.assertIn("Resetting your password", body["message"])
        self.assertAlmostEqual(body["retry_after"], 300, delta=5)
        self.assertEqual(response["Retry-After"], str(body["retry_after"]))

    def test_an_operator_can_lift_the_lock_at_once(self) -> None:
        self.lock()
        call_command("axes_reset_username", "kofi", verbosity=0)
        self.assertTrue(self.signs_in("kofi"))

    @override_settings(BEHIND_TLS_PROXY=True)
    def test_behind_the_tls_proxy_each_client_address_counts_on_its_own(self) -> None:
        proxy = "10.0.0.2"
        self.lock("kofi", proxy, HTTP_X_FORWARDED_FOR=ELSEWHERE)
        self.assertTrue(self.signs_in("kofi", proxy, HTTP_X_FORWARDED_FOR=HERE))
        # A client's own X-Forwarded-For comes first; the proxy appends the address it really saw.
        self.assertFalse(self.signs_in("kofi", proxy, HTTP_X_FORWARDED_FOR=f"{HERE}, {ELSEWHERE}"))

    def test_without_the_tls_proxy_a_forwarded_address_is_not_believed(self) -> None:
        self.lock("kofi", HERE, HTTP_X_FORWARDED_FOR=ELSEWHERE)
        self.assertFalse(self.signs_in("kofi", HERE, HTTP_X_FORWARDED_FOR="203.0.113.7"))

    def test_the_addresses_of_one_ipv6_network_count_as_one(self) -> None:
        for host in range(1, settings.AXES_FAILURE_LIMIT + 1):
            self.login("kofi", "wrong", f"2001:db8:1:2::{host}")
        self.assertFalse(self.signs_in("kofi", "2001:db8:1:2::99"))
        self.assertTrue(self.signs_in("kofi", "2001:db8:1:3::1"))
