"""Where webhooks may point: public https addresses; this machine only in development and tests.

Checked twice. When a member registers a URL, to tell them at once what is
wrong (here). And at every delivery, by cop.core.fetch, on the addresses the
name resolves to at that moment; the connection then goes to the address that
was checked, so that a name re-pointed at an internal address later (DNS
rebinding) cannot turn the platform against its own network.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cop.core.fetch import literal, refusal


def loopback_allowed() -> bool:
    """http and https to 127.0.0.1, ::1 and localhost: for development (DEBUG) and tests only."""
    return bool(getattr(settings, "ALERTS_WEBHOOK_ALLOW_LOOPBACK", settings.DEBUG))


def _is_loopback_name(host: str) -> bool:
    return host == "localhost" or host.endswith(".localhost")


def check_url(url: str) -> None:
    """Raise a ValidationError that says what is wrong with `url` as a webhook address."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    try:
        parts.port  # noqa: B018 - parsing the port is the check
    except ValueError:
        raise ValidationError(_("The port number of the address is not valid."), code="port") from None
    if parts.username or parts.password:
        raise ValidationError(_("Leave any user name and password out of the address."), code="credentials")
    if not host:
        raise ValidationError(_("Enter a full web address, starting with https://."), code="host")
    # Any spelling of an address (::ffff:127.0.0.1, 64:ff9b::7f00:1, 2130706433) is judged by what it reaches.
    ip = literal(host)
    reason = "loopback" if _is_loopback_name(host) else (refusal(ip) if ip is not None else None)
    if reason == "loopback":
        if not loopback_allowed():
            raise ValidationError(
                _("Addresses on the platform's own server are not allowed."), code="loopback"
            )
        if parts.scheme not in ("http", "https"):
            raise ValidationError(_("The address must start with https:// or http://."), code="scheme")
        return
    if parts.scheme != "https":
        raise ValidationError(_("The address must start with https://."), code="scheme")
    if reason is not None:
        raise ValidationError(_("Addresses in private or reserved networks are not allowed."), code="private")
