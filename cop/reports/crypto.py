"""Encryption at rest of what could identify a reporter, with keys that can be rotated."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def _derived_key() -> bytes:
    # Used when no COP_REPORT_KEYS are set: stable for a given secret key, never stored.
    digest = hashlib.sha256(b"cop-report-contact-v1:" + settings.SECRET_KEY.encode()).digest()
    return base64.urlsafe_b64encode(digest)


def _fernet() -> MultiFernet:
    configured: list[str] = list(settings.REPORT_KEYS)
    keys: list[bytes] = [k.strip().encode() for k in configured if k.strip()] or [_derived_key()]
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as error:
        raise ImproperlyConfigured(
            "COP_REPORT_KEYS must hold Fernet keys (32 url-safe base64 bytes), comma-separated"
        ) from error


def encrypt(value: dict[str, Any]) -> str:
    return _fernet().encrypt(json.dumps(value, ensure_ascii=False).encode()).decode()


def decrypt(token: str) -> dict[str, Any]:
    try:
        result: dict[str, Any] = json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken as error:
        raise ImproperlyConfigured(
            "a stored report secret cannot be read with the configured keys"
        ) from error
    return result


def encrypt_text(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt_text(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """The same plaintext, encrypted with the first (newest) key."""
    return _fernet().rotate(token.encode()).decode()


def new_key() -> str:
    return Fernet.generate_key().decode()
