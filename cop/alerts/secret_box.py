"""Webhook secrets: made, shown once, and kept encrypted.

The platform needs each secret in clear to sign deliveries, so it cannot keep
only a digest as it does for API tokens. It keeps the secret encrypted (Fernet)
under a key derived from SECRET_KEY, so a copy of the database alone does not
reveal it. Keys derived from SECRET_KEY_FALLBACKS still open old secrets after
the operator rotates SECRET_KEY.
"""

from __future__ import annotations

import base64
import secrets

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

SECRET_PREFIX = "whsec_"  # noqa: S105 - a label, not a secret
_PURPOSE = b"cop.alerts.webhook-secret"


class SecretUnreadable(Exception):
    """The secret was sealed under a key the platform no longer has."""


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def _key(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _box() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([_key(k) for k in keys])


def seal(secret: str) -> str:
    return _box().encrypt(secret.encode()).decode("ascii")


def unseal(sealed: str) -> str:
    try:
        return _box().decrypt(sealed.encode("ascii")).decode()
    except (InvalidToken, ValueError) as exc:
        raise SecretUnreadable("the webhook secret cannot be decrypted with the current SECRET_KEY") from exc
