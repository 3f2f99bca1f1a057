"""DNS over HTTPS (RFC 8484) as a phone away from home uses it: the device token in the path."""

from __future__ import annotations

import base64
from collections.abc import Iterator

import dns.message
import dns.rcode
import httpx
import pytest

from cop.filter.tests.running import Running, addresses, start, write_snapshot
from cop.filter.tests.upstream import Upstream, free_port

TOKEN = "phonetoken0000000001"


@pytest.fixture(scope="module")
def doh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Running, str]]:
    directory = tmp_path_factory.mktemp("doh")
    write_snapshot(
        directory,
        1,
        {"illegal": ["illegal.example"], "games": ["games.example"]},
        profiles=[{"id": 3, "categories": ["games"], "safe_search": True}],
        devices=[{"token": TOKEN, "profile": 3, "networks": []}],
        default={},
    )
    upstream = Upstream().start()
    port = free_port()
    running = start(directory, upstream, doh_port=port)
    yield running, f"http://127.0.0.1:{port}"
    running.stop()
    upstream.stop()


def _wire(name: str, rdtype: str = "A") -> bytes:
    query = dns.message.make_query(name, rdtype)
    query.id = 0  # RFC 8484 asks for ID 0 so that GET answers can be cached by URL
    return query.to_wire()


def _get(client: httpx.Client, url: str, message: bytes) -> httpx.Response:
    encoded = base64.urlsafe_b64encode(message).rstrip(b"=").decode()
    return client.get(url, params={"dns": encoded})


def test_the_device_token_in_the_path_applies_the_childs_profile(doh: tuple[Running, str]) -> None:
    _running, base = doh
    with httpx.Client(timeout=5) as client:
        # Two requests on one kept-alive connection: GET, then POST.
        response = _get(client, f"{base}/dns-query/{TOKEN}", _wire("play.games.example"))
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/dns-message"
        assert addresses(dns.message.from_wire(response.content)) == ["0.0.0.0"]
        posted = client.post(
            f"{base}/dns-query/{TOKEN}",
            content=_wire("www.google.com"),
            headers={"content-type": "application/dns-message"},
        )
        answer = dns.message.from_wire(posted.content)
        assert str(answer.answer[0][0].target) == "forcesafesearch.google.com."
        # Without a token, the same phone is a client no device binds.
        plain = dns.message.from_wire(_get(client, f"{base}/dns-query", _wire("play.games.example")).content)
        assert addresses(plain) == ["192.0.2.60"]
        illegal = dns.message.from_wire(_get(client, f"{base}/dns-query", _wire("illegal.example")).content)
        assert addresses(illegal) == ["0.0.0.0"]


def test_it_answers_bad_requests_with_clear_http_errors(doh: tuple[Running, str]) -> None:
    _running, base = doh
    with httpx.Client(timeout=5) as client:
        assert client.get(f"{base}/other").status_code == 404
        assert client.get(f"{base}/dns-query/{TOKEN}", params={"dns": "!!!"}).status_code == 400
        assert client.get(f"{base}/dns-query/{TOKEN}").status_code == 400
        wrong_type = client.post(f"{base}/dns-query/{TOKEN}", content=_wire("a.example"))
        assert wrong_type.status_code == 415
        assert client.put(f"{base}/dns-query/{TOKEN}", content=b"x").status_code == 405
        garbage = client.post(
            f"{base}/dns-query/{TOKEN}",
            content=b"\x00" * 5,
            headers={"content-type": "application/dns-message"},
        )
        assert garbage.status_code == 400
        # A message that is not a query gets a DNS error, not a crash.
        formerr = client.post(
            f"{base}/dns-query/{TOKEN}",
            content=b"\x00\x00\x01\x00\x00\x02" + b"\x00" * 6,
            headers={"content-type": "application/dns-message"},
        )
        assert dns.message.from_wire(formerr.content).rcode() == dns.rcode.FORMERR
        assert _get(client, f"{base}/dns-query/{TOKEN}", _wire("news.example.org")).status_code == 200
