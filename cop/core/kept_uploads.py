"""Files chosen in a form that failed for another reason, kept so that they need not be chosen again.

A browser never sends a file twice: when a form comes back with an error in another field, the
file the person chose is gone from the page. The form keeps it here instead, under a random name
in KEPT_UPLOADS_DIR (outside the media folder, so nothing can serve it), and puts a signed token
in a hidden field. The token names the file, its original name and size and the user who chose
it; it is valid for one day and for that user only, so a token copied elsewhere opens nothing.
A user has one kept file at a time (keeping another removes the first), so failed forms cannot
fill the disk; kept files older than a day are removed whenever another is kept.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.files.uploadedfile import UploadedFile

SALT = "cop.core.kept_uploads"
MAX_AGE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Kept:
    token: str
    name: str
    size: int


def _directory() -> Path:
    directory = Path(settings.KEPT_UPLOADS_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _sweep(directory: Path) -> None:
    cutoff = time.time() - MAX_AGE_SECONDS
    for path in directory.iterdir():
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass  # removed by another request at the same moment


def keep(upload: UploadedFile[bytes], owner: int) -> Kept:
    """Store `upload` for `owner`, in place of any file kept for them before; returns the token."""
    directory = _directory()
    _sweep(directory)
    for earlier in directory.glob(f"{owner}-*"):
        earlier.unlink(missing_ok=True)
    key = f"{owner}-{secrets.token_hex(16)}"
    size = 0
    with open(directory / key, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
            size += len(chunk)
    upload.seek(0)
    name = upload.name or "file"
    token = signing.dumps({"key": key, "name": name, "size": size, "owner": owner}, salt=SALT)
    return Kept(token, name, size)


def _payload(token: str, owner: int) -> dict[str, Any] | None:
    try:
        payload: dict[str, Any] = signing.loads(token, salt=SALT, max_age=MAX_AGE_SECONDS)
    except signing.BadSignature:  # also an expired token
        return None
    key = str(payload.get("key", ""))
    prefix, _dash, random = key.partition("-")
    # The signature vouches for the key; its form is checked anyway, as it names a file.
    if payload.get("owner") != owner or prefix != str(owner) or len(random) != 32 or not random.isalnum():
        return None
    return payload


def describe(token: str, owner: int) -> Kept | None:
    """What `token` keeps for `owner`, or None when it is invalid, expired, another's or gone."""
    payload = _payload(token, owner)
    if payload is None or not (_directory() / payload["key"]).is_file():
        return None
    return Kept(token, str(payload["name"]), int(payload["size"]))


def restore(token: str, owner: int) -> UploadedFile[bytes] | None:
    """The kept file as an upload (the caller closes it), or None as for `describe`."""
    payload = _payload(token, owner)
    if payload is None:
        return None
    try:
        handle = open(_directory() / payload["key"], "rb")  # noqa: SIM115 - returned open, closed by the caller
    except FileNotFoundError:
        return None
    return UploadedFile(handle, name=str(payload["name"]), size=int(payload["size"]))


def discard(token: str, owner: int) -> None:
    """Remove the file `token` keeps, once it is saved where it belongs."""
    payload = _payload(token, owner)
    if payload is not None:
        (_directory() / payload["key"]).unlink(missing_ok=True)
