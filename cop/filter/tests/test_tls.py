"""DNS over TLS and DNS over HTTPS with TLS, served by the resolver itself, asked with real clients.

A test CA and a wildcard certificate for *.dns.example.test are made for each run; kdig, dig, httpx
(HTTP/2 and HTTP/1.1) and a hand-driven HTTP/2 client trust that CA and name the device by the TLS
server name (<token>.dns.example.test) or by the path (/dns-query/<token>).
"""

from __future__ import annotations

import base64
import os
import shutil
import socket
import ssl
import struct
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import dns.message
import dns.rdatatype
import h2.config
import h2.connection
import h2.events
import h2.settings
import httpx
import pytest
from cryptography import x509

from cop.filter.tests.certificates import Authority, issue, make_authority
from cop.filter.tests.running import Running, addresses, dig, start, write_snapshot
from cop.filter.tests.upstream import Upstream, free_port

DOMAIN = "dns.example.test"
KID = "kidtoken000000000001"  # games blocked
TEEN = "teentoken00000000002"  # games allowed
GAMES = "play.games.example"  # 192.0.2.60 upstream
BLOCKED, ALLOWED = ["0.0.0.0"], ["192.0.2.60"]


@dataclass
class Served:
    running: Running
    dot_port: int
    doh_port: int
    ca: Path
    authority: Authority
    cert: Path
    key: Path


def _wait_for_tls(port: int, ca: Path) -> None:
    context = ssl.create_default_context(cafile=str(ca))
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as raw:
                with context.wrap_socket(raw, server_hostname=DOMAIN):
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing answers TLS on port {port}")


def _serve(directory: Path, workers: int) -> Served:
    write_snapshot(
        directory,
        1,
        {"illegal": ["illegal.example"], "games": ["games.example"]},
        profiles=[{"id": 7, "categories": ["games"]}, {"id": 8, "categories": ["adult"]}],
        devices=[{"token": KID, "profile": 7, "networks": []}, {"token": TEEN, "profile": 8, "networks": []}],
        default={},
    )
    authority = make_authority(directory)
    cert, key = directory / "server.pem", directory / "server.key"
    issue(authority, DOMAIN, cert, key)
    dot_port, doh_port = free_port(), free_port()
    environment = {
        "COP_FILTER_DOMAIN": DOMAIN,
        "COP_FILTER_DOT_LISTEN": f"127.0.0.1:{dot_port}",
        "COP_FILTER_DOH_TLS_LISTEN": f"127.0.0.1:{doh_port}",
        "COP_FILTER_TLS_CERT": str(cert),
        "COP_FILTER_TLS_KEY": str(key),
    }
    running = start(directory, Upstream().start(), workers=workers, env=environment)
    for port in (dot_port, doh_port):
        _wait_for_tls(port, authority.path)
    return Served(running, dot_port, doh_port, authority.path, authority, cert, key)


def _stop(served: Served) -> None:
    served.running.stop()
    served.running.upstream.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    result = _serve(tmp_path_factory.mktemp("tls"), workers=2)
    yield result
    _stop(result)


def _kdig(port: int, *arguments: str) -> list[str]:
    command = shutil.which("kdig")
    assert command, "kdig is missing: scripts/system-deps installs knot-dnsutils"
    result = subprocess.run(
        [command, "@127.0.0.1", "-p", str(port), "+short", "+time=3", "+retry=1", *arguments],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert result.returncode == 0, result.stderr + result.stdout
    return sorted(line for line in result.stdout.splitlines() if line and not line.startswith(";"))


def _dig_short(port: int, *arguments: str) -> list[str]:
    return sorted(line for line in dig(port, "+short", *arguments).splitlines() if line)


def _host(token: str) -> str:
    return f"{token}.{DOMAIN}"


# -- DNS over TLS ---------------------------------------------------------------------------------


def test_kdig_over_tls_with_a_childs_host_name_sees_that_childs_rules(served: Served) -> None:
    trust = f"+tls-ca={served.ca}"
    assert _kdig(served.dot_port, trust, f"+tls-hostname={_host(KID)}", GAMES) == BLOCKED
    assert _kdig(served.dot_port, trust, f"+tls-hostname={_host(TEEN)}", GAMES) == ALLOWED
    assert _kdig(served.dot_port, trust, f"+tls-hostname={_host(TEEN)}", "bad.illegal.example") == BLOCKED


def test_dig_over_tls_sees_the_childs_rules_with_the_token_in_the_router_option(served: Served) -> None:
    # BIND 9.18's dig checks the certificate against +tls-hostname but sends no server name (SNI),
    # so the filter cannot tell the device from it: the default profile answers. The token in the
    # EDNS0 option a router adds (65074, the CPE-ID) names the device over TLS as over plain DNS.
    trust = ["+tls", f"+tls-ca={served.ca}", f"+tls-hostname={_host(KID)}"]
    assert _dig_short(served.dot_port, *trust, GAMES) == ALLOWED
    assert _dig_short(served.dot_port, *trust, f"+ednsopt=65074:{KID.encode().hex()}", GAMES) == BLOCKED
    assert _dig_short(served.dot_port, *trust, f"+ednsopt=65074:{TEEN.encode().hex()}", GAMES) == ALLOWED


def test_a_client_without_a_server_name_or_with_an_unknown_token_gets_the_default_profile(
    served: Served,
) -> None:
    # Opportunistic TLS to an address sends no server name at all.
    assert _kdig(served.dot_port, "+tls", GAMES) == ALLOWED
    assert _kdig(served.dot_port, "+tls", "bad.illegal.example") == BLOCKED
    unknown = f"+tls-hostname={_host('unknowntoken0000000x')}"
    assert _kdig(served.dot_port, f"+tls-ca={served.ca}", unknown, GAMES) == ALLOWED
    # The filter's own name is not a device either.
    assert _kdig(served.dot_port, f"+tls-ca={served.ca}", f"+tls-hostname={DOMAIN}", GAMES) == ALLOWED


def _framed(name: str, message_id: int) -> bytes:
    query = dns.message.make_query(name, "A")
    query.id = message_id
    wire = query.to_wire()
    return struct.pack("!H", len(wire)) + wire


def _read_exactly(sock: ssl.SSLSocket, size: int) -> bytes:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        assert chunk, "the server closed the connection"
        data += chunk
    return data


def test_pipelined_queries_on_one_tls_connection_are_all_answered_for_the_named_device(
    served: Served,
) -> None:
    context = ssl.create_default_context(cafile=str(served.ca))
    with socket.create_connection(("127.0.0.1", served.dot_port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=_host(KID)) as sock:
            # RFC 7766 framing; three queries sent before reading any answer.
            sock.sendall(_framed(GAMES, 1) + _framed("news.example.org", 2) + _framed("games.example", 3))
            answers = {}
            for _ in range(3):
                length = struct.unpack("!H", _read_exactly(sock, 2))[0]
                message = dns.message.from_wire(_read_exactly(sock, length))
                answers[message.id] = addresses(message)
    assert answers == {1: BLOCKED, 2: ["192.0.2.10"], 3: BLOCKED}


# -- DNS over HTTPS with TLS ----------------------------------------------------------------------


def test_kdig_and_dig_over_https_name_the_device_by_path_or_by_server_name(served: Served) -> None:
    port, trust = served.doh_port, f"+tls-ca={served.ca}"
    by_path = [trust, f"+tls-hostname={DOMAIN}", f"+https=/dns-query/{KID}"]
    assert _kdig(port, *by_path, GAMES) == BLOCKED
    assert _kdig(port, *by_path, "+https-get", GAMES) == BLOCKED
    assert _kdig(port, trust, f"+tls-hostname={_host(KID)}", "+https", GAMES) == BLOCKED
    assert _kdig(port, trust, f"+tls-hostname={_host(TEEN)}", "+https", GAMES) == ALLOWED
    # dig sends no server name (see above): the path names the device.
    assert _dig_short(port, trust, f"+tls-hostname={DOMAIN}", f"+https=/dns-query/{KID}", GAMES) == BLOCKED
    assert (
        _dig_short(port, trust, f"+tls-hostname={DOMAIN}", f"+https-get=/dns-query/{KID}", GAMES) == BLOCKED
    )
    assert _dig_short(port, trust, f"+tls-hostname={DOMAIN}", f"+https=/dns-query/{TEEN}", GAMES) == ALLOWED


def _encoded(name: str) -> str:
    query = dns.message.make_query(name, "A")
    query.id = 0
    return base64.urlsafe_b64encode(query.to_wire()).rstrip(b"=").decode()


def _doh_get(client: httpx.Client, url: str, server_name: str, name: str = GAMES) -> httpx.Response:
    # The connection goes to 127.0.0.1; the TLS server name (and the name checked in the
    # certificate) is the device's host name, as a phone that resolved it would send.
    return client.get(url, params={"dns": _encoded(name)}, extensions={"sni_hostname": server_name})


def _trusting(ca: Path) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=str(ca))


def _doh_addresses(response: httpx.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return addresses(dns.message.from_wire(response.content))


def test_an_http2_client_names_the_device_by_server_name_or_by_path_and_the_path_wins(
    served: Served,
) -> None:
    base = f"https://127.0.0.1:{served.doh_port}/dns-query"
    with httpx.Client(http2=True, verify=_trusting(served.ca), timeout=5) as client:
        by_name = _doh_get(client, base, _host(KID))
        assert by_name.http_version == "HTTP/2"
        assert by_name.headers["content-type"] == "application/dns-message"
        assert by_name.headers["cache-control"] == "private, no-store"
        assert _doh_addresses(by_name) == BLOCKED
        # Later requests reuse this connection, whatever server name they ask for: the path
        # names the device, and wins over the connection's server name.
        by_path = _doh_get(client, f"{base}/{TEEN}", DOMAIN)
        assert by_path.http_version == "HTTP/2"
        assert _doh_addresses(by_path) == ALLOWED
        posted = client.post(
            base,
            content=dns.message.make_query(GAMES, "A").to_wire(),
            headers={"content-type": "application/dns-message"},
        )
        assert posted.http_version == "HTTP/2"
        assert _doh_addresses(posted) == BLOCKED
        assert client.get(f"https://127.0.0.1:{served.doh_port}/other").status_code == 404
    with httpx.Client(http2=True, verify=_trusting(served.ca), timeout=5) as client:
        assert _doh_addresses(_doh_get(client, base, _host(TEEN))) == ALLOWED
        # A request's own host (:authority) counts before the connection's server name, since
        # HTTP/2 clients may send requests for several names the certificate covers on one connection.
        kid_host = client.get(
            base,
            params={"dns": _encoded(GAMES)},
            headers={"host": _host(KID)},
            extensions={"sni_hostname": _host(TEEN)},
        )
        assert kid_host.http_version == "HTTP/2"
        assert _doh_addresses(kid_host) == BLOCKED
    with httpx.Client(http2=True, verify=_trusting(served.ca), timeout=5) as client:
        # No device named: the default profile, not an error.
        assert _doh_addresses(_doh_get(client, base, DOMAIN)) == ALLOWED
        assert _doh_addresses(_doh_get(client, base, DOMAIN, "bad.illegal.example")) == BLOCKED
        assert _doh_addresses(_doh_get(client, base, _host("unknowntoken0000000x"))) == ALLOWED


def test_an_http1_client_over_tls_is_served_the_same_way(served: Served) -> None:
    base = f"https://127.0.0.1:{served.doh_port}/dns-query"
    with httpx.Client(http2=False, verify=_trusting(served.ca), timeout=5) as client:
        response = _doh_get(client, base, _host(KID))
        assert response.http_version == "HTTP/1.1"
        assert _doh_addresses(response) == BLOCKED
        assert _doh_addresses(_doh_get(client, f"{base}/{TEEN}", DOMAIN)) == ALLOWED
    with httpx.Client(http2=False, verify=_trusting(served.ca), timeout=5) as client:
        by_host = client.get(
            base,
            params={"dns": _encoded(GAMES)},
            headers={"host": _host(KID)},
            extensions={"sni_hostname": _host(TEEN)},
        )
        assert by_host.http_version == "HTTP/1.1"
        assert _doh_addresses(by_host) == BLOCKED


# -- HTTP/2 by hand: several streams, flow control, limits ----------------------------------------


@dataclass
class _Stream:
    status: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    frames: list[int] = field(default_factory=list)
    ended: bool = False
    reset: bool = False


class _Client:
    """An HTTP/2 client driven by hand, to control windows and the order of frames."""

    def __init__(self, port: int, ca: Path, server_name: str, window: int = 65535) -> None:
        context = ssl.create_default_context(cafile=str(ca))
        context.set_alpn_protocols(["h2"])
        raw = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock = context.wrap_socket(raw, server_hostname=server_name)
        assert self.sock.selected_alpn_protocol() == "h2"
        self.h2 = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        self.h2.local_settings = h2.settings.Settings(
            client=True, initial_values={h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: window}
        )
        self.h2.initiate_connection()
        self.streams: dict[int, _Stream] = {}
        self.uploads: dict[int, bytes] = {}
        self.terminated = False

    def request(
        self, method: str, path: str, body: bytes = b"", extra: list[tuple[str, str]] | None = None
    ) -> int:
        stream_id = self.h2.get_next_available_stream_id()
        headers = [(":method", method), (":scheme", "https"), (":authority", DOMAIN), (":path", path)]
        if body:
            headers.append(("content-type", "application/dns-message"))
        self.h2.send_headers(stream_id, headers + (extra or []), end_stream=not body)
        self.streams[stream_id] = _Stream()
        if body:
            self.uploads[stream_id] = body
            self._upload()
        return stream_id

    def _upload(self) -> None:
        for stream_id in list(self.uploads):
            data = self.uploads.pop(stream_id)
            if self.streams[stream_id].ended or self.streams[stream_id].reset:
                continue
            size = min(
                self.h2.local_flow_control_window(stream_id), self.h2.max_outbound_frame_size, len(data)
            )
            if size:
                self.h2.send_data(stream_id, data[:size], end_stream=size == len(data))
                data = data[size:]
            if data:
                self.uploads[stream_id] = data

    def run(self) -> None:
        """Send what is queued and read until every stream has ended or the connection is gone."""
        self.sock.sendall(self.h2.data_to_send())
        while not self.terminated and not all(s.ended or s.reset for s in self.streams.values()):
            data = self.sock.recv(65536)
            if not data:
                break
            for event in self.h2.receive_data(data):
                self._event(event)
            self._upload()
            self.sock.sendall(self.h2.data_to_send())

    def _event(self, event: h2.events.Event) -> None:
        if isinstance(event, h2.events.ResponseReceived):
            headers = {name.decode(): value.decode() for name, value in event.headers}  # type: ignore[union-attr]
            self.streams[event.stream_id].status = headers.pop(":status")
            self.streams[event.stream_id].headers = headers
        elif isinstance(event, h2.events.DataReceived):
            stream = self.streams[event.stream_id]
            stream.body += event.data
            stream.frames.append(event.flow_controlled_length)
            self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            self.streams[event.stream_id].ended = True
        elif isinstance(event, h2.events.StreamReset):
            self.streams[event.stream_id].reset = True
        elif isinstance(event, h2.events.ConnectionTerminated):
            self.terminated = True

    def close(self) -> None:
        self.sock.close()


def _query(name: str, rdtype: str = "A") -> bytes:
    query = dns.message.make_query(name, rdtype)
    query.id = 0
    return query.to_wire()


def test_several_streams_on_one_http2_connection_are_answered_within_the_clients_window(
    served: Served,
) -> None:
    client = _Client(served.doh_port, served.ca, _host(KID), window=100)
    try:
        get = client.request("GET", f"/dns-query?dns={_encoded(GAMES)}")
        post = client.request("POST", "/dns-query", _query("news.example.org"))
        big = client.request("POST", f"/dns-query/{TEEN}", _query("big.example.org", "TXT"))
        missing = client.request("GET", "/elsewhere")
        client.run()  # all four were sent before any answer was read
    finally:
        client.close()
    streams = client.streams
    assert [streams[s].status for s in (get, post, big, missing)] == ["200", "200", "200", "404"]
    assert addresses(dns.message.from_wire(streams[get].body)) == BLOCKED
    assert addresses(dns.message.from_wire(streams[post].body)) == ["192.0.2.10"]
    # A 2.5 kB answer through a 100-byte window: sent in pieces, each waiting for a WINDOW_UPDATE.
    txt = dns.message.from_wire(streams[big].body)
    assert len(streams[big].body) > 2000 and txt.answer[0].rdtype == dns.rdatatype.TXT
    assert max(streams[big].frames) <= 100 and len(streams[big].frames) > 20
    assert streams[big].headers["content-length"] == str(len(streams[big].body))


def test_http2_refuses_oversized_headers_and_bodies_and_keeps_the_connection(served: Served) -> None:
    client = _Client(served.doh_port, served.ca, _host(KID))
    try:
        headers = client.request("GET", "/dns-query", extra=[("x-filler", "a" * 9000)])
        body = client.request("POST", "/dns-query", b"\x00" * 70000)
        client.run()
        assert client.streams[headers].status == "431"
        assert client.streams[body].status == "413"
        # The connection still answers.
        after = client.request("POST", "/dns-query", _query(GAMES))
        client.run()
    finally:
        client.close()
    assert client.streams[after].status == "200"
    assert addresses(dns.message.from_wire(client.streams[after].body)) == BLOCKED


# -- certificates and settings --------------------------------------------------------------------


def _served_certificate(port: int, ca: Path) -> x509.Certificate:
    context = ssl.create_default_context(cafile=str(ca))
    with socket.create_connection(("127.0.0.1", port), timeout=5) as raw:
        with context.wrap_socket(raw, server_hostname=_host(KID)) as sock:
            der = sock.getpeercert(binary_form=True)
    assert der is not None
    return x509.load_der_x509_certificate(der)


def test_a_renewed_certificate_is_used_by_new_connections_and_a_broken_one_is_refused(
    tmp_path: Path,
) -> None:
    served = _serve(tmp_path, workers=1)
    try:
        first = _served_certificate(served.dot_port, served.ca)
        renewed = issue(served.authority, DOMAIN, served.cert, served.key)
        assert renewed.serial_number != first.serial_number
        deadline = time.monotonic() + 10
        while _served_certificate(served.dot_port, served.ca).serial_number != renewed.serial_number:
            assert time.monotonic() < deadline, "the renewed certificate was not taken up"
            time.sleep(0.3)
        assert _served_certificate(served.doh_port, served.ca).serial_number == renewed.serial_number
        # A half-written renewal does not load: the last good pair stays in use.
        served.cert.write_text("-----BEGIN CERTIFICATE-----\nnot a certificate\n")
        time.sleep(1.5)
        assert _served_certificate(served.dot_port, served.ca).serial_number == renewed.serial_number
        assert _kdig(served.dot_port, f"+tls-ca={served.ca}", f"+tls-hostname={_host(KID)}", GAMES) == BLOCKED
    finally:
        _stop(served)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({}, "need COP_FILTER_TLS_CERT and COP_FILTER_TLS_KEY"),
        ({"cert": "server.pem", "key": "server.key"}, "set COP_FILTER_DOMAIN"),
        ({"cert": "ca.pem", "key": "server.key", "domain": DOMAIN}, "do not load"),
        ({"cert": "missing.pem", "key": "server.key", "domain": DOMAIN}, "do not load"),
    ],
)
def test_the_resolver_does_not_start_with_tls_listeners_it_cannot_serve(
    tmp_path: Path, settings: dict[str, str], message: str
) -> None:
    authority = make_authority(tmp_path)
    issue(authority, DOMAIN, tmp_path / "server.pem", tmp_path / "server.key")
    environment = {
        "COP_FILTER_DOT_LISTEN": f"127.0.0.1:{free_port()}",
        "COP_FILTER_DOMAIN": settings.get("domain", ""),
        "COP_FILTER_TLS_CERT": str(tmp_path / settings["cert"]) if "cert" in settings else "",
        "COP_FILTER_TLS_KEY": str(tmp_path / settings["key"]) if "key" in settings else "",
    }
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from cop.cli import main; main()",
            "run_filter",
            "--snapshot-dir",
            str(tmp_path),
        ],
        env={**os.environ, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert message in result.stderr
