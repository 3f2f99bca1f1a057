"""Signatures of webhook deliveries, and how a receiver checks them.

Every delivery carries two headers:

    X-COP-Timestamp: 1767225600
    X-COP-Signature: sha256=<hex of HMAC-SHA256(secret, timestamp + "." + body)>

where `secret` is the subscription's secret as shown once (all of it, prefix
included) and `body` is the raw request body, byte for byte. A receiver checks
the signature with `verify_signature` below (it needs only the standard
library, so it may be copied as it is) and refuses timestamps that are too old,
so that a recorded delivery cannot be played back later.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-COP-Signature"
TIMESTAMP_HEADER = "X-COP-Timestamp"
SCHEME = "sha256="


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The X-COP-Signature value for `body` sent at `timestamp` (seconds since the epoch, as text)."""
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return SCHEME + mac.hexdigest()


def verify_signature(
    secret: str,
    body: bytes,
    timestamp: str,
    signature: str,
    *,
    tolerance_seconds: int = 300,
    now: float | None = None,
) -> bool:
    """Whether a delivery is authentic: signed with `secret` and sent at most `tolerance_seconds` ago.

    Pass the raw body as received (not parsed and re-serialised JSON) and the
    two header values. Compares in constant time.
    """
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    current = time.time() if now is None else now
    if abs(current - sent) > tolerance_seconds:
        return False
    if not signature.startswith(SCHEME):
        return False
    return hmac.compare_digest(sign(secret, timestamp, body), signature)
