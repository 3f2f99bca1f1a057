"""Setting a child's device up: the addresses, the steps per platform, the Apple profile, the QR codes."""

from __future__ import annotations

import plistlib
import re
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from cop.env import envaddresses, envhostname, envlisten
from cop.filter.models import Device
from cop.filter.setup import plain_addresses, qr_code
from cop.filter.tests.helpers import FilterTestCase, make_device
from cop.filter.tests.test_api import call

DOMAIN = "dns.example.net"
SERVED = {
    "FILTER_DOMAIN": DOMAIN,
    "FILTER_DOT_LISTEN": ["0.0.0.0:853"],
    "FILTER_DOH_TLS_LISTEN": ["0.0.0.0:443"],
    "FILTER_TLS_CERT": "/etc/cop/filter.pem",
    "FILTER_TLS_KEY": "/etc/cop/filter.key",
    "FILTER_PUBLIC_ADDRESSES": ["192.0.2.53", "2001:db8::53"],
    "FILTER_DOH_URL": "",
}
NOTHING = {
    "FILTER_DOMAIN": "",
    "FILTER_DOT_LISTEN": [],
    "FILTER_DOH_TLS_LISTEN": [],
    "FILTER_TLS_CERT": "",
    "FILTER_TLS_KEY": "",
    "FILTER_PUBLIC_ADDRESSES": [],
    "FILTER_LISTEN": ["127.0.0.1:5300"],
    "FILTER_DOH_URL": "",
}


def _plist(content: bytes) -> dict[str, Any]:
    document = plistlib.loads(content)
    assert isinstance(document, dict)
    return document


@override_settings(**SERVED)
class DeviceSetupPageTestCase(FilterTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.device = make_device(self.amara)
        self.page_url = f"/en/filter/devices/{self.device.pk}/"
        self.profile_url = f"/en/filter/devices/{self.device.pk}/apple-profile/"

    def test_the_page_gives_each_platform_its_steps_and_the_real_addresses(self) -> None:
        token = self.device.token
        page = self.parent.get(self.page_url)
        for heading in (
            "Android phone or tablet (Android 9 or later)",
            "iPhone, iPad or Mac",
            "Windows 11 computer",
            "Only in a web browser: Chrome, Edge or Firefox",
            "On a home router",
        ):
            self.assertContains(page, heading)
        self.assertContains(page, f'value="{token}.{DOMAIN}"')  # Android's Private DNS host name
        self.assertContains(page, f'value="https://{token}.{DOMAIN}/dns-query/{token}"')
        self.assertContains(page, f'href="http://testserver{self.profile_url}" download')
        self.assertContains(page, "<code>192.0.2.53</code>")  # Windows' preferred DNS, the router's servers
        self.assertContains(page, f"server=192.0.2.53\nserver=2001:db8::53\nadd-cpe-id={token}")
        self.assertNotContains(page, "is not offered by this installation")

    def test_each_qr_code_is_an_image_with_a_name_and_its_text_printed_beside_it(self) -> None:
        token = self.device.token
        page = self.parent.get(self.page_url)
        html = page.content.decode()
        assert html.count('<svg role="img" aria-label="QR code') == 3
        for text, label in (
            (f"{token}.{DOMAIN}", "QR code of the Private DNS host name"),
            (f"https://{token}.{DOMAIN}/dns-query/{token}", "QR code of the secure DNS address"),
            (f"http://testserver{self.profile_url}", "QR code of the link to the Apple profile"),
        ):
            # The code on the page encodes exactly this text, which is printed beside it.
            assert str(qr_code(text, label)) in html, label
            self.assertContains(page, f"<code>{text}</code>")

    def test_a_port_other_than_443_is_part_of_the_address_and_a_configured_url_comes_first(self) -> None:
        token = self.device.token
        with override_settings(FILTER_DOH_TLS_LISTEN=["[::]:8443"]):
            page = self.parent.get(self.page_url)
            self.assertContains(page, f'value="https://{token}.{DOMAIN}:8443/dns-query/{token}"')
        with override_settings(FILTER_DOH_URL="https://doh.example.org/dns-query/"):
            page = self.parent.get(self.page_url)
            self.assertContains(page, f'value="https://doh.example.org/dns-query/{token}"')

    def test_the_apple_profile_turns_on_dns_over_https_with_the_devices_address(self) -> None:
        response = self.parent.get(self.profile_url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/x-apple-aspen-config"
        assert response["Content-Disposition"] == (
            f'attachment; filename="family-filter-device-{self.device.pk}.mobileconfig"'
        )
        assert response["Cache-Control"].startswith("max-age=0")
        profile = _plist(response.content)
        assert profile["PayloadType"] == "Configuration"
        assert profile["PayloadVersion"] == 1
        assert profile["PayloadDisplayName"] == "Family filter: Amara's tablet"
        [payload] = profile["PayloadContent"]
        assert payload["PayloadType"] == "com.apple.dnsSettings.managed"
        token = self.device.token
        assert payload["DNSSettings"] == {
            "DNSProtocol": "HTTPS",
            "ServerURL": f"https://{token}.{DOMAIN}/dns-query/{token}",
        }
        assert payload["PayloadIdentifier"].startswith(profile["PayloadIdentifier"] + ".")
        assert token not in profile["PayloadUUID"] and token not in profile["PayloadIdentifier"]

    def test_the_apple_profile_keeps_its_identifiers_and_each_device_has_its_own(self) -> None:
        first = _plist(self.parent.get(self.profile_url).content)
        again = _plist(self.as_user(self.bruno).get(self.profile_url).content)  # the other parent
        assert first == again
        sibling = make_device(self.amara, "Amara's phone")
        other = _plist(self.parent.get(f"/en/filter/devices/{sibling.pk}/apple-profile/").content)
        identifiers = ("PayloadUUID", "PayloadIdentifier")
        for key in identifiers:
            assert other[key] != first[key]
            assert other["PayloadContent"][0][key] != first["PayloadContent"][0][key]
        assert len({first["PayloadUUID"], first["PayloadContent"][0]["PayloadUUID"]}) == 2

    def test_only_the_devices_guardians_get_its_apple_profile(self) -> None:
        assert self.as_user(self.carla).get(self.profile_url).status_code == 404
        assert self.as_user(self.carla).get(self.page_url).status_code == 404
        anonymous = self.client.get(self.profile_url)
        assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]
        assert self.parent.post(self.profile_url).status_code == 405
        assert self.parent.get("/en/filter/devices/999999/apple-profile/").status_code == 404

    def test_the_api_gives_the_private_dns_host_and_the_secure_dns_address(self) -> None:
        status, body = call(self.parent, "get", f"/profiles/{self.amara.pk}")
        token = self.device.token
        assert status == 200
        [device] = body["devices"]
        assert device["private_dns_host"] == f"{token}.{DOMAIN}"
        assert device["doh_url"] == f"https://{token}.{DOMAIN}/dns-query/{token}"


@override_settings(**NOTHING)
class DeviceSetupWithoutSettingsTestCase(FilterTestCase):
    def test_each_way_names_the_settings_the_operator_must_set_instead_of_an_address(self) -> None:
        device = make_device(self.amara)
        page = self.parent.get(f"/en/filter/devices/{device.pk}/")
        html = page.content.decode()
        assert html.count("is not offered by this installation yet. Its operator must set:") == 5
        self.assertContains(
            page,
            "<code>COP_FILTER_DOMAIN</code>, <code>COP_FILTER_DOT_LISTEN</code>, "
            "<code>COP_FILTER_TLS_CERT</code>, <code>COP_FILTER_TLS_KEY</code>",
        )
        self.assertContains(page, "<code>COP_FILTER_DOH_TLS_LISTEN</code>")
        self.assertContains(page, "(or COP_FILTER_DOH_URL, with a proxy in front of the filter)")
        self.assertContains(page, "<code>COP_FILTER_PUBLIC_ADDRESSES</code>")
        for absent in (
            "dns-query",
            "<svg",
            "apple-profile",
            "server=",
            f"{device.token}.",
            "Private DNS host",
        ):
            self.assertNotContains(page, absent)
        # What needs no setting is still there: the token for a router.
        self.assertContains(page, f"add-cpe-id={device.token}")
        assert self.parent.get(f"/en/filter/devices/{device.pk}/apple-profile/").status_code == 404

    def test_only_what_is_missing_is_named(self) -> None:
        device = make_device(self.amara)
        with override_settings(FILTER_DOMAIN=DOMAIN, FILTER_TLS_CERT="/c.pem", FILTER_TLS_KEY="/c.key"):
            page = self.parent.get(f"/en/filter/devices/{device.pk}/")
        self.assertContains(page, "must set: <code>COP_FILTER_DOT_LISTEN</code></p>")
        self.assertContains(page, "must set: <code>COP_FILTER_DOH_TLS_LISTEN</code> (or COP_FILTER_DOH_URL")
        self.assertNotContains(page, "<code>COP_FILTER_DOMAIN</code>")


@pytest.mark.parametrize(
    ("listen", "expected"),
    [
        (["127.0.0.1:5300"], []),
        (["0.0.0.0:53", "[::]:53"], []),
        (
            ["192.0.2.1:53", "[2001:db8::1]:53", "198.51.100.1:5300", "127.0.0.1"],
            ["192.0.2.1", "2001:db8::1"],
        ),
        (["fe80::1"], []),
    ],
)
def test_without_public_addresses_the_reachable_listening_addresses_on_port_53_are_shown(
    settings: Any, listen: list[str], expected: list[str]
) -> None:
    settings.FILTER_PUBLIC_ADDRESSES = []
    settings.FILTER_LISTEN = listen
    assert plain_addresses() == expected


def test_public_addresses_must_be_ip_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COP_FILTER_PUBLIC_ADDRESSES", "192.0.2.53, 2001:DB8::53")
    assert envaddresses("COP_FILTER_PUBLIC_ADDRESSES") == ["192.0.2.53", "2001:db8::53"]
    monkeypatch.setenv("COP_FILTER_PUBLIC_ADDRESSES", "192.0.2.53,dns.example.net")
    with pytest.raises(
        ImproperlyConfigured, match=re.escape("must list IP addresses, got 'dns.example.net'")
    ):
        envaddresses("COP_FILTER_PUBLIC_ADDRESSES")


def test_the_domain_and_the_tls_listeners_are_checked_at_start(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COP_FILTER_DOMAIN", " DNS.Example.NET. ")
    assert envhostname("COP_FILTER_DOMAIN") == "dns.example.net"
    for bad in ("https://dns.example.net", "dns..example.net", "-dns.example.net", "dns example.net"):
        monkeypatch.setenv("COP_FILTER_DOMAIN", bad)
        with pytest.raises(ImproperlyConfigured, match="must be a host name"):
            envhostname("COP_FILTER_DOMAIN")
    monkeypatch.setenv("COP_FILTER_DOT_LISTEN", "0.0.0.0:853, [::]:853")
    assert envlisten("COP_FILTER_DOT_LISTEN") == ["0.0.0.0:853", "[::]:853"]
    for bad in ("0.0.0.0", "0.0.0.0:99999", "dns.example.net:853", ":::853", "0.0.0.0:tls"):
        monkeypatch.setenv("COP_FILTER_DOT_LISTEN", bad)
        with pytest.raises(ImproperlyConfigured, match="must list address:port items"):
            envlisten("COP_FILTER_DOT_LISTEN")


def test_a_device_token_is_unguessable_and_fits_a_host_name_label() -> None:
    # The host name <token>.<domain> relies on it: one DNS label of lower-case letters and digits.
    token = Device().token
    assert len(token) == 20 and token.isalnum() and token == token.lower() and token.isascii()
