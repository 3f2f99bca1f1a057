"""A parent on a fresh install, in a real browser, and the device asking over DNS over TLS.

The install loads its category catalogue from a test catalogue whose lists (made-up names under
.example) are served from 127.0.0.1 and downloaded by the worker; the real resolver runs with plain
DNS and DNS over TLS listeners (a test CA and a certificate for *.dns.example.test). The parent
signs up, sees on the settings page that the lists are there, blocks games, adds a tablet and reads
its set-up instructions; `kdig` then asks the way those instructions say, and sees the child's rules.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from cop.core.models import Country
from cop.core.reference.loader import load_reference_data
from cop.core.tests.base import PASSWORD
from cop.core.tests.browser import assert_accessible, sign_up
from cop.core.tests.http_server import Route, send, serving
from cop.filter.categories import CHOOSABLE_CODES
from cop.filter.tests.certificates import issue, make_authority
from cop.filter.tests.helpers import BackgroundWorker
from cop.filter.tests.running import Running, dig, start
from cop.filter.tests.test_acceptance import _eventually
from cop.filter.tests.test_catalogue import catalogue_file, entry, generated, imports_done
from cop.filter.tests.test_tls import DOMAIN, _kdig, _wait_for_tls
from cop.filter.tests.upstream import Upstream, free_port
from cop.outbox.runner import run_due

pytestmark = pytest.mark.django_db(transaction=True)

UNCOVERED = "self-harm"  # as in the shipped catalogue: no public list covers it
GAMES = "play.games.example"  # on the served games list; the test upstream answers 192.0.2.60
SIZES = {"adult": 40, "games": 25}  # the other categories' lists hold 5 names each


def _body(category: str) -> bytes:
    body = generated(category, SIZES.get(category, 5))
    return body + f"{GAMES}\n".encode() if category == "games" else body


def _serving(body: bytes) -> Route:
    return lambda handler: send(handler, 200, body)


@dataclass
class Installed:
    resolver: Running
    dot_port: int
    doh_port: int
    ca: Path


@pytest.fixture
def installed(tmp_path: Path, settings: Any, transactional_db: None) -> Iterator[Installed]:
    """A fresh install: reference data, the catalogue's lists downloaded, the resolver with TLS running."""
    if not Country.objects.exists():  # transactional tests empty the database afterwards
        load_reference_data()
    settings.FILTER_DATA_DIR = tmp_path
    settings.FETCH_ALLOW_LOOPBACK = True
    covered = sorted(CHOOSABLE_CODES - {UNCOVERED})
    routes = {f"/{code}.txt": _serving(_body(code)) for code in covered}
    with serving(routes) as server:
        entries = [entry(code, code, server.url(f"/{code}.txt")) for code in covered]
        with catalogue_file(entries, [UNCOVERED]) as path:
            call_command("load_filter_catalogue", "--file", str(path), stdout=io.StringIO())
        run_due(50)  # as `cop run_worker` would: the downloads, then the compilation they queue
        assert imports_done() == len(covered)

    # The page shows what the resolver serves: the same domain, listeners and certificate for both.
    authority = make_authority(tmp_path)
    cert, key = tmp_path / "server.pem", tmp_path / "server.key"
    issue(authority, DOMAIN, cert, key)
    dot_port, doh_port = free_port(), free_port()
    settings.FILTER_DOMAIN = DOMAIN
    settings.FILTER_DOT_LISTEN = [f"127.0.0.1:{dot_port}"]
    settings.FILTER_DOH_TLS_LISTEN = [f"127.0.0.1:{doh_port}"]
    settings.FILTER_DOH_URL = ""
    settings.FILTER_TLS_CERT, settings.FILTER_TLS_KEY = str(cert), str(key)
    environment = {
        "COP_FILTER_DOMAIN": DOMAIN,
        "COP_FILTER_DOT_LISTEN": settings.FILTER_DOT_LISTEN[0],
        "COP_FILTER_DOH_TLS_LISTEN": settings.FILTER_DOH_TLS_LISTEN[0],
        "COP_FILTER_TLS_CERT": str(cert),
        "COP_FILTER_TLS_KEY": str(key),
    }
    upstream = Upstream().start()
    try:
        resolver = start(tmp_path / "snapshots", upstream, env=environment)
        try:
            for port in (dot_port, doh_port):
                _wait_for_tls(port, authority.path)
            # The parent's saves queue compilations; the worker runs them, as `cop run_worker` does.
            with BackgroundWorker():
                yield Installed(resolver, dot_port, doh_port, authority.path)
        finally:
            resolver.stop()
    finally:
        upstream.stop()


def test_a_parent_on_a_fresh_install_sees_the_lists_and_the_device_named_over_tls_gets_the_childs_rules(
    browser: Any, live_server: Any, installed: Installed
) -> None:
    context = browser.new_context(bypass_csp=True)
    try:
        context.set_default_timeout(15_000)
        _journey(context.new_page(), live_server.url, installed)
    finally:
        context.close()


def _described(page: Any, label: str) -> str:
    """What a category's checkbox is described by: its lists' state, as a screen reader says it."""
    box = page.get_by_role("checkbox", name=label, exact=True)
    return str(page.locator(f"#{box.get_attribute('aria-describedby')}").inner_text())


def _journey(parent: Any, base: str, installed: Installed) -> None:
    sign_up(parent, base, "amina", "amina@example.net", PASSWORD)
    parent.wait_for_url(f"{base}/en/filter/")
    parent.get_by_role("link", name="Create a family").click()
    parent.get_by_label("Name").fill("The Okafor family")
    parent.get_by_role("button", name="Create the family").click()
    parent.wait_for_url(re.compile(r".*/en/filter/families/\d+/$"))
    parent.get_by_role("link", name="Add a child's profile").click()
    parent.get_by_label("Child's name or nickname").fill("Amara")
    parent.get_by_role("combobox", name=re.compile(r"^Age")).select_option("8-12")
    parent.get_by_role("button", name="Create the profile").click()
    parent.wait_for_url(re.compile(r".*/en/filter/profiles/\d+/settings/$"))

    # The lists the install downloaded are there, counted and dated, per category.
    assert re.match(r"Names blocked: 26\. Last refreshed", _described(parent, "Games"))
    assert re.match(r"Names blocked: 40\. Last refreshed", _described(parent, "Adult content"))
    assert "help and prevention services" in _described(parent, "Self-harm and suicide")
    assert_accessible(parent)
    parent.get_by_label("Games").check()
    parent.get_by_role("button", name="Save the settings").click()
    parent.wait_for_url(re.compile(r".*/en/filter/profiles/\d+/$"))

    parent.get_by_role("link", name="Add a device").click()
    parent.get_by_label("Device name").fill("Amara's tablet")
    parent.get_by_role("button", name="Add the device").click()
    parent.wait_for_url(re.compile(r".*/en/filter/devices/\d+/$"))
    # The instructions, as the parent reads them: Android's Private DNS host name, the secure DNS
    # address, the codes to scan, and the line for a dnsmasq router.
    host = parent.get_by_role("textbox", name="Private DNS host name").input_value()
    doh = urlsplit(parent.get_by_role("textbox", name="Secure DNS address").input_value())
    parent.get_by_role("img", name="QR code of the Private DNS host name").wait_for()
    parent.get_by_role("img", name="QR code of the secure DNS address").wait_for()
    router = re.search(r"^add-cpe-id=(\S+)$", parent.locator("pre").inner_text(), re.MULTILINE)
    assert router, "the router instructions name no token"
    token = router.group(1)
    assert host == f"{token}.{DOMAIN}" and parent.get_by_text(host, exact=True).count() == 1
    assert (doh.scheme, doh.hostname, doh.port) == ("https", host, installed.doh_port)
    assert doh.path.endswith(f"/{token}")
    assert_accessible(parent)

    trust = f"+tls-ca={installed.ca}"

    def over_tls(name: str) -> list[str]:
        """The tablet with Private DNS set to the host name the page shows (kdig sends it as SNI)."""
        try:
            return _kdig(installed.dot_port, trust, f"+tls-hostname={host}", name)
        except AssertionError as failure:  # no answer in time: say so, let the caller judge
            return [f"kdig failed: {failure}"]

    _eventually(lambda: over_tls(GAMES) == ["0.0.0.0"])
    assert over_tls("site3.games.example") == ["0.0.0.0"]
    assert over_tls("news.example.org") == ["192.0.2.10"]  # on no list: from the upstream
    # The secure DNS address, path and all, as a browser or an Apple profile would use it.
    by_path = [trust, f"+tls-hostname={host}", f"+https={doh.path}"]
    assert _kdig(installed.doh_port, *by_path, GAMES) == ["0.0.0.0"]
    # BIND 9.18's `dig +tls` checks the certificate against +tls-hostname but sends no server name,
    # so it cannot name the device by it; with the token in the option the router instructions
    # give (EDNS0 65074), it sees the child's rules over TLS too.
    tls_dig = ["+tls", trust, f"+tls-hostname={host}", "+short"]
    option = f"+ednsopt=65074:{token.encode().hex()}"
    assert dig(installed.dot_port, *tls_dig, option, GAMES).split() == ["0.0.0.0"]
    # Without the device's name the same question is someone else's: not blocked.
    assert dig(installed.resolver.port, "+short", GAMES).split() == ["192.0.2.60"]
    assert dig(installed.dot_port, *tls_dig, GAMES).split() == ["192.0.2.60"]
