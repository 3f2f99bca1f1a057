"""DNS over HTTPS (RFC 8484) for devices that leave home: the token in the path names the device.

The resolver's workers answer plain HTTP/1.1 on COP_FILTER_DOH_LISTEN; a TLS-terminating proxy in
front of them publishes it as https://<host>/dns-query/<token>. `GET ?dns=<base64url>` and
`POST` with `application/dns-message` are both served, several requests per connection.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import logging
from urllib.parse import parse_qs, urlsplit

from cop.filter.resolver import Resolver

log = logging.getLogger(__name__)
MAX_HEAD = 8192
MAX_MESSAGE = 65535
IDLE = 30.0
PATH = "/dns-query"
MEDIA_TYPE = "application/dns-message"


def _response(status: str, body: bytes = b"", media_type: str = "text/plain; charset=utf-8") -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: {media_type}\r\nContent-Length: {len(body)}\r\n"
    if media_type == MEDIA_TYPE:
        # Answers depend on the device and on the time (schedules): shared caches must not keep them.
        head += "Cache-Control: private, no-store\r\n"
    return (head + "\r\n").encode("ascii") + body


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
        if token.isalnum() and len(token) <= 64:
            return token.lower()
    return None


async def serve_doh_client(
    resolver: Resolver, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    peer = writer.get_extra_info("peername")
    address = peer[0] if peer else ""
    try:
        while True:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), IDLE)
            if len(head) > MAX_HEAD:
                writer.write(_response("431 Request Header Fields Too Large"))
                break
            lines = head.decode("latin-1").split("\r\n")
            try:
                method, target, _version = lines[0].split(" ", 2)
            except ValueError:
                writer.write(_response("400 Bad Request", b"Not an HTTP request.\n"))
                break
            headers = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            declared = headers.get("content-length", "0") or "0"
            length = int(declared) if declared.isdigit() else -1
            if length < 0 or length > MAX_MESSAGE:
                writer.write(_response("413 Content Too Large"))
                break
            body = await asyncio.wait_for(reader.readexactly(length), IDLE) if length else b""
            writer.write(await _handle(resolver, method, target, headers, body, address))
            await writer.drain()
            if headers.get("connection", "").lower() == "close":
                break
    except (TimeoutError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def _handle(
    resolver: Resolver, method: str, target: str, headers: dict[str, str], body: bytes, address: str
) -> bytes:
    parts = urlsplit(target)
    token = _token(parts.path)
    if token is None:
        return _response("404 Not Found", b"DNS queries go to /dns-query/<device token>.\n")
    if method == "GET":
        encoded = parse_qs(parts.query).get("dns", [""])[0]
        try:
            message = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        except (binascii.Error, ValueError):
            message = b""
    elif method == "POST":
        if headers.get("content-type", "").split(";")[0].strip().lower() != MEDIA_TYPE:
            return _response("415 Unsupported Media Type", b"Send application/dns-message.\n")
        message = body
    else:
        return _response("405 Method Not Allowed", b"Use GET or POST.\n")
    if len(message) < 12:
        return _response("400 Bad Request", b"No DNS message.\n")
    try:
        answer = await _answer(resolver, message, address, token)
    except TimeoutError:
        return _response("504 Gateway Timeout")
    if not answer:
        return _response("400 Bad Request", b"Not a DNS query.\n")
    return _response("200 OK", answer, MEDIA_TYPE)
