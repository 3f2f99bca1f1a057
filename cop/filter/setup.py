"""What a parent needs to set a device up: its addresses, an Apple profile and QR codes.

Every address comes from the settings the resolver runs with. When a way of setting a device up
lacks a setting, the page names the settings the operator must set instead of showing an address
that would not work.
"""

from __future__ import annotations

import ipaddress
import plistlib
import uuid
from dataclasses import dataclass, field

import segno
from django.conf import settings
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from cop.filter.models import Device
from cop.filter.supervisor import parse_address

# The EDNS0 option a home router adds to identify the client (dnsmasq's --add-cpe-id sends it).
CPE_ID_OPTION = 65074
APPLE_PROFILE_TYPE = "application/x-apple-aspen-config"
# Fixed, so that a device's profile keeps its identifiers from one download to the next and a
# newer download replaces the installed one instead of adding a second.
UUID_NAMESPACE = uuid.UUID("0b6c1f52-4d0e-4a8e-9a61-7f3c2d5e8b10")
ADDRESSES_SETTING = "COP_FILTER_PUBLIC_ADDRESSES"


def _missing(names: dict[str, object]) -> list[str]:
    return [name for name, value in names.items() if not value]


def _tls_missing() -> dict[str, object]:
    return {"COP_FILTER_TLS_CERT": settings.FILTER_TLS_CERT, "COP_FILTER_TLS_KEY": settings.FILTER_TLS_KEY}


def private_dns_missing() -> list[str]:
    """Settings DNS over TLS (Android's Private DNS) still needs; empty when it is offered."""
    return _missing(
        {
            "COP_FILTER_DOMAIN": settings.FILTER_DOMAIN,
            "COP_FILTER_DOT_LISTEN": settings.FILTER_DOT_LISTEN,
            **_tls_missing(),
        }
    )


def private_dns_host(token: str) -> str:
    """The host name a device gives as its Private DNS (DNS over TLS, port 853); "" when not offered."""
    return f"{token}.{settings.FILTER_DOMAIN}" if not private_dns_missing() else ""


def doh_missing() -> list[str]:
    """Settings DNS over HTTPS still needs; empty when it is offered (by the resolver or a proxy)."""
    if settings.FILTER_DOH_URL:
        return []
    return _missing(
        {
            "COP_FILTER_DOMAIN": settings.FILTER_DOMAIN,
            "COP_FILTER_DOH_TLS_LISTEN": settings.FILTER_DOH_TLS_LISTEN,
            **_tls_missing(),
        }
    )


def doh_url(token: str) -> str:
    """Where the device sends DNS over HTTPS, the token as the last part of the path; "" when not offered.

    COP_FILTER_DOH_URL (a proxy in front of the plain-HTTP listener) comes first; otherwise the
    resolver's own TLS listener, named by the device's host name as well as by the path.
    """
    base = settings.FILTER_DOH_URL.rstrip("/")
    if base:
        return f"{base}/{token}"
    if doh_missing():
        return ""
    _host, port = parse_address(settings.FILTER_DOH_TLS_LISTEN[0], 443)
    authority = f"{token}.{settings.FILTER_DOMAIN}" + (f":{port}" if port != 443 else "")
    return f"https://{authority}/dns-query/{token}"


def plain_addresses() -> list[str]:
    """The resolver's addresses for plain DNS, for routers and for Windows.

    COP_FILTER_PUBLIC_ADDRESSES when set; otherwise the listening addresses on port 53 that a
    device elsewhere could reach (not loopback, not the wildcard).
    """
    if settings.FILTER_PUBLIC_ADDRESSES:
        return list(settings.FILTER_PUBLIC_ADDRESSES)
    found = []
    for text in settings.FILTER_LISTEN:
        try:
            host, port = parse_address(text)
            address = ipaddress.ip_address(host)
        except ValueError:
            continue
        if port == 53 and not (address.is_loopback or address.is_unspecified or address.is_link_local):
            found.append(str(address))
    return found


def _stable_uuid(device: Device, part: str) -> str:
    # From the token, which is random: unique across installations, and it reveals nothing of it.
    return str(uuid.uuid5(UUID_NAMESPACE, f"{part}:{device.token}")).upper()


def apple_profile(device: Device, url: str) -> bytes:
    """A configuration profile (.mobileconfig) that turns on DNS over HTTPS with the device's URL."""
    identifier = f"cop-platform.filter.{_stable_uuid(device, 'profile').lower()}"
    name = _("Family filter: %(device)s") % {"device": device.name}
    dns = {
        "PayloadType": "com.apple.dnsSettings.managed",
        "PayloadVersion": 1,
        "PayloadIdentifier": f"{identifier}.dns",
        "PayloadUUID": _stable_uuid(device, "dns"),
        "PayloadDisplayName": name,
        "DNSSettings": {"DNSProtocol": "HTTPS", "ServerURL": url},
    }
    profile = {
        "PayloadType": "Configuration",
        "PayloadVersion": 1,
        "PayloadIdentifier": identifier,
        "PayloadUUID": _stable_uuid(device, "profile"),
        "PayloadDisplayName": name,
        "PayloadDescription": _(
            "Sends the DNS queries of this device to the family filter, encrypted (DNS over HTTPS), "
            "so that the child's rules apply on every network."
        ),
        "PayloadOrganization": settings.SITE_NAME,
        "PayloadRemovalDisallowed": False,
        "PayloadContent": [dns],
    }
    return plistlib.dumps(profile, fmt=plistlib.FMT_XML)


def qr_code(text: str, label: str) -> SafeString:
    """An inline SVG QR code of `text`, named `label` for screen readers (print the text beside it)."""
    code = segno.make(text, error="m")
    # Dark on white whatever the page's colours, with the quiet zone scanners need.
    svg = code.svg_inline(scale=4, border=4, dark="#000", light="#fff", svgclass="qr-code")
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    return mark_safe(svg)  # segno wrote it; the label is escaped


@dataclass
class DeviceSetup:
    """Everything the set-up section of the device page shows."""

    token: str
    private_dns_host: str = ""
    private_dns_missing: list[str] = field(default_factory=list)
    doh_url: str = ""
    doh_missing: list[str] = field(default_factory=list)
    apple_profile_url: str = ""
    addresses: list[str] = field(default_factory=list)
    addresses_missing: list[str] = field(default_factory=list)
    ipv4: list[str] = field(default_factory=list)  # Windows asks for an IPv4 address with the template
    windows_missing: list[str] = field(default_factory=list)
    cpe_id_option: int = CPE_ID_OPTION
    host_qr: SafeString | None = None
    doh_qr: SafeString | None = None
    apple_qr: SafeString | None = None


def device_setup(device: Device, apple_profile_url: str) -> DeviceSetup:
    token = device.token
    setup = DeviceSetup(
        token=token,
        private_dns_host=private_dns_host(token),
        private_dns_missing=private_dns_missing(),
        doh_url=doh_url(token),
        doh_missing=doh_missing(),
        addresses=plain_addresses(),
    )
    setup.addresses_missing = [] if setup.addresses else [ADDRESSES_SETTING]
    setup.ipv4 = [address for address in setup.addresses if ipaddress.ip_address(address).version == 4]
    setup.windows_missing = setup.doh_missing + ([] if setup.ipv4 else [ADDRESSES_SETTING])
    if setup.private_dns_host:
        setup.host_qr = qr_code(setup.private_dns_host, _("QR code of the Private DNS host name"))
    if setup.doh_url:
        setup.doh_qr = qr_code(setup.doh_url, _("QR code of the secure DNS address"))
        setup.apple_profile_url = apple_profile_url
        setup.apple_qr = qr_code(apple_profile_url, _("QR code of the link to the Apple profile"))
    return setup
