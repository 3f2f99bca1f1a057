"""The guarded download, against real HTTP servers on 127.0.0.1: addresses, redirects, time, size."""

from __future__ import annotations

import gzip
import http.server
import ipaddress
import socket
import time
import zlib
from typing import Any

import pytest
from django.test import override_settings

from cop.core import fetch
from cop.core.fetch import FetchError, Limits, Loopback, refusal
from cop.core.tests.http_server import Route, send, serving

LIMITS = Limits(max_bytes=1024 * 1024, deadline_seconds=5, max_redirects=3)
ANY_LOOPBACK = Loopback(True)


def body_of(url: str, limits: Limits = LIMITS, loopback: Loopback = ANY_LOOPBACK) -> bytes:
    with fetch.fetch(url, limits, loopback=loopback) as download:
        return b"".join(download.chunks())


def refused(url: str, limits: Limits = LIMITS, loopback: Loopback = ANY_LOOPBACK) -> FetchError:
    with pytest.raises(FetchError) as caught:
        body_of(url, limits, loopback)
    return caught.value


def redirect_to(location: str) -> Route:
    def route(handler: http.server.BaseHTTPRequestHandler) -> None:
        send(handler, 302, headers={"Location": location})

    return route


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("8.8.8.8", None),
        ("2606:4700:4700::1111", None),
        ("::ffff:8.8.8.8", None),
        ("64:ff9b::808:808", None),  # NAT64 of a public address: what an IPv6-only network resolves to
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("::ffff:127.0.0.1", "loopback"),
        ("2002:7f00:1::1", "loopback"),  # 6to4 wrapping 127.0.0.1
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("192.168.1.1", "private"),
        ("100.64.0.1", "private"),  # carrier-grade NAT
        ("169.254.169.254", "private"),  # cloud metadata services
        ("fe80::1", "private"),
        ("fc00::1", "private"),
        ("224.0.0.1", "private"),  # multicast, which is_global alone lets through
        ("ff02::1", "private"),
        ("240.0.0.1", "private"),
        ("255.255.255.255", "private"),
        ("0.0.0.0", "private"),  # noqa: S104 - an address under test, nothing binds to it
        ("::", "private"),
        ("::ffff:10.0.0.1", "private"),
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("::a00:1", "private"),  # IPv4-compatible form of 10.0.0.1
        ("2001:db8::1", "private"),  # documentation
        ("192.0.2.1", "private"),
    ],
)
def test_only_public_addresses_pass_and_wrapped_forms_are_judged_by_what_they_reach(
    address: str, reason: str | None
) -> None:
    assert refusal(ipaddress.ip_address(address)) == reason


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("ftp://lists.example/list.txt", "scheme"),
        ("file:///etc/passwd", "scheme"),
        ("https://user:secret@lists.example/list.txt", "credentials"),
        ("https://lists.example:99999/list.txt", "address"),
        ("https:///list.txt", "address"),
        ("http://10.0.0.1/list.txt", "private"),
        ("http://[::ffff:169.254.169.254]/latest/meta-data/", "private"),
    ],
)
def test_addresses_that_cannot_be_fetched_are_refused_before_connecting(url: str, code: str) -> None:
    assert refused(url).code == code


def test_a_public_list_is_read_whole_with_its_declared_length() -> None:
    body = b"one.example\ntwo.example\n" * 1000
    with serving({"/list.txt": lambda h: send(h, 200, body, {"Content-Type": "text/plain"})}) as server:
        with fetch.fetch(server.url("/list.txt"), LIMITS, loopback=ANY_LOOPBACK) as download:
            assert download.declared_length == len(body)
            assert download.content_type == "text/plain"
            assert b"".join(download.chunks()) == body
            assert download.wire_bytes == download.body_bytes == len(body)


def test_this_machine_is_refused_unless_the_setting_allows_it() -> None:
    with serving({"/list.txt": lambda h: send(h, 200, b"one.example\n")}) as server:
        with override_settings(FETCH_ALLOW_LOOPBACK=False):
            with pytest.raises(FetchError) as caught:
                with fetch.fetch(server.url("/list.txt"), LIMITS):
                    pass
            assert caught.value.code == "loopback"
            assert "only in development" in caught.value.message
            assert server.requests == []  # refused before any connection
        with override_settings(FETCH_ALLOW_LOOPBACK=True):
            with fetch.fetch(server.url("/list.txt"), LIMITS) as download:
                assert b"".join(download.chunks()) == b"one.example\n"


def test_localhost_by_name_is_this_machine_too() -> None:
    with serving({"/list.txt": lambda h: send(h, 200, b"one.example\n")}) as server:
        error = refused(f"http://localhost:{server.port}/list.txt", loopback=Loopback(False))
        assert error.code == "loopback"
        assert server.requests == []


def test_every_redirect_is_checked_like_the_first_address() -> None:
    with serving({}) as other:
        routes = {
            "/to-this-machine": redirect_to(other.url("/list.txt")),
            "/to-private": redirect_to("http://10.0.0.1/list.txt"),
            "/to-metadata": redirect_to("http://169.254.169.254/latest/meta-data/"),
            "/to-ftp": redirect_to("ftp://lists.example/list.txt"),
        }
        with serving(routes) as origin:
            # This machine is allowed on the first server's port only, so the hop to the other is refused.
            only_origin = Loopback(True, frozenset({origin.port}))
            assert refused(origin.url("/to-this-machine"), loopback=only_origin).code == "loopback"
            assert other.requests == []
            assert refused(origin.url("/to-private")).code == "private"
            assert refused(origin.url("/to-metadata")).code == "private"
            assert refused(origin.url("/to-ftp")).code == "scheme"


def test_redirects_are_followed_to_a_limit_and_loops_are_named() -> None:
    routes = {
        "/start": redirect_to("/middle"),
        "/middle": redirect_to("/list.txt"),
        "/list.txt": lambda h: send(h, 200, b"one.example\n"),
        "/loop-a": redirect_to("/loop-b"),
        "/loop-b": redirect_to("/loop-a"),
        "/empty": lambda h: send(h, 302),
        **{f"/chain/{n}": redirect_to(f"/chain/{n + 1}") for n in range(10)},
    }
    with serving(routes) as server:
        with fetch.fetch(server.url("/start"), LIMITS, loopback=ANY_LOOPBACK) as download:
            assert download.url == server.url("/list.txt")
            assert b"".join(download.chunks()) == b"one.example\n"
        loop = refused(server.url("/loop-a"))
        assert loop.code == "redirect-loop"
        assert server.url("/loop-a") in loop.message
        chain = refused(server.url("/chain/0"))
        assert chain.code == "too-many-redirects"
        assert [path for path, _headers in server.requests if path.startswith("/chain/")] == [
            f"/chain/{n}" for n in range(LIMITS.max_redirects + 1)
        ]
        assert refused(server.url("/empty")).code == "redirect-without-location"


def test_an_error_status_is_a_failure_that_says_the_status() -> None:
    with serving({"/broken": lambda h: send(h, 500, b"<html>oops</html>")}) as server:
        error = refused(server.url("/broken"))
        assert error.code == "status"
        assert "500" in error.message
        assert refused(server.url("/gone")).code == "status"


def trickle(handler: http.server.BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.end_headers()
    for _n in range(100):
        handler.wfile.write(b"x")
        handler.wfile.flush()
        time.sleep(0.1)


def stall(handler: http.server.BaseHTTPRequestHandler) -> None:
    handler.send_response(200)
    handler.send_header("Content-Length", "100")
    handler.end_headers()
    handler.wfile.write(b"first.example\n")
    handler.wfile.flush()
    time.sleep(5)


def test_a_server_trickling_bytes_is_cut_at_the_deadline_for_the_whole_download() -> None:
    with serving({"/slow": trickle, "/stall": stall}) as server:
        quick = Limits(max_bytes=1024, deadline_seconds=1)
        for path in ("/slow", "/stall"):
            started = time.monotonic()
            error = refused(server.url(path), quick)
            elapsed = time.monotonic() - started
            assert error.code == "timeout", path
            assert "1 seconds" in error.message
            assert 0.9 < elapsed < 2, (path, elapsed)


def test_a_body_over_the_limit_stops_as_soon_as_the_limit_is_passed() -> None:
    big = b"a.example\n" * 50_000  # 500 kB, sent without a length

    def endless(handler: http.server.BaseHTTPRequestHandler) -> None:
        send(handler, 200, big, length=False)

    small = Limits(max_bytes=100_000, deadline_seconds=5)
    with serving({"/big": endless}) as server:
        with fetch.fetch(server.url("/big"), small, loopback=ANY_LOOPBACK) as download:
            with pytest.raises(FetchError) as caught:
                for _chunk in download.chunks():
                    pass
            assert caught.value.code == "too-large"
            assert download.wire_bytes <= small.max_bytes + fetch.READ_SIZE


def test_a_declared_length_over_the_limit_is_refused_before_reading() -> None:
    def declared(handler: http.server.BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(10 * 1024 * 1024))
        handler.end_headers()
        handler.wfile.write(b"a.example\n")

    with serving({"/huge": declared}) as server:
        error = refused(server.url("/huge"))
        assert error.code == "too-large"
        assert "1.0" in error.message  # the limit, 1 MB, in words


def test_compressed_answers_are_decompressed_and_counted_after_decompression() -> None:
    text = b"one.example\ntwo.example\n" * 2000
    # 50 MB of zeros fit in about 50 kB of gzip: the limit must apply to what comes out.
    bomb = gzip.compress(b"\0" * (50 * 1024 * 1024), compresslevel=9)
    zipped = gzip.compress(text)
    deflated = zlib.compress(text)
    raw_deflate = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    raw = raw_deflate.compress(text) + raw_deflate.flush()
    routes = {
        "/gzip": lambda h: send(h, 200, zipped, {"Content-Encoding": "gzip"}),
        "/deflate": lambda h: send(h, 200, deflated, {"Content-Encoding": "deflate"}),
        "/raw-deflate": lambda h: send(h, 200, raw, {"Content-Encoding": "deflate"}),
        "/bomb": lambda h: send(h, 200, bomb, {"Content-Encoding": "gzip"}),
        "/brotli": lambda h: send(h, 200, b"\x0b\x02\x80", {"Content-Encoding": "br"}),
        "/cut": lambda h: send(h, 200, zipped[: len(zipped) // 2], {"Content-Encoding": "gzip"}),
    }
    with serving(routes) as server:
        for path in ("/gzip", "/deflate", "/raw-deflate"):
            assert body_of(server.url(path)) == text, path
        assert server.requests[0][1]["accept-encoding"] == "gzip, deflate"
        with fetch.fetch(server.url("/bomb"), LIMITS, loopback=ANY_LOOPBACK) as download:
            assert download.declared_length == len(bomb) < LIMITS.max_bytes
            with pytest.raises(FetchError) as caught:
                for _chunk in download.chunks():
                    pass
            assert caught.value.code == "too-large"
            assert download.body_bytes <= LIMITS.max_bytes + 1
        assert refused(server.url("/brotli")).code == "encoding"
        assert refused(server.url("/cut")).code == "incomplete"


def test_the_connection_goes_to_the_address_that_was_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A name answered once with 127.0.0.1 then re-pointed (DNS rebinding) is never looked up again."""
    answers = [ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("10.0.0.1")]
    lookups: list[str] = []

    def lookup(host: str, port: int) -> list[tuple[object, ...]]:
        lookups.append(host)
        address = answers[min(len(lookups), len(answers)) - 1]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (str(address), port))]

    monkeypatch.setattr(fetch, "lookup", lookup)
    with serving({"/list.txt": lambda h: send(h, 200, b"one.example\n")}) as server:
        # lists.test exists in no DNS: an answer proves the connection used the checked address.
        assert body_of(f"http://lists.test:{server.port}/list.txt") == b"one.example\n"
        assert lookups == ["lists.test"]
        assert server.requests[0][1]["host"] == f"lists.test:{server.port}"
        # Pointed at a private address at the next look-up, the same name is refused.
        error = refused(f"http://lists.test:{server.port}/list.txt")
        assert error.code == "private"
        assert len(server.requests) == 1


def test_a_name_that_does_not_resolve_is_a_resolve_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    def lookup(host: str, port: int) -> list[tuple[object, ...]]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(fetch, "lookup", lookup)
    error = refused("http://no-such-host.test/list.txt")
    assert error.code == "resolve"
    assert "no-such-host.test" in error.message


# Every spelling of this machine the URL parser or the system's resolver accepts.
LOOPBACK_SPELLINGS = [
    "127.0.0.2",
    "127.0.0.1.",
    "127.1",  # short form
    "2130706433",  # one decimal number
    "0x7f000001",  # one hexadecimal number
    "0177.0.0.1",  # octal
    "0x7f.0.0.1",
    "[::1]",
    "[0:0:0:0:0:0:0:1]",
    "[::ffff:127.0.0.1]",  # IPv4-mapped
    "[::ffff:7f00:1]",
    "[::127.0.0.1]",  # IPv4-compatible
    "[64:ff9b::7f00:1]",  # NAT64
    "[2002:7f00:1::]",  # 6to4
    "[2001:0:4136:e378:8000:63bf:80ff:fffe]",  # Teredo, client 127.0.0.1
    "localhost",
    "LOCALHOST",
    "api.localhost",
]
# Those the system routes to a listener on 127.0.0.1, so that their refusal is not mere unreachability.
REACHING_127_0_0_1 = ["127.0.0.1", "127.1", "2130706433", "0x7f000001", "0177.0.0.1", "[::ffff:127.0.0.1]"]


def test_every_spelling_of_this_machine_is_refused_before_connecting_unless_allowed() -> None:
    with serving({"/hook": lambda h: send(h, 204)}) as server:
        for host in LOOPBACK_SPELLINGS:
            url = f"http://{host}:{server.port}/hook"
            error = refused(url, loopback=Loopback(False))
            assert error.code == "loopback", (host, error.code, error.message)
            with pytest.raises(FetchError) as caught:
                with fetch.fetch(url, LIMITS, method="POST", content=b"{}", loopback=Loopback(False)):
                    pass
            assert caught.value.code == "loopback", host
        assert server.requests == []
        for host in REACHING_127_0_0_1:
            with fetch.fetch(
                f"http://{host}:{server.port}/hook",
                LIMITS,
                method="POST",
                content=b"{}",
                loopback=ANY_LOOPBACK,
            ) as answer:
                assert answer.status == 204, host
        assert len(server.requests) == len(REACHING_127_0_0_1)


def test_a_post_carries_its_body_and_a_redirect_is_answered_not_followed_when_asked() -> None:
    routes = {
        "/hook": lambda h: send(h, 202, b'{"ok": true}'),
        "/moved": redirect_to("/hook"),
        "/refuse": lambda h: send(h, 503, b"try later"),
    }
    with serving(routes) as server:
        body = b'{"event": "alert.published"}'
        headers = {"Content-Type": "application/json", "X-COP-Event": "alert.published"}
        options: dict[str, Any] = {
            "method": "POST",
            "content": body,
            "headers": headers,
            "loopback": ANY_LOOPBACK,
            "follow_redirects": False,
            "require_success": False,
        }
        with fetch.fetch(server.url("/hook"), LIMITS, **options) as answer:
            assert answer.status == 202 and b"".join(answer.chunks()) == b'{"ok": true}'
        with fetch.fetch(server.url("/moved"), LIMITS, **options) as answer:
            assert answer.status == 302 and answer.headers["location"] == "/hook"
        with fetch.fetch(server.url("/refuse"), LIMITS, **options) as answer:
            assert answer.status == 503 and b"".join(answer.chunks()) == b"try later"
        assert server.bodies == [body, body, body]
        assert [path for path, _headers in server.requests] == ["/hook", "/moved", "/refuse"]
        sent = server.requests[0][1]
        assert sent["content-type"] == "application/json" and sent["x-cop-event"] == "alert.published"
        assert sent["content-length"] == str(len(body))


def test_https_only_refuses_plain_http_except_to_this_machine_where_allowed() -> None:
    with pytest.raises(FetchError) as caught:
        with fetch.fetch("http://8.8.8.8/hook", LIMITS, method="POST", content=b"{}", https_only=True):
            pass
    assert caught.value.code == "scheme"
    with serving({"/hook": lambda h: send(h, 204)}) as server:
        with fetch.fetch(server.url("/hook"), LIMITS, https_only=True, loopback=ANY_LOOPBACK) as answer:
            assert answer.status == 204


def test_a_post_whose_answer_trickles_is_cut_at_the_deadline() -> None:
    with serving({"/hook": trickle}) as server:
        started = time.monotonic()
        with pytest.raises(FetchError) as caught:
            with fetch.fetch(
                server.url("/hook"),
                Limits(max_bytes=1024, deadline_seconds=0.5),
                method="POST",
                content=b"{}",
                loopback=ANY_LOOPBACK,
            ) as answer:
                b"".join(answer.chunks())
        assert caught.value.code == "timeout"
        assert time.monotonic() - started < 1.5
