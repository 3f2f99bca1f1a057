"""Reading the platform's mail in tests: the outbox worker sends it to Django's test mailbox (locmem)."""

from __future__ import annotations

import re
import time

from django.core import mail, signing
from django.core.mail import EmailMessage
from django.utils import timezone

from cop.core.mail import EMAIL
from cop.outbox.models import Job
from cop.outbox.runner import run_due

LINK = re.compile(r"https?://\S+")


def deliver() -> list[EmailMessage]:
    """Run due jobs as `cop run_worker` would until no e-mail is left to send; returns the mails sent."""
    sent = len(mail.outbox)
    waiting = Job.objects.filter(kind=EMAIL, status=Job.Status.PENDING)
    while waiting.filter(next_attempt_at__lte=timezone.now()).exists():
        if not run_due(10):
            break
    return list(mail.outbox[sent:])


def only_mail_to(address: str) -> EmailMessage:
    messages = [m for m in deliver() if m.to == [address]]
    assert len(messages) == 1, [m.subject for m in messages]
    return messages[0]


def link_in(message: EmailMessage) -> str:
    """The one link in a message, as a path on the test server."""
    links = LINK.findall(str(message.body))
    assert len(links) == 1, links
    return str(links[0]).removeprefix("http://testserver")


class SignedDaysAgo(signing.TimestampSigner):
    """Signs as if it were `days` days ago: for links that have expired since."""

    def __init__(self, days: float, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.days = days

    def timestamp(self) -> str:
        return signing.b62_encode(int(time.time() - self.days * 86400))
