"""DNS over HTTPS (RFC 8484) for devices that leave home: the token in the path names the device.

The resolver's workers answer plain HTTP/1.1 on COP_FILTER_DOH_LISTEN; a TLS-terminating proxy in
front of them publishes it as https://<host>/dns-query/<token>. `GET ?dns=<base64url>` and
`POST` with `application/dns-message` are both served, several requests per connection. The
workers can also speak TLS themselves (`tls.py`), with HTTP/2 (`http2.py`) or HTTP/1.1 (here):
`respond` is the request handling both share.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from cop.filter.resolver import Resolver

log = logging.getLogger(__name__)
MAX_HEAD = 8192
MAX_MESSAGE = 65535
IDLE = 30.0
PATH = "/dns-query"
MEDIA_TYPE = "application/dns-message"
REASONS = {
    200: "OK",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    413: "Content Too Large",
    415: "Unsupported Media Type",
    431: "Request Header Fields Too Large",
    504: "Gateway Timeout",
}


@dataclass(frozen=True)
class Reply:
    """An HTTP answer, independent of the HTTP version that carries it."""

    status: int
    body: bytes = b""
    media_type: str = "text/plain; charset=utf-8"

    def headers(self) -> list[tuple[str, str]]:
        headers = [("content-type", self.media_type), ("content-length", str(len(self.body)))]
        if self.media_type == MEDIA_TYPE:
            # Answers depend on the device and on the time (schedules): shared caches must not keep them.
            headers.append(("cache-control", "private, no-store"))
        return headers


def _response(reply: Reply) -> bytes:
    head = f"HTTP/1.1 {reply.status} {REASONS[reply.status]}\r\n"
    head += "".join(f"{name.title()}: {value}\r\n" for name, value in reply.headers())
    return (head + "\r\n").encode("ascii") + reply.body


async def _answer(resolver: Resolver, message: bytes, address: str, token: str) -> bytes:
    result = resolver.handle(message, address, True, token)
    if result is None:
        return b""
    if isinstance(result, bytes):
        return result
    assert resolver.loop is not None
    done: asyncio.Future[bytes] = resolver.loop.create_future()

    def reply(answer: bytes) -> None:
        if not done.done():
            done.set_result(answer)

    resolver.dispatch(result, reply, True)
    return await asyncio.wait_for(done, 10)


def _token(path: str) -> str | None:
    """The device token of /dns-query/<token>; "" for /dns-query; None for any other path."""
    if path == PATH:
        return ""
    prefix = PATH + "/"
    if path.startswith(prefix):
        token = path[len(prefix) :].strip("/")
        if token.isalnum() and token.isascii() and len(token) <= 64:
            return token.lower()
    return None


def device_token(name: str, domain: str) -> str:
    """The token of `<token>.<domain>`; "" for any other name (the filter's own name, an address)."""
    name = name.lower().rstrip(".")
    suffix = "." + domain
    if not domain or not name.endswith(suffix):
        return ""
    label = name[: -len(suffix)]
    if label.isalnum() and label.isascii() and len(label) <= 64:
        return label
    return ""


def host_token(host: str, domain: str, server_name_token: str) -> str:
    """The device a request names by its host (Host, :authority), else by the TLS server name.

    The host counts first because HTTP/2 clients may send requests for several host names over
    one connection when the certificate covers them all (RFC 9113 9.1.1).
    """
    return device_token(host.rsplit(":", 1)[0] if host.count(":") == 1 else host, domain) or server_name_token


async def serve_doh_client(
    resolver: Resolver,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    token: str = "",
    domain: str = "",
) -> None:
    """HTTP/1.1 with keep-alive. Over TLS, `token` is the device the server name named, and a
    Host header `<token>.<domain>` names one too; the path wins over both."""
    peer = writer.get_extra_info("peername")
    address = peer[0] if peer else ""
    try:
        while True:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE)
            if len(head) > MAX_HEAD:
                writer.write(_response(Reply(431)))
                break
            lines = head.decode("latin-1").split("\r\n")
            try:
                method, target, _version = lines[0].split(" ", 2)
            except ValueError:
                writer.write(_response(Reply(400, b"Not an HTTP request.\n")))
                break
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            declared = headers.get("content-length", "0") or "0"
            length = int(declared) if declared.isdigit() else -1
            if length < 0 or length > MAX_MESSAGE:
                writer.write(_response(Reply(413)))
                break
            body = await asyncio.wait_for(reader.readexactly(length), IDLE) if length else b""
            named = host_token(headers.get("host", ""), domain, token)
            reply = await respond(
                resolver, method, target, headers.get("content-type", ""), body, address, named
            )
            writer.write(_response(reply))
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                break
    except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def respond(
    resolver: Resolver,
    method: str,
    target: str,
    content_type: str,
    body: bytes,
    address: str,
    default_token: str = "",
) -> Reply:
    """Answer one request; the token in the path wins over `default_token`."""
    parts = urlsplit(target)
    token = _token(parts.path)
    if token is None:
        return Reply(404, b"DNS queries go to /dns-query/<device token>.\n")
    if method == "GET":
        encoded = parse_qs(parts.query).get("dns", [""])[0]
        try:
            message = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            message = b""
    elif method == "POST":
        if content_type.split(";")[0].strip().lower() != MEDIA_TYPE:
            return Reply(415, b"Send application/dns-message.\n")
        message = body
    else:
        return Reply(405, b"Use GET or POST.\n")
    if len(message) < 12:
        return Reply(400, b"No DNS message.\n")
    try:
        answer = await _answer(resolver, message, address, token or default_token)
    except TimeoutError:
        return Reply(504)
    if not answer:
        return Reply(400, b"Not a DNS query.\n")
    return Reply(200, answer, MEDIA_TYPE)
