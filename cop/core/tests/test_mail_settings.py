"""Outgoing mail from the environment: COP_EMAIL_URL or the COP_EMAIL_* variables, else the console."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from unittest import mock

from django.core.exceptions import ImproperlyConfigured
from django.test import SimpleTestCase, override_settings

from cop.core.checks import mail_server_configured
from cop.env import CONSOLE, SMTP, MailServer, envmailserver


@contextmanager
def environment(**values: str) -> Iterator[None]:
    """Only these COP_EMAIL_* variables set, for the code that reads them."""
    others = {k: v for k, v in os.environ.items() if not k.startswith("COP_EMAIL_")}
    with mock.patch.dict(os.environ, {**others, **values}, clear=True):
        yield


class MailServerTestCase(SimpleTestCase):
    def test_without_a_server_mail_goes_to_the_console(self) -> None:
        with environment():
            self.assertEqual(envmailserver(), MailServer(backend=CONSOLE))

    def test_one_url_gives_the_server_its_login_and_tls(self) -> None:
        with environment(COP_EMAIL_URL="smtps://cop%40example.org:p%2Fss%3Aword@mail.example.org"):
            server = envmailserver()
        self.assertEqual(
            server,
            MailServer(SMTP, "mail.example.org", 465, "cop@example.org", "p/ss:word", use_ssl=True),
        )

    def test_starttls_urls_default_to_the_submission_port(self) -> None:
        for url in ["smtp+tls://mail.example.org", "submission://mail.example.org"]:
            with environment(COP_EMAIL_URL=url):
                server = envmailserver()
            self.assertEqual((server.port, server.use_tls, server.use_ssl), (587, True, False), url)
        with environment(COP_EMAIL_URL="smtp://relay.example.org:2525"):
            server = envmailserver()
        self.assertEqual((server.port, server.use_tls, server.use_ssl), (2525, False, False))

    def test_the_separate_variables_still_work(self) -> None:
        with environment(COP_EMAIL_HOST="mail.example.org", COP_EMAIL_USER="cop", COP_EMAIL_PASSWORD="pw"):
            server = envmailserver()
        self.assertEqual(server, MailServer(SMTP, "mail.example.org", 587, "cop", "pw", use_tls=True))

    def test_a_bad_url_is_refused_naming_the_variable_but_not_the_password(self) -> None:
        for url in [
            "http://cop:secret-word@mail.example.org",
            "smtp://cop:secret-word@:25",
            "smtp://cop:secret-word@mail.example.org:port",
            "smtp://cop:secret-word@mail.example.org/path",
        ]:
            with environment(COP_EMAIL_URL=url), self.assertRaises(ImproperlyConfigured) as caught:
                envmailserver()
            self.assertIn("COP_EMAIL_URL", str(caught.exception))
            self.assertNotIn("secret-word", str(caught.exception))

    def test_a_url_and_a_host_together_are_refused(self) -> None:
        with (
            environment(COP_EMAIL_URL="smtp://a.example.org", COP_EMAIL_HOST="b.example.org"),
            self.assertRaisesMessage(ImproperlyConfigured, "either COP_EMAIL_URL or COP_EMAIL_HOST"),
        ):
            envmailserver()

    def test_the_deployment_check_warns_when_production_mail_goes_to_the_console(self) -> None:
        with override_settings(DEBUG=False, EMAIL_BACKEND=CONSOLE):
            self.assertEqual([message.id for message in mail_server_configured(None)], ["cop.W001"])
        with override_settings(DEBUG=False, EMAIL_BACKEND=SMTP):
            self.assertEqual(mail_server_configured(None), [])
        with override_settings(DEBUG=True, EMAIL_BACKEND=CONSOLE):
            self.assertEqual(mail_server_configured(None), [])
