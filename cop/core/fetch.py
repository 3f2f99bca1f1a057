"""The platform's one way to make a request to the Internet, guarded against being turned on itself.

Block-list downloads (GET, redirects followed) and webhook deliveries (POST, redirects answered
to the caller, never followed) both go through `fetch`. Every hop (the address given, then each
redirect, followed here rather than by the client) is checked the same way: http or https only,
no user name or password, and a host whose addresses are all public. The connection then goes to
the address that was checked, not to whatever the name resolves to a moment later, so a name
re-pointed at an internal address between the check and the connection (DNS rebinding) reaches
nothing. The name stays in the request, so the Host header, TLS server name and certificate check
are those of the real host.

A whole request, connecting and reading the answer included, has one deadline (not a timeout per
read, which a server sending a byte now and then would never trip) and one size limit, counted as
the bytes arrive, both on the wire and after decompression, so a small gzip file that inflates to
gigabytes stops at the limit. A declared Content-Length over the limit is refused before reading
anything (when the answer is read at all).

This machine (127.0.0.1, ::1, localhost) is allowed only when FETCH_ALLOW_LOOPBACK is on (webhooks:
ALERTS_WEBHOOK_ALLOW_LOOPBACK), for development and tests; private, link-local, multicast and
reserved networks never are. An address is judged by what it reaches, whatever its spelling: IPv4
inside IPv6 (mapped, IPv4-compatible, NAT64, 6to4, Teredo) and the short, decimal, octal and
hexadecimal IPv4 forms the system's resolver accepts (127.1, 2130706433, 0177.0.0.1, 0x7f.1)
alike. Proxies from the environment are not used: they would connect to names the platform has
not checked.
"""

from __future__ import annotations

import concurrent.futures
import ipaddress
import re
import socket
import threading
import time
import zlib
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cop.core.errors import StoredMessage, stored_message

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
REDIRECTS = frozenset({301, 302, 303, 307, 308})
USER_AGENT = "COP-Platform/1 (block lists)"
READ_SIZE = 64 * 1024
# Addresses that carry an IPv4 address inside an IPv6 one; the IPv4 part is checked too.
NAT64 = (ipaddress.IPv6Network("64:ff9b::/96"), ipaddress.IPv6Network("64:ff9b:1::/48"))
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")


class FetchError(Exception):
    """A download refused or failed: `code` for programs, the message (translated) for people.

    Codes: address, scheme, credentials, resolve, loopback, private, connect, timeout, too-large,
    redirect-loop, too-many-redirects, redirect-without-location, status, encoding, incomplete.
    """

    # Codes that no retry can change: the address itself is refused.
    REFUSED = frozenset({"address", "scheme", "credentials", "loopback", "private"})

    def __init__(self, code: str, message: str | Promise, **params: Any) -> None:
        self.code = code
        self.template = message
        self.params = params
        super().__init__(code)

    @property
    def message(self) -> str:
        """The message in the active language."""
        template = str(self.template)
        return template % self.params if self.params else template

    def __str__(self) -> str:
        return self.message

    def stored(self) -> StoredMessage:
        """The message to keep and show later in its reader's language (cop/core/errors.py)."""
        return stored_message(self.template, self.params)


@dataclass(frozen=True)
class Limits:
    max_bytes: int
    deadline_seconds: float
    max_redirects: int = 5


@dataclass(frozen=True)
class Loopback:
    """Whether this machine may be fetched from: never, on any port, or on the ports listed."""

    allowed: bool
    ports: frozenset[int] | None = None

    def allows(self, port: int) -> bool:
        return self.allowed and (self.ports is None or port in self.ports)


def loopback_from_settings() -> Loopback:
    return Loopback(bool(getattr(settings, "FETCH_ALLOW_LOOPBACK", settings.DEBUG)))


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, NAT64, IPv4-compatible), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if any(ip in network for network in NAT64) or (ip in IPV4_COMPATIBLE and int(ip) > 1):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def refusal(ip: IPAddress) -> str | None:
    """None for a public address, else why not: "loopback" or "private" (any non-public range)."""
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            # Judged by the IPv4 address it reaches: ::ffff:127.0.0.1 is this machine.
            return refusal(embedded)
        # 6to4 and Teredo tunnel to an IPv4 address too; both parts must be public.
        tunnelled = [ip.sixtofour] if ip.sixtofour is not None else []
        tunnelled += [ip.teredo[1]] if ip.teredo is not None else []
        for inner in tunnelled:
            if refusal(inner) is not None:
                return refusal(inner)
    if ip.is_loopback:
        return "loopback"
    # is_global alone lets multicast through (224.0.0.0/4 is not "private"), hence the rest.
    if (
        not ip.is_global
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
    ):
        return "private"
    return None


@dataclass(frozen=True)
class Target:
    url: str
    scheme: str
    host: str  # lower case, without brackets
    port: int


def parse_target(url: str) -> Target:
    """The parts of `url` that matter, or a FetchError saying what is wrong with it."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        raise FetchError("address", _("This is not a complete web address.")) from None
    if parts.scheme not in ("http", "https"):
        raise FetchError("scheme", _("Only http:// and https:// addresses can be downloaded."))
    if parts.username is not None or parts.password is not None:
        raise FetchError("credentials", _("Leave any user name and password out of the address."))
    host = (parts.hostname or "").rstrip(".")
    if not host:
        raise FetchError("address", _("This is not a complete web address."))
    return Target(url.strip(), parts.scheme, host, port or (443 if parts.scheme == "https" else 80))


# What inet_aton reads as an IPv4 address: one to four numbers, decimal, octal (0…) or hex (0x…).
_IPV4_SPELLING = re.compile(r"(?:0x[0-9a-f]*|[0-9]+)(?:\.(?:0x[0-9a-f]*|[0-9]+)){0,3}")


def literal(host: str) -> IPAddress | None:
    """The address `host` spells, in any form the system's resolver would read as one, or None."""
    host = host.strip("[]").lower()
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    # getaddrinfo takes 2130706433, 0177.0.0.1, 0x7f.1 and 127.1 for 127.0.0.1 without asking DNS;
    # read them the same way, so that they are judged (and connected to) as the address they are.
    if _IPV4_SPELLING.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


def lookup(host: str, port: int) -> list[Any]:
    """The system's answer for `host` (the one place names are resolved, so tests can stand in for DNS)."""
    return socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)


def _is_loopback_name(host: str) -> bool:
    return host == "localhost" or host.endswith(".localhost")


def _resolve(target: Target, remaining: float, seconds: float) -> list[IPAddress]:
    spelled = literal(target.host)
    if spelled is not None:
        return [spelled]
    if _is_loopback_name(target.host):
        # Names under localhost are this machine (RFC 6761), whatever a resolver would answer.
        return [ipaddress.IPv4Address("127.0.0.1"), ipaddress.IPv6Address("::1")]
    # getaddrinfo cannot be interrupted; a thread lets the deadline stand even when DNS hangs.
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)
    try:
        infos = pool.submit(lookup, target.host, target.port).result(timeout=max(remaining, 0.001))
    except concurrent.futures.TimeoutError:
        raise _timed_out(seconds) from None
    except (OSError, UnicodeError):
        raise FetchError("resolve", _("The name %(host)s could not be found."), host=target.host) from None
    finally:
        pool.shutdown(wait=False)
    found: list[IPAddress] = []
    for *_ignored, sockaddr in infos:
        ip = ipaddress.ip_address(str(sockaddr[0]).split("%", 1)[0])
        if ip not in found:
            found.append(ip)
    if not found:
        raise FetchError("resolve", _("The name %(host)s could not be found."), host=target.host)
    # IPv4 first: many servers that publish an AAAA record do not answer on it.
    return sorted(found, key=lambda a: a.version)


def check(target: Target, addresses: list[IPAddress], loopback: Loopback, https_only: bool = False) -> None:
    """Refuse the hop unless every address the host has is one the platform may reach.

    With `https_only`, plain http is refused too, except to this machine where it is allowed.
    """
    named_loopback = _is_loopback_name(target.host)
    for address in addresses:
        reason = "loopback" if named_loopback else refusal(address)
        if reason == "loopback" and loopback.allows(target.port):
            continue
        if reason is None and https_only and target.scheme != "https":
            raise FetchError("scheme", _("Only https:// addresses can be used here."))
        if reason == "loopback":
            raise FetchError(
                "loopback",
                _(
                    "%(host)s is this server itself (%(address)s); "
                    "downloading from it is allowed only in development."
                ),
                host=target.host,
                address=address,
            )
        if reason is not None:
            raise FetchError(
                "private",
                _(
                    "%(host)s points to %(address)s, in a private or reserved network, "
                    "which the platform does not download from."
                ),
                host=target.host,
                address=address,
            )


def _timed_out(seconds: float) -> FetchError:
    return FetchError(
        "timeout", _("The download did not finish within %(seconds)s seconds."), seconds=f"{seconds:g}"
    )


def _too_large(limit: int) -> FetchError:
    return FetchError(
        "too-large",
        _("The download is larger than the limit of %(limit)s."),
        limit=filesizeformat(limit),
    )


class _PinnedBackend(httpcore.SyncBackend):
    """Connects to the checked address whatever name the request carries, and keeps the socket."""

    def __init__(self, address: IPAddress) -> None:
        super().__init__()
        self.address = address
        self.sockets: list[socket.socket] = []

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.NetworkStream:
        stream = super().connect_tcp(str(self.address), port, timeout, local_address, socket_options)
        self.sockets.append(stream.get_extra_info("socket"))
        return stream


class _Watchdog:
    """Cuts the connection at the deadline, so that no read can outlast it, however it trickles."""

    def __init__(self, seconds: float) -> None:
        self.expired = threading.Event()
        self._backends: list[_PinnedBackend] = []
        self._timer = threading.Timer(max(seconds, 0.0), self._fire)
        self._timer.daemon = True
        self._timer.start()

    def watch(self, backend: _PinnedBackend) -> None:
        self._backends.append(backend)

    def _fire(self) -> None:
        self.expired.set()
        for backend in self._backends:
            for sock in backend.sockets:
                try:
                    # The plain socket's shutdown, also for TLS: it wakes a read blocked in another thread.
                    socket.socket.shutdown(sock, socket.SHUT_RDWR)
                except OSError:
                    pass

    def cancel(self) -> None:
        self._timer.cancel()


class _Decoder:
    """Undoes gzip or deflate piece by piece, never producing more than the limit allows."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._zlib: Any = None

    def _start(self, data: bytes) -> None:
        if self.encoding in ("gzip", "x-gzip"):
            self._zlib = zlib.decompressobj(16 + zlib.MAX_WBITS)
        else:  # deflate: zlib-wrapped as the standard says, or raw as some servers send it
            wrapped = len(data) >= 2 and data[0] & 0x0F == 8 and (data[0] << 8 | data[1]) % 31 == 0
            self._zlib = zlib.decompressobj(zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS)

    def feed(self, data: bytes, room: int) -> Iterator[bytes]:
        """Decompressed pieces of `data`; stops producing once more than `room` bytes came out."""
        if self._zlib is None:
            self._start(data)
        produced = 0
        while True:
            try:
                out = self._zlib.decompress(data, max(room - produced, 0) + 1)
            except zlib.error as problem:
                raise FetchError(
                    "incomplete", _("The download is damaged: %(reason)s."), reason=problem
                ) from None
            data = self._zlib.unconsumed_tail
            produced += len(out)
            if out:
                yield out
            if produced > room:
                return
            if self._zlib.eof and self._zlib.unused_data.strip(b"\0"):
                # Another gzip member follows (gzip allows several in one file).
                data, self._zlib = self._zlib.unused_data, None
                self._start(data)
                continue
            if not out and not data:
                return

    def finish(self) -> None:
        if self._zlib is not None and not self._zlib.eof:
            raise FetchError("incomplete", _("The download was cut off before its end."))


@dataclass
class Download:
    """An answer being read; `chunks()` gives the body, decompressed, within the limits."""

    url: str
    status: int
    headers: httpx.Headers
    declared_length: int | None
    _stream: Any
    _limits: Limits
    _deadline_at: float
    _watchdog: _Watchdog
    wire_bytes: int = 0
    body_bytes: int = 0

    @property
    def content_type(self) -> str:
        return str(self.headers.get("content-type", "")).split(";", 1)[0].strip().lower()

    def _check_time(self) -> None:
        if self._watchdog.expired.is_set() or time.monotonic() > self._deadline_at:
            raise _timed_out(self._limits.deadline_seconds)

    def chunks(self) -> Iterator[bytes]:
        limit = self._limits.max_bytes
        # Refused before reading anything; an answer that is never read (a webhook's) is not refused.
        if self.declared_length is not None and self.declared_length > limit:
            raise _too_large(limit)
        decoder = _decoder_for(self.headers)
        try:
            for raw in self._stream:
                self._check_time()
                self.wire_bytes += len(raw)
                if self.wire_bytes > limit:
                    raise _too_large(limit)
                pieces = [raw] if decoder is None else decoder.feed(raw, limit - self.body_bytes)
                for piece in pieces:
                    self.body_bytes += len(piece)
                    if self.body_bytes > limit:
                        raise _too_large(limit)
                    yield piece
        except httpcore.TimeoutException:
            raise _timed_out(self._limits.deadline_seconds) from None
        except (httpcore.NetworkError, httpcore.ProtocolError) as problem:
            self._check_time()  # a connection cut by the deadline is a timeout, not a network fault
            raise FetchError(
                "incomplete",
                _("The download was cut off: %(reason)s."),
                reason=problem or type(problem).__name__,
            ) from None
        # The deadline may have cut the connection where a body without a length ends cleanly.
        self._check_time()
        if decoder is not None:
            decoder.finish()


def _decoder_for(headers: httpx.Headers) -> _Decoder | None:
    encodings = [
        part.strip().lower() for part in headers.get("content-encoding", "").split(",") if part.strip()
    ]
    encodings = [e for e in encodings if e != "identity"]
    if not encodings:
        return None
    if len(encodings) == 1 and encodings[0] in ("gzip", "x-gzip", "deflate"):
        return _Decoder(encodings[0])
    raise FetchError(
        "encoding",
        _("The server sent the file in an encoding the platform cannot read (%(encoding)s)."),
        encoding=", ".join(encodings),
    )


def _declared_length(headers: httpx.Headers) -> int | None:
    value = headers.get("content-length", "")
    return int(value) if value.isdigit() else None


@contextmanager
def fetch(
    url: str,
    limits: Limits,
    *,
    method: str = "GET",
    content: bytes | None = None,
    headers: Mapping[str, str] | None = None,
    loopback: Loopback | None = None,
    follow_redirects: bool = True,
    require_success: bool = True,
    https_only: bool = False,
) -> Iterator[Download]:
    """Send `method` to `url` (with `content` as the body) and give the answer to read.

    Redirects that pass the same checks are followed, with the same method and body, unless
    `follow_redirects` is off: the redirect is then the answer. Unless `require_success` is off,
    an answer other than 2xx is a FetchError. Raises FetchError for anything refused or failed;
    read the body with `Download.chunks()` inside the `with` block.
    """
    loopback = loopback if loopback is not None else loopback_from_settings()
    started = time.monotonic()
    deadline_at = started + limits.deadline_seconds
    request_headers = {
        "User-Agent": USER_AGENT,
        "Accept-Encoding": "gzip, deflate",
        **(headers or {}),
    }
    if content is not None:
        # httpcore sends what it is given; the length must be said.
        request_headers["Content-Length"] = str(len(content))
    request = _Request(method, content, request_headers)
    watchdog = _Watchdog(limits.deadline_seconds)
    seen: set[str] = set()
    current = url
    try:
        for _hop in range(limits.max_redirects + 1):
            target = parse_target(current)
            seen.add(target.url)
            addresses = _resolve(target, deadline_at - time.monotonic(), limits.deadline_seconds)
            check(target, addresses, loopback, https_only)
            with ExitStack() as hop:
                response = _open(hop, target, addresses, request, deadline_at, watchdog, limits)
                answer_headers = httpx.Headers(response.headers)
                if follow_redirects and response.status in REDIRECTS:
                    current = _next_hop(target, answer_headers, seen)
                    continue  # leaving the block closes this hop's connection
                if require_success:
                    _check_status(response)
                yield Download(
                    url=target.url,
                    status=response.status,
                    headers=answer_headers,
                    declared_length=_declared_length(answer_headers),
                    _stream=response.stream,
                    _limits=limits,
                    _deadline_at=deadline_at,
                    _watchdog=watchdog,
                )
                return
        raise FetchError(
            "too-many-redirects",
            _("More than %(count)s redirects; the last one pointed to %(url)s."),
            count=limits.max_redirects,
            url=current,
        )
    finally:
        watchdog.cancel()


@dataclass(frozen=True)
class _Request:
    method: str
    content: bytes | None
    headers: Mapping[str, str]


def _next_hop(target: Target, headers: httpx.Headers, seen: set[str]) -> str:
    location = str(headers.get("location", ""))
    if not location:
        raise FetchError(
            "redirect-without-location", _("The server sent a redirect without saying where to.")
        )
    following = urljoin(target.url, location)
    if following in seen:
        raise FetchError(
            "redirect-loop", _("The address redirects in a loop (back to %(url)s)."), url=following
        )
    return following


def _check_status(response: httpcore.Response) -> None:
    if not 200 <= response.status < 300:
        reason = response.extensions.get("reason_phrase", b"").decode("ascii", "replace")
        raise FetchError(
            "status",
            _("The server answered %(status)s %(reason)s."),
            status=response.status,
            reason=reason,
        )


def _open(
    stack: ExitStack,
    target: Target,
    addresses: list[IPAddress],
    request: _Request,
    deadline_at: float,
    watchdog: _Watchdog,
    limits: Limits,
) -> httpcore.Response:
    """The answer of the first checked address that accepts a connection."""
    last: Exception | None = None
    for address in addresses:
        remaining = deadline_at - time.monotonic()
        if remaining <= 0 or watchdog.expired.is_set():
            raise _timed_out(limits.deadline_seconds)
        backend = _PinnedBackend(address)
        watchdog.watch(backend)
        pool = stack.enter_context(
            httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(), network_backend=backend)
        )
        try:
            return stack.enter_context(
                pool.stream(
                    request.method,
                    target.url,
                    headers=list(request.headers.items()),
                    content=request.content,
                    extensions={
                        "timeout": {
                            "connect": remaining,
                            "read": remaining,
                            "write": remaining,
                            "pool": remaining,
                        }
                    },
                )
            )
        except httpcore.TimeoutException:
            raise _timed_out(limits.deadline_seconds) from None
        except (httpcore.ConnectError, httpcore.NetworkError, httpcore.ProtocolError) as problem:
            if watchdog.expired.is_set():
                raise _timed_out(limits.deadline_seconds) from None
            last = problem
    raise FetchError(
        "connect",
        _("Could not connect to %(host)s: %(reason)s."),
        host=target.host,
        reason=last or "?",
    )
