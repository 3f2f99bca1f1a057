"""Typed readers for settings that come from the environment.

Every setting an operator may change is read through one of these helpers so
that a bad value fails at start-up with a message naming the variable, rather
than surfacing later as a confusing runtime error.
"""

from __future__ import annotations

import ipaddress
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

_LABEL = re.compile(r"(?!-)[a-z0-9-]{1,63}(?<!-)")
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, got {raw!r}")


def envint(name: str, default: int | None) -> int | None:
    raw = os.environ.get(name)
    if raw is None:
        return default
    if raw.strip() == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from None


def envcount(name: str, default: int, minimum: int = 0) -> int:
    """A whole number that must be set (an empty value is refused) and at least `minimum`."""
    value = envint(name, default)
    if value is None or value < minimum:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least {minimum}")
    return value


def envlist(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def envaddresses(name: str) -> list[str]:
    """A comma-separated list of IP addresses, each checked and written the usual way."""
    addresses = []
    for item in envlist(name, []):
        try:
            addresses.append(str(ipaddress.ip_address(item)))
        except ValueError:
            raise ImproperlyConfigured(f"{name} must list IP addresses, got {item!r}") from None
    return addresses


def envhostname(name: str) -> str:
    """A DNS host name (lower-cased, without a trailing dot), or "" when unset."""
    raw = os.environ.get(name, "")
    value = raw.strip().rstrip(".").lower()
    if value and (len(value) > 253 or not all(_LABEL.fullmatch(label) for label in value.split("."))):
        raise ImproperlyConfigured(f"{name} must be a host name such as dns.example.net, got {raw!r}")
    return value


def envlisten(name: str) -> list[str]:
    """A comma-separated list of `address:port` (`[::]:853` for IPv6), each checked."""
    items = envlist(name, [])
    for item in items:
        # As the resolver reads them: `[v6]:port` or `v4:port`; a bare IPv6 address has no port.
        if item.startswith("["):
            host, _, port = item[1:].partition("]:")
        else:
            host, _, port = item.partition(":") if item.count(":") == 1 else (item, "", "")
        try:
            ipaddress.ip_address(host)
            valid = port.isdigit() and 0 < int(port) < 65536
        except ValueError:
            valid = False
        if not valid:
            raise ImproperlyConfigured(
                f"{name} must list address:port items such as 0.0.0.0:853, got {item!r}"
            )
    return items


SMTP = "django.core.mail.backends.smtp.EmailBackend"
CONSOLE = "django.core.mail.backends.console.EmailBackend"
# COP_EMAIL_URL schemes, as other tools spell them: (STARTTLS, TLS from the start, default port).
_MAIL_SCHEMES = {
    "smtp": (False, False, 25),
    "smtp+tls": (True, False, 587),
    "submission": (True, False, 587),
    "smtps": (False, True, 465),
    "smtp+ssl": (False, True, 465),
}


@dataclass(frozen=True)
class MailServer:
    backend: str
    host: str = ""
    port: int = 587
    user: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False


def envmailserver() -> MailServer:
    """Outgoing mail: COP_EMAIL_URL, or COP_EMAIL_HOST and its companions; neither: the console."""
    url = os.environ.get("COP_EMAIL_URL", "").strip()
    host = envstr("COP_EMAIL_HOST", "")
    if url and host:
        raise ImproperlyConfigured("Set either COP_EMAIL_URL or COP_EMAIL_HOST, not both.")
    if url:
        return _mail_url(url)
    if not host:
        return MailServer(backend=CONSOLE)
    return MailServer(
        backend=SMTP,
        host=host,
        port=envcount("COP_EMAIL_PORT", 587, minimum=1),
        user=envstr("COP_EMAIL_USER", ""),
        password=envstr("COP_EMAIL_PASSWORD", ""),
        use_tls=envbool("COP_EMAIL_USE_TLS", True),
    )


def _mail_url(url: str) -> MailServer:
    # The URL holds a password: no message below repeats it.
    shape = "such as smtp+tls://user:password@mail.example.org:587"
    parts = urlsplit(url)
    if parts.scheme == "console":
        return MailServer(backend=CONSOLE)
    if parts.scheme not in _MAIL_SCHEMES:
        known = ", ".join(f"{scheme}://" for scheme in [*_MAIL_SCHEMES, "console"])
        raise ImproperlyConfigured(f"COP_EMAIL_URL must start with one of {known} ({shape})")
    try:
        port = parts.port
    except ValueError:
        port = -1
    if not parts.hostname or port == -1 or parts.query or parts.path not in ("", "/"):
        raise ImproperlyConfigured(f"COP_EMAIL_URL must be a mail server address {shape}")
    starttls, ssl, default_port = _MAIL_SCHEMES[parts.scheme]
    return MailServer(
        backend=SMTP,
        host=parts.hostname,
        port=port or default_port,
        user=unquote(parts.username or ""),
        password=unquote(parts.password or ""),
        use_tls=starttls,
        use_ssl=ssl,
    )


def envdatadir() -> Path:
    """COP_DATA_DIR: where the platform keeps its files (the SQLite database, the filter's snapshots)."""
    return Path(envstr("COP_DATA_DIR", str(Path(__file__).resolve().parent.parent / "var")))


def envdatabase(data_dir: Path) -> dict[str, Any]:
    """The `default` entry of DATABASES: a SQLite file unless COP_DATABASE_URL names a PostgreSQL server.

    Plain data, read without setting Django up, so that the filter's resolver (which writes its
    counters without the ORM) finds the same database as the platform.
    """
    url = envstr("COP_DATABASE_URL", "")
    if url:
        if not url.startswith(("postgres://", "postgresql://", "sqlite://")):
            raise ImproperlyConfigured(
                "COP_DATABASE_URL must start with postgres://, postgresql:// or sqlite://"
            )
        return dict(dj_database_url.parse(url, conn_max_age=60))
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(data_dir / "cop.sqlite3"),
        # WAL lets readers go on while one request writes.
        "OPTIONS": {
            "init_command": "PRAGMA journal_mode=WAL;",
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
        },
    }
