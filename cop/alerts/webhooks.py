"""Webhook deliveries: queued with the change that calls for them, sent later by the outbox worker.

A receiver gets a JSON POST:

    {"id": "<event id>", "event": "alert.published" | "alert.updated" | "alert.withdrawn",
     "created_at": "<ISO 8601>", "alert": {... the same shape as GET /api/v1/alerts/<id> ...}}

with the headers X-COP-Event, X-COP-Delivery (the event id, the same on every
retry) and the signature headers described in cop.alerts.signing. Any 2xx
answer completes the delivery; anything else, including a redirect (never
followed), is retried with backoff by the outbox.

The request goes through cop.core.fetch, like every outgoing request: the
address is checked (public, https; this machine only where allowed) when the
name is resolved, the connection goes to the checked address, and the whole
delivery, connecting and answering included, has one deadline.
"""

from __future__ import annotations

import json
import time
import uuid

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cop.alerts import destinations
from cop.alerts.models import Alert, Delivery, Subscription
from cop.alerts.secret_box import SecretUnreadable, unseal
from cop.alerts.serialize import alert_dict, with_related
from cop.alerts.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from cop.core.fetch import REDIRECTS, Download, FetchError, Limits, Loopback, fetch
from cop.outbox.models import Job
from cop.outbox.queue import enqueue
from cop.outbox.registry import JobFailed, Result, handler

KIND = "alerts.webhook"
USER_AGENT = "COP-Platform-Webhooks/1"
# Enough of a refusal's body to say why, in the delivery log.
EXCERPT_BYTES = 300
# What is read of an answer at most; a receiver has nothing to say at length.
ANSWER_LIMIT_BYTES = 64 * 1024


def timeout_seconds() -> float:
    return float(getattr(settings, "ALERTS_WEBHOOK_TIMEOUT_SECONDS", 10))


def announce(alert: Alert, event: str, base_url: str) -> int:
    """Queue `event` for every subscription whose filters the alert passes; returns how many.

    Call it inside the transaction that made the change: the deliveries exist
    only if the change commits. `base_url` makes the links in the body absolute.
    """
    alert = with_related(Alert.objects.filter(pk=alert.pk)).get()
    country_ids = {c.iso2 for c in alert.countries.all()}
    risk_codes = {r.code for r in alert.risks.all()}
    data = alert_dict(alert, base_url)
    queued = 0
    # Filters are short lists of codes on each row, so they are matched here rather than in SQL.
    for subscription in Subscription.objects.order_by("pk").iterator():
        if not subscription.wants(country_ids, risk_codes):
            continue
        key = f"{KIND}:{subscription.pk}:{alert.pk}:{event}:{alert.revision}"
        job = enqueue(
            KIND, {"subscription": subscription.pk, "alert": alert.pk, "event": event}, dedupe_key=key
        )
        if Delivery.objects.filter(job=job).exists():
            continue
        event_id = uuid.uuid4()
        body = {"id": str(event_id), "event": event, "created_at": timezone.now().isoformat(), "alert": data}
        Delivery.objects.create(
            subscription=subscription,
            alert=alert,
            event=event,
            revision=alert.revision,
            event_id=event_id,
            body=json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")),
            job=job,
        )
        queued += 1
    return queued


def _excerpt(answer: Download) -> str:
    data = b""
    try:
        for chunk in answer.chunks():
            data += chunk
            if len(data) >= EXCERPT_BYTES:
                break
    except FetchError:
        pass  # the status says enough; what could be read is shown
    return " ".join(data[:EXCERPT_BYTES].decode("utf-8", "replace").split())


def _failure(problem: FetchError, limit: float) -> JobFailed:
    """The delivery log's line for a request that was refused or failed."""
    if problem.code in FetchError.REFUSED:
        # The address itself is refused: no retry can change that until the webhook is edited.
        return JobFailed(
            _("Refused, not a public https address: %(reason)s"), permanent=True, reason=problem.stored()
        )
    if problem.code == "timeout":
        return JobFailed(
            _("No answer within %(seconds)s s (the whole delivery, connecting included)."),
            seconds=f"{limit:g}",
        )
    if problem.code == "connect":
        return JobFailed(_("Could not connect: %(reason)s"), reason=problem.stored())
    return JobFailed(problem.template, **problem.params)


@handler(KIND)
def deliver(job: Job) -> Result:
    """POST one delivery, signed; a 2xx answer is success, anything else a failure to retry."""
    delivery = Delivery.objects.select_related("subscription").filter(job=job).first()
    if delivery is None:
        raise JobFailed(_("The webhook was deleted before this delivery."), permanent=True)
    subscription = delivery.subscription
    try:
        secret = unseal(subscription.secret_sealed)
    except SecretUnreadable as exc:
        raise JobFailed(
            _("The webhook's secret cannot be read any more: create a new secret for this webhook."),
            permanent=True,
        ) from exc
    body = delivery.body.encode()
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-COP-Event": delivery.event,
        "X-COP-Delivery": str(delivery.event_id),
        TIMESTAMP_HEADER: timestamp,
        SIGNATURE_HEADER: sign(secret, timestamp, body),
    }
    limit = timeout_seconds()
    try:
        with fetch(
            subscription.url,
            Limits(max_bytes=ANSWER_LIMIT_BYTES, deadline_seconds=limit),
            method="POST",
            content=body,
            headers=headers,
            loopback=Loopback(destinations.loopback_allowed()),
            follow_redirects=False,
            require_success=False,
            https_only=True,
        ) as answer:
            status = answer.status
            success = 200 <= status < 300
            excerpt = "" if success or status in REDIRECTS else _excerpt(answer)
            location = answer.headers.get("location", "?")
    except FetchError as problem:
        raise _failure(problem, limit) from None
    if success:
        return Result(status_code=status)
    if status in REDIRECTS:
        raise JobFailed(
            _("HTTP %(status)s: a redirect to %(location)s, which is not followed"),
            status_code=status,
            status=status,
            location=location,
        )
    if excerpt:
        raise JobFailed(_("HTTP %(status)s: %(excerpt)s"), status_code=status, status=status, excerpt=excerpt)
    raise JobFailed(_("HTTP %(status)s"), status_code=status, status=status)
