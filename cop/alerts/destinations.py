"""Where webhooks may point: public https addresses; this machine only in development and tests.

Checked twice. When a member registers a URL, to tell them at once what is
wrong. And at every delivery, on the addresses the name resolves to at that
moment; the connection then goes to the address that was checked, so that a
name re-pointed at an internal address later (DNS rebinding) cannot turn the
platform against its own network.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import httpx
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cop.core.fetch import refusal

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


class Refused(Exception):
    """An address the platform will not deliver to."""


def loopback_allowed() -> bool:
    """http and https to 127.0.0.1, ::1 and localhost: for development (DEBUG) and tests only."""
    return bool(getattr(settings, "ALERTS_WEBHOOK_ALLOW_LOOPBACK", settings.DEBUG))


def _ip(host: str) -> IPAddress | None:
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    return ip


def _is_loopback_name(host: str) -> bool:
    return host == "localhost" or host.endswith(".localhost")


def check_url(url: str) -> None:
    """Raise a ValidationError that says what is wrong with `url` as a webhook address."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        raise ValidationError(_("The port number of the address is not valid."), code="port") from None
    if parts.username or parts.password:
        raise ValidationError(_("Leave any user name and password out of the address."), code="credentials")
    if not host:
        raise ValidationError(_("Enter a full web address, starting with https://."), code="host")
    ip = _ip(host)
    if _is_loopback_name(host) or (ip is not None and ip.is_loopback):
        if not loopback_allowed():
            raise ValidationError(
                _("Addresses on the platform's own server are not allowed."), code="loopback"
            )
        if parts.scheme not in ("http", "https"):
            raise ValidationError(_("The address must start with https:// or http://."), code="scheme")
        return
    if parts.scheme != "https":
        raise ValidationError(_("The address must start with https://."), code="scheme")
    if ip is not None and refusal(ip) is not None:
        raise ValidationError(_("Addresses in private or reserved networks are not allowed."), code="private")


@dataclass(frozen=True)
class Target:
    """One way to reach a webhook: a checked address, with the name kept for Host and TLS."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    extensions: dict[str, Any] = field(default_factory=dict)


def _resolve(host: str, port: int) -> list[IPAddress]:
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found: list[IPAddress] = []
    for *_ignored, sockaddr in infos:
        ip = _ip(str(sockaddr[0]))
        if ip is not None and ip not in found:
            found.append(ip)
    # IPv4 first: many servers that publish an AAAA record do not listen on it.
    return sorted(found, key=lambda a: a.version)


def targets(url: str) -> list[Target]:
    """The checked addresses to try for `url`, in order.

    Raises Refused when the URL or any address it resolves to is not allowed,
    and OSError when the name does not resolve (which may pass: retry later).
    """
    parsed = httpx.URL(url)
    host = parsed.raw_host.decode("ascii").lower()
    if parsed.scheme not in ("http", "https") or not host:
        raise Refused(f"{url!r} is not an http(s) address")
    literal = _ip(host)
    port = parsed.port or (443 if parsed.scheme == "https" else 80)
    addresses = [literal] if literal is not None else _resolve(host, port)
    for address in addresses:
        # The same judgement as every other download (cop.core.fetch): multicast and wrapped forms too.
        reason = refusal(address)
        loopback = reason == "loopback" and loopback_allowed()
        if reason is not None and not loopback:
            raise Refused(f"{host} resolves to {address}, which is not a public address")
        if parsed.scheme != "https" and not loopback:
            raise Refused(f"{url!r} is plain http, allowed only to this machine in development")
    if not addresses:
        raise OSError(f"{host} has no address")
    sni = {"sni_hostname": host} if parsed.scheme == "https" and literal is None else {}
    return [
        Target(
            url=str(parsed.copy_with(host=str(address))),
            headers={"Host": parsed.netloc.decode("ascii")},
            extensions=sni,
        )
        for address in addresses
    ]
