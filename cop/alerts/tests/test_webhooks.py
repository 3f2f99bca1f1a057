"""Webhooks: registration, real signed deliveries to a server on 127.0.0.1, retries and the delivery log."""

from __future__ import annotations

import datetime
import json
import time
from typing import Any

from django.test import override_settings
from django.utils import timezone, translation
from django.utils.html import escape

from cop.alerts import publishing
from cop.alerts.models import Delivery, Subscription
from cop.alerts.secret_box import unseal
from cop.alerts.signing import sign, verify_signature
from cop.alerts.tests.helpers import BASE_URL, make_alert, make_subscription, texts
from cop.alerts.tests.receiver import receiver
from cop.core.models import AuditEvent
from cop.core.tests.base import BaseTestCase
from cop.outbox.models import Attempt, Job
from cop.outbox.runner import run_due

DELIVERY_SETTINGS = {
    "ALERTS_WEBHOOK_ALLOW_LOOPBACK": True,
    "OUTBOX_MAX_ATTEMPTS": 3,
    "OUTBOX_BACKOFF_SECONDS": 60,
    "OUTBOX_BACKOFF_MAX_SECONDS": 3600,
}


@override_settings(**DELIVERY_SETTINGS)
class DeliveryTestCase(BaseTestCase):
    def test_a_published_alert_is_posted_signed_and_the_signature_verifies(self) -> None:
        with receiver() as server:
            subscription, secret = make_subscription(self.world.ngo, server.url)
            alert = make_alert(self.world.hana, self.world.kenya_hotline, title="Fake prize messages")
            assert run_due(10) == 1
        [received] = server.requests
        assert received.path == "/hooks/cop"
        headers = received.headers
        assert headers["Content-Type"] == "application/json"
        assert headers["X-COP-Event"] == "alert.published"
        assert verify_signature(secret, received.body, headers["X-COP-Timestamp"], headers["X-COP-Signature"])
        assert not verify_signature(
            "whsec_wrong", received.body, headers["X-COP-Timestamp"], headers["X-COP-Signature"]
        )
        body = json.loads(received.body)
        assert body["event"] == "alert.published" and body["id"] == headers["X-COP-Delivery"]
        assert body["alert"]["id"] == alert.pk and body["alert"]["countries"] == ["KE"]
        assert body["alert"]["texts"]["en"]["title"] == "Fake prize messages"
        assert body["alert"]["url"] == f"{BASE_URL}/en/alerts/{alert.pk}/"
        delivery = Delivery.objects.get(subscription=subscription)
        assert delivery.job.status == Job.Status.DONE
        assert list(delivery.job.log.values_list("outcome", "status_code")) == [("succeeded", 200)]

    def test_only_subscriptions_whose_filters_match_get_a_delivery(self) -> None:
        url = "http://127.0.0.1:9/unused"
        make_subscription(self.world.ngo, url, name="everything")
        make_subscription(self.world.ngo, url, countries=["KE"], name="kenya")
        make_subscription(self.world.ngo, url, countries=["FR"], name="france")
        make_subscription(self.world.ngo, url, risks=["contact-sexual"], name="grooming")
        make_subscription(self.world.ngo, url, countries=["FR"], risks=["privacy"], name="fr")
        make_alert(self.world.hana, self.world.kenya_hotline, risks=["contact-sexual"])
        assert set(Delivery.objects.values_list("subscription__name", flat=True)) == {
            "everything",
            "kenya",
            "grooming",
        }
        Delivery.objects.all().delete()
        # A worldwide alert concerns every country filter.
        make_alert(self.world.alice, self.world.secretariat, countries=[], risks=["privacy"])
        assert set(Delivery.objects.values_list("subscription__name", flat=True)) == {
            "everything",
            "kenya",
            "france",
            "fr",
        }
        assert Job.objects.filter(kind="alerts.webhook").count() == 7

    def test_a_receiver_that_fails_twice_is_retried_with_backoff_and_succeeds_the_third_time(self) -> None:
        with receiver([500, 503]) as server:
            subscription, secret = make_subscription(self.world.ngo, server.url)
            make_alert(self.world.hana, self.world.kenya_hotline)
            job = Delivery.objects.get().job
            start = timezone.now()
            assert run_due(10, now=start) == 1
            job.refresh_from_db()
            first_wait = (job.next_attempt_at - start).total_seconds()
            assert job.status == Job.Status.PENDING and 30 <= first_wait <= 61, first_wait
            assert run_due(10, now=start + datetime.timedelta(seconds=29)) == 0
            retry_at = job.next_attempt_at
            assert run_due(10, now=retry_at) == 1
            job.refresh_from_db()
            second_wait = (job.next_attempt_at - retry_at).total_seconds()
            assert job.status == Job.Status.PENDING and 60 <= second_wait <= 121, second_wait
            assert run_due(10, now=job.next_attempt_at) == 1
        job.refresh_from_db()
        assert job.status == Job.Status.DONE and job.attempts == 3
        assert len(server.requests) == 3
        # The same event, byte for byte, each time; each attempt signed afresh.
        assert len({r.body for r in server.requests}) == 1
        assert len({r.headers["X-COP-Delivery"] for r in server.requests}) == 1
        for request in server.requests:
            assert verify_signature(
                secret, request.body, request.headers["X-COP-Timestamp"], request.headers["X-COP-Signature"]
            )
        log = list(job.log.values_list("number", "outcome", "status_code"))
        assert log == [(1, "failed", 500), (2, "failed", 503), (3, "succeeded", 200)]
        assert job.log.first().error == "HTTP 500: <h1>Service unavailable</h1> try later"  # type: ignore[union-attr]
        page = self.client_for(self.world.pablo).get(subscription.get_absolute_url())
        self.assertContains(page, '<tr class="attempt">', count=3)
        # What the receiver answered is shown as text, never as markup.
        self.assertContains(page, escape("HTTP 503: <h1>Service unavailable</h1> try later"))
        self.assertContains(page, "Succeeded")
        self.assertContains(page, "Done")

    def test_a_receiver_that_always_fails_ends_failed_after_the_maximum_attempts(self) -> None:
        with receiver(then=500) as server:
            subscription, _ = make_subscription(self.world.ngo, server.url)
            make_alert(self.world.hana, self.world.kenya_hotline)
            job = Delivery.objects.get().job
            now = timezone.now()
            for _ in range(5):
                run_due(10, now=now)
                job.refresh_from_db()
                now = job.next_attempt_at + datetime.timedelta(seconds=1)
        assert len(server.requests) == 3
        assert job.status == Job.Status.FAILED and job.attempts == 3 and job.finished_at is not None
        assert list(job.log.values_list("outcome", flat=True)) == ["failed"] * 3
        page = self.client_for(self.world.pablo).get(subscription.get_absolute_url())
        self.assertContains(page, '<tr class="attempt">', count=3)
        self.assertContains(page, "status-failed")

    def test_a_redirect_is_not_followed_and_counts_as_a_failure(self) -> None:
        with receiver(then=302, location="http://127.0.0.1:9/elsewhere") as server:
            make_subscription(self.world.ngo, server.url)
            make_alert(self.world.hana, self.world.kenya_hotline)
            run_due(10)
        job = Delivery.objects.get().job
        assert len(server.requests) == 1 and job.status == Job.Status.PENDING
        attempt = job.log.get()
        assert attempt.status_code == 302 and "which is not followed" in attempt.error

    @override_settings(ALERTS_WEBHOOK_TIMEOUT_SECONDS=0.3)
    def test_a_receiver_that_does_not_answer_in_time_is_retried(self) -> None:
        with receiver(delay=1.5) as server:
            make_subscription(self.world.ngo, server.url)
            make_alert(self.world.hana, self.world.kenya_hotline)
            started = time.monotonic()
            run_due(10)
            assert time.monotonic() - started < 1.4
        attempt = Delivery.objects.get().job.log.get()
        assert attempt.outcome == Attempt.Outcome.FAILED and attempt.error.startswith(
            "No answer within 0.3 s"
        )

    @override_settings(ALERTS_WEBHOOK_TIMEOUT_SECONDS=1)
    def test_a_receiver_trickling_its_answer_is_cut_at_the_deadline_for_the_whole_delivery(self) -> None:
        # One byte every 0.1 s never trips a timeout per read; the answer would take about 5 s.
        with receiver(trickle=0.1) as server:
            make_subscription(self.world.ngo, server.url)
            make_alert(self.world.hana, self.world.kenya_hotline)
            started = time.monotonic()
            run_due(10)
            elapsed = time.monotonic() - started
        assert len(server.requests) == 1
        assert elapsed < 2, elapsed
        attempt = Delivery.objects.get().job.log.get()
        assert attempt.outcome == Attempt.Outcome.FAILED and attempt.error.startswith("No answer within 1 s")

    def test_every_spelling_of_this_machine_is_refused_at_delivery_where_it_is_not_allowed(self) -> None:
        from cop.core.tests.test_fetch import LOOPBACK_SPELLINGS

        with receiver() as server:
            port = server.url.split(":")[2].split("/")[0]
            for host in LOOPBACK_SPELLINGS:
                make_subscription(self.world.ngo, f"http://{host}:{port}/hooks/cop", name=host)
            make_alert(self.world.hana, self.world.kenya_hotline)
            with override_settings(ALERTS_WEBHOOK_ALLOW_LOOPBACK=False):
                assert run_due(100) == len(LOOPBACK_SPELLINGS)
        assert server.requests == []
        for delivery in Delivery.objects.select_related("job", "subscription"):
            job = delivery.job
            assert job.status == Job.Status.FAILED, delivery.subscription.name
            assert "this server itself" in job.last_error, (delivery.subscription.name, job.last_error)
        # The delivery log reads in its reader's language, the quoted reason too.
        attempt = Delivery.objects.first().job.log.get()  # type: ignore[union-attr]
        with translation.override("fr"):
            assert attempt.error_text.startswith("Refusé, ce n’est pas une adresse https publique : "), (
                attempt.error_text
            )
            assert "serveur lui-même" in attempt.error_text, attempt.error_text

    def test_a_receiver_that_is_down_is_retried(self) -> None:
        with receiver() as server:
            url = server.url
        # The server is gone: nothing listens on its port any more.
        make_subscription(self.world.ngo, url)
        make_alert(self.world.hana, self.world.kenya_hotline)
        run_due(10)
        job = Delivery.objects.get().job
        assert job.status == Job.Status.PENDING and job.log.get().error.startswith("Could not connect")

    def test_the_loopback_is_refused_at_delivery_where_it_is_not_allowed(self) -> None:
        with receiver() as server:
            make_subscription(self.world.ngo, server.url)
            make_alert(self.world.hana, self.world.kenya_hotline)
            with override_settings(ALERTS_WEBHOOK_ALLOW_LOOPBACK=False):
                run_due(10)
        assert server.requests == []
        job = Delivery.objects.get().job
        assert job.status == Job.Status.FAILED and "not a public https address" in job.last_error

    def test_updates_and_withdrawals_reach_the_same_subscribers(self) -> None:
        with receiver() as server:
            make_subscription(self.world.ngo, server.url, countries=["KE"])
            alert = make_alert(self.world.hana, self.world.kenya_hotline)
            publishing.save_translation(alert, "fr", texts(title="Faux gains"), BASE_URL)
            publishing.withdraw(alert, "A hoax.", BASE_URL)
            assert run_due(10) == 3
        events = [json.loads(r.body) for r in server.requests]
        assert [(e["event"], e["alert"]["revision"]) for e in events] == [
            ("alert.published", 1),
            ("alert.updated", 2),
            ("alert.withdrawn", 2),
        ]
        assert events[1]["alert"]["texts"]["fr"]["title"] == "Faux gains"
        assert events[2]["alert"]["withdrawal_reason"] == "A hoax."

    def test_the_worker_command_delivers_what_is_due(self) -> None:
        from io import StringIO

        from django.core.management import call_command

        with receiver() as server:
            make_subscription(self.world.ngo, server.url)
            make_subscription(self.world.company, server.url, name="Second")
            make_alert(self.world.hana, self.world.kenya_hotline)
            out = StringIO()
            call_command("run_worker", "--once", stdout=out)
        assert out.getvalue().strip() == "Ran 2 job(s)."
        assert len(server.requests) == 2


@override_settings(ALERTS_WEBHOOK_ALLOW_LOOPBACK=True)
class SubscriptionPagesTestCase(BaseTestCase):
    def register(self, **changes: object) -> Any:
        data: dict[str, object] = {
            "name": "Our case system",
            "url": "https://hooks.example.org/cop",
            "countries": ["KE"],
        }
        data.update(changes)
        return self.client_for(self.world.pablo).post(
            "/en/alerts/webhooks/new/", {k: v for k, v in data.items() if v is not None}
        )

    def test_a_member_registers_a_webhook_and_sees_its_secret_only_once(self) -> None:
        response = self.register()
        subscription = Subscription.objects.get()
        secret = unseal(subscription.secret_sealed)
        self.assertContains(response, secret)
        assert response["Cache-Control"].startswith("max-age=0")
        assert secret not in subscription.secret_sealed
        assert subscription.organisation == self.world.ngo and subscription.country_codes == ["KE"]
        detail = self.client_for(self.world.pablo).get(subscription.get_absolute_url())
        self.assertContains(detail, "Our case system")
        self.assertContains(detail, "Concerning Kenya (and worldwide); all risks")
        self.assertNotContains(detail, secret)
        event = AuditEvent.objects.get(model="alerts.Subscription", action="create")
        assert event.after["secret_sealed"] == "[redacted]" and event.actor_label == "pablo"

    def test_a_new_secret_replaces_the_old_one(self) -> None:
        self.register()
        subscription = Subscription.objects.get()
        old = unseal(subscription.secret_sealed)
        response = self.client_for(self.world.pablo).post(f"/en/alerts/webhooks/{subscription.pk}/secret/")
        subscription.refresh_from_db()
        new = unseal(subscription.secret_sealed)
        assert new != old
        self.assertContains(response, new)

    def test_webhook_addresses_must_be_https_and_public(self) -> None:
        refusals = {
            "http://hooks.example.org/cop": "The address must start with https://.",
            "https://10.1.2.3/cop": "Addresses in private or reserved networks are not allowed.",
            "https://[fd00::1]/cop": "Addresses in private or reserved networks are not allowed.",
            # Multicast counts as "global" for Python's ipaddress; the shared check refuses it.
            "https://224.0.0.251/cop": "Addresses in private or reserved networks are not allowed.",
            "https://[::ffff:a9fe:a9fe]/cop": "Addresses in private or reserved networks are not allowed.",
            "https://user:pw@hooks.example.org/": "Leave any user name and password out of the address.",
            "ftp://hooks.example.org/": "The address must start with https://.",
            "https://hooks.example.org:99999/": "The port number of the address is not valid.",
        }
        for url, message in refusals.items():
            self.assertContains(self.register(url=url), message, status_code=400, msg_prefix=url)
        with override_settings(ALERTS_WEBHOOK_ALLOW_LOOPBACK=False):
            for host in ("127.0.0.1", "[::127.0.0.1]", "[::ffff:127.0.0.1]", "[64:ff9b::7f00:1]"):
                self.assertContains(
                    self.register(url=f"https://{host}:8443/cop"),
                    "Addresses on the platform&#x27;s own server are not allowed.",
                    status_code=400,
                    msg_prefix=host,
                )
            # Numeric spellings are not web addresses to Django's URL check either.
            for host in ("127.1", "2130706433", "0x7f.1"):
                self.assertContains(
                    self.register(url=f"https://{host}:8443/cop"), "Enter a valid URL", status_code=400
                )
            self.assertContains(
                self.register(url="http://localhost:8000/cop"),
                "Addresses on the platform&#x27;s own server are not allowed.",
                status_code=400,
            )
        assert not Subscription.objects.exists()
        # In development and tests, this machine may be reached over plain http.
        assert self.register(url="http://127.0.0.1:8000/cop").status_code == 200
        assert Subscription.objects.count() == 1

    def test_html_in_the_name_is_refused(self) -> None:
        self.assertContains(self.register(name="<b>x</b>"), "HTML is not allowed here", status_code=400)
        assert not Subscription.objects.exists()

    def test_only_members_of_its_organisation_see_and_change_a_webhook(self) -> None:
        self.register()
        subscription = Subscription.objects.get()
        henri = self.client_for(self.world.henri)
        assert henri.get(subscription.get_absolute_url()).status_code == 404
        assert henri.post(f"/en/alerts/webhooks/{subscription.pk}/secret/").status_code == 404
        assert henri.post(f"/en/alerts/webhooks/{subscription.pk}/delete/").status_code == 404
        edit = {"name": "Hijacked", "url": "https://evil.example.org/"}
        assert henri.post(f"/en/alerts/webhooks/{subscription.pk}/edit/", edit).status_code == 404
        self.assertNotContains(henri.get("/en/alerts/webhooks/"), "Our case system")
        assert self.client.get("/en/alerts/webhooks/").status_code == 302
        subscription.refresh_from_db()
        assert subscription.name == "Our case system"

    def test_a_member_changes_the_filters_of_a_webhook(self) -> None:
        self.register()
        subscription = Subscription.objects.get()
        response = self.client_for(self.world.pablo).post(
            f"/en/alerts/webhooks/{subscription.pk}/edit/",
            {"name": "Renamed", "url": "https://hooks.example.org/v2", "risks": ["privacy", "health"]},
        )
        assert response.status_code == 302
        subscription.refresh_from_db()
        assert (subscription.name, subscription.url) == ("Renamed", "https://hooks.example.org/v2")
        assert subscription.country_codes == [] and subscription.risk_codes == ["health", "privacy"]

    def test_deleting_a_webhook_cancels_its_pending_deliveries(self) -> None:
        self.register()
        subscription = Subscription.objects.get()
        make_alert(self.world.hana, self.world.kenya_hotline)
        job = Delivery.objects.get().job
        response = self.client_for(self.world.pablo).post(f"/en/alerts/webhooks/{subscription.pk}/delete/")
        self.assertRedirects(response, "/en/alerts/webhooks/")
        assert not Subscription.objects.exists() and not Delivery.objects.exists()
        job.refresh_from_db()
        assert job.status == Job.Status.FAILED and job.last_error == "The webhook was deleted."
        assert run_due(10) == 0


class SignatureTestCase(BaseTestCase):
    def test_a_signature_verifies_only_for_its_secret_body_and_a_recent_timestamp(self) -> None:
        body = b'{"event":"alert.published"}'
        now = time.time()
        timestamp = str(int(now))
        signature = sign("whsec_abc", timestamp, body)
        assert signature.startswith("sha256=") and len(signature) == 7 + 64
        assert verify_signature("whsec_abc", body, timestamp, signature, now=now)
        assert not verify_signature("whsec_abd", body, timestamp, signature, now=now)
        assert not verify_signature("whsec_abc", body + b" ", timestamp, signature, now=now)
        assert not verify_signature("whsec_abc", body, timestamp, signature, now=now + 301)
        assert not verify_signature("whsec_abc", body, "yesterday", signature, now=now)
        assert not verify_signature("whsec_abc", body, timestamp, signature.removeprefix("sha256="), now=now)

    def test_secrets_sealed_under_a_retired_key_still_open_through_the_fallbacks(self) -> None:
        from cop.alerts.secret_box import SecretUnreadable, seal

        with override_settings(SECRET_KEY="an-old-key-" + "x" * 40):
            sealed = seal("whsec_kept")
        with override_settings(
            SECRET_KEY="a-new-key-" + "y" * 40, SECRET_KEY_FALLBACKS=["an-old-key-" + "x" * 40]
        ):
            assert unseal(sealed) == "whsec_kept"
        with override_settings(SECRET_KEY="a-new-key-" + "y" * 40, SECRET_KEY_FALLBACKS=[]):
            try:
                unseal(sealed)
            except SecretUnreadable:
                pass
            else:
                raise AssertionError("a secret opened without its key")
