"""Outgoing e-mail: queued in the outbox with the write that calls for it, sent by `cop run_worker`.

No page sends mail itself: a slow or unreachable mail server would hold the request, and a
message queued in the caller's transaction exists only if the change that called for it commits.
A message is written when it is queued, in the language of the person acting then.

The job keeps the recipient and the text only until the message is sent; then both are cleared,
so the outbox holds no addresses of sent mail and none of the links in them (a link in a mail is a
key: to an invitation, to an account's sign-up). What stays is a keyed digest of the recipient and
the purpose, which is enough for the limit below.

One address gets at most a few messages of one purpose an hour (`queue`'s `limit`), so nobody can
use the platform's forms to fill someone else's mailbox.
"""

from __future__ import annotations

import smtplib
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from cop.core.models import normalise_email
from cop.outbox.models import Job
from cop.outbox.queue import enqueue
from cop.outbox.registry import JobFailed, Result, handler

EMAIL = "core.email"
# Messages of one purpose that one address may get in an hour.
DEFAULT_LIMIT = 3
LIMIT_WINDOW = timedelta(hours=1)


def recipient_key(address: str) -> str:
    """A digest that tells two messages to one address apart from others, and not the address itself."""
    return salted_hmac("cop.core.mail.recipient", normalise_email(address)).hexdigest()[:32]


def _recent(key: str, purpose: str) -> int:
    since = timezone.now() - LIMIT_WINDOW
    return Job.objects.filter(
        kind=EMAIL, created_at__gte=since, payload__recipient=key, payload__purpose=purpose
    ).count()


def queue(to: str, subject: str, body: str, *, purpose: str, limit: int = DEFAULT_LIMIT) -> Job | None:
    """Queue one plain-text message to `to`, in the caller's transaction.

    Returns None, queuing nothing, when the address already had `limit` messages of this
    `purpose` in the last hour; callers give the same answer either way.
    """
    key = recipient_key(to)
    if _recent(key, purpose) >= limit:
        return None
    # A subject is one line: a line break in it would start a header of its own.
    subject = " ".join(subject.split())
    payload = {"to": to.strip(), "subject": subject, "body": body, "recipient": key, "purpose": purpose}
    return enqueue(EMAIL, payload)


@handler(EMAIL)
def send(job: Job) -> Result:
    """Send one message with Django's mail backend (EMAIL_* settings); failures are retried."""
    payload = job.payload
    to = payload.get("to")
    if not to:
        if payload.get("sent"):
            return Result()  # sent already; this run is a retry after a lost lease
        raise JobFailed(_("The message has no recipient."), permanent=True)
    message = EmailMessage(
        subject=str(payload.get("subject", "")),
        body=str(payload.get("body", "")),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[str(to)],
    )
    try:
        message.send()
    except smtplib.SMTPRecipientsRefused:
        # The server will not take this address; asking again changes nothing.
        raise JobFailed(_("The mail server refused the recipient."), permanent=True) from None
    except smtplib.SMTPResponseException as exc:
        # The server's text may quote the address: the log keeps the code only.
        raise JobFailed(
            _("The mail server answered %(code)s."), status_code=exc.smtp_code, code=exc.smtp_code
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise JobFailed(_("The mail could not be sent: %(reason)s."), reason=type(exc).__name__) from None
    Job.objects.filter(pk=job.pk).update(
        payload={
            "recipient": payload.get("recipient", ""),
            "purpose": payload.get("purpose", ""),
            "sent": True,
        }
    )
    return Result()
