"""E-mail goes through the outbox: queued with the write, sent by the worker, retried, then forgotten."""

from __future__ import annotations

import json
import socket
from typing import Any

from django.core import mail
from django.test import TestCase, override_settings

from cop.core.mail import queue, recipient_key
from cop.core.tests import smtp_server
from cop.outbox.models import Job
from cop.outbox.runner import run_due

SMTP: dict[str, Any] = {
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
    "EMAIL_HOST": "127.0.0.1",
    "EMAIL_USE_TLS": False,
    "EMAIL_TIMEOUT": 5,
    "DEFAULT_FROM_EMAIL": "cop@example.org",
}


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class MailJobTestCase(TestCase):
    def test_the_worker_sends_a_queued_message_over_smtp_and_then_the_outbox_forgets_it(self) -> None:
        with smtp_server.serving() as server, override_settings(**SMTP, EMAIL_PORT=server.port):
            job = queue("parent@example.net", "Hello", "Open https://cop.example/k/secret", purpose="test")
            assert job is not None and server.messages == []
            assert run_due(10) == 1
        job.refresh_from_db()
        assert job.status == "done"
        [(recipients, data)] = server.messages
        assert recipients == ["parent@example.net"]
        assert b"Subject: Hello" in data and b"From: cop@example.org" in data and b"/k/secret" in data
        # Neither the address nor the link stays in the outbox once the message is sent.
        assert job.payload == {
            "recipient": recipient_key("parent@example.net"),
            "purpose": "test",
            "sent": True,
        }
        assert "parent@example.net" not in json.dumps(job.payload)

    def test_an_unreachable_mail_server_is_tried_again_later(self) -> None:
        with override_settings(**SMTP, EMAIL_PORT=closed_port()):
            job = queue("parent@example.net", "Hello", "Body", purpose="test")
            assert job is not None
            run_due(10)
        job.refresh_from_db()
        assert (job.status, job.attempts) == ("pending", 1)
        assert job.last_error == "The mail could not be sent: ConnectionRefusedError."
        assert job.payload["to"] == "parent@example.net"

    def test_a_recipient_the_server_refuses_is_not_tried_again_and_the_log_does_not_quote_it(self) -> None:
        with smtp_server.serving(rcpt_code=550) as server, override_settings(**SMTP, EMAIL_PORT=server.port):
            job = queue("nobody@example.net", "Hello", "Body", purpose="test")
            assert job is not None
            run_due(10)
        job.refresh_from_db()
        assert (job.status, job.last_error) == ("failed", "The mail server refused the recipient.")
        assert server.messages == []

    def test_a_line_break_in_a_subject_cannot_start_a_header_of_its_own(self) -> None:
        queue("parent@example.net", "Hello\r\nBcc: other@example.net", "Body", purpose="test")
        run_due(10)
        [message] = mail.outbox
        assert message.subject == "Hello Bcc: other@example.net" and message.bcc == []

    def test_one_address_gets_three_messages_of_one_purpose_an_hour(self) -> None:
        sent = [queue("Parent@Example.net", "Hi", "Body", purpose="signup") for _ in range(3)]
        assert all(job is not None for job in sent)
        assert queue("parent@example.net", "Hi", "Body", purpose="signup") is None
        assert queue("parent@example.net", "Hi", "Body", purpose="invitation") is not None
        assert queue("other@example.net", "Hi", "Body", purpose="signup") is not None
        assert Job.objects.filter(kind="core.email").count() == 5
