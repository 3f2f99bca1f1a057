"""Webhook deliveries: queued with the change that calls for them, sent later by the outbox worker.

A receiver gets a JSON POST:

    {"id": "<event id>", "event": "alert.published" | "alert.updated" | "alert.withdrawn",
     "created_at": "<ISO 8601>", "alert": {... the same shape as GET /api/v1/alerts/<id> ...}}

with the headers X-COP-Event, X-COP-Delivery (the event id, the same on every
retry) and the signature headers described in cop.alerts.signing. Any 2xx
answer completes the delivery; anything else, including a redirect (never
followed), is retried with backoff by the outbox.
"""

from __future__ import annotations

import json
import time
import uuid

import httpx
from django.conf import settings
from django.utils import timezone

from cop.alerts import destinations
from cop.alerts.models import Alert, Delivery, Subscription
from cop.alerts.secret_box import SecretUnreadable, unseal
from cop.alerts.serialize import alert_dict, with_related
from cop.alerts.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, sign
from cop.outbox.models import Job
from cop.outbox.queue import enqueue
from cop.outbox.registry import JobFailed, Result, handler

KIND = "alerts.webhook"
USER_AGENT = "COP-Platform-Webhooks/1"
# Enough of a refusal's body to say why, in the delivery log.
EXCERPT_BYTES = 300


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


def _excerpt(response: httpx.Response) -> str:
    data = b""
    for chunk in response.iter_bytes():
        data += chunk
        if len(data) >= EXCERPT_BYTES:
            break
    return " ".join(data[:EXCERPT_BYTES].decode("utf-8", "replace").split())


@handler(KIND)
def deliver(job: Job) -> Result:
    """POST one delivery, signed; a 2xx answer is success, anything else a failure to retry."""
    delivery = Delivery.objects.select_related("subscription").filter(job=job).first()
    if delivery is None:
        raise JobFailed("The webhook was deleted before this delivery.", permanent=True)
    subscription = delivery.subscription
    try:
        secret = unseal(subscription.secret_sealed)
    except SecretUnreadable as exc:
        raise JobFailed(f"{exc}: create a new secret for this webhook.", permanent=True) from exc
    try:
        options = destinations.targets(subscription.url)
    except destinations.Refused as exc:
        raise JobFailed(f"Refused: {exc}.", permanent=True) from exc
    except OSError as exc:
        raise JobFailed(f"The address could not be resolved: {exc}") from exc
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
    # Straight to the checked address: no proxy from the environment, no redirects.
    with httpx.Client(timeout=httpx.Timeout(limit), follow_redirects=False, trust_env=False) as client:
        for number, target in enumerate(options, start=1):
            try:
                with client.stream(
                    "POST",
                    target.url,
                    content=body,
                    headers={**headers, **target.headers},
                    extensions=target.extensions,
                ) as response:
                    excerpt = "" if response.is_success else _excerpt(response)
                break
            except httpx.ConnectError as exc:
                if number == len(options):
                    raise JobFailed(f"Could not connect: {exc}") from exc
            except httpx.TimeoutException as exc:
                raise JobFailed(f"No answer within {limit:g} s ({type(exc).__name__}).") from exc
            except httpx.HTTPError as exc:
                raise JobFailed(f"{type(exc).__name__}: {exc}") from exc
    if response.is_success:
        return Result(status_code=response.status_code)
    detail = f"HTTP {response.status_code}"
    if response.is_redirect:
        detail += f": a redirect to {response.headers.get('location', '?')}, which is not followed"
    elif excerpt:
        detail += f": {excerpt}"
    raise JobFailed(detail, status_code=response.status_code)
