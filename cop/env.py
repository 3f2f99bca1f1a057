"""Typed readers for settings that come from the environment.

Every setting an operator may change is read through one of these helpers so
that a bad value fails at start-up with a message naming the variable, rather
than surfacing later as a confusing runtime error.
"""

from __future__ import annotations

import ipaddress
import os
import re
from pathlib import Path
from typing import Any

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
