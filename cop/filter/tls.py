"""DNS over TLS (RFC 7858) and DNS over HTTPS with TLS (RFC 8484), served by the workers themselves.

A device is named by the TLS server name it asks for, `<token>.<domain>`: Android's Private DNS
sends the host name a parent typed, and the certificate is a wildcard for `*.<domain>`. DNS over
HTTPS may name it in the path instead (`/dns-query/<token>`), which wins when both are there. A
client that names no device, or an unknown one, gets the profile of its address or the default,
as over plain DNS.

Certificates are PEM files. Each worker looks at them at most once a second, at the start of a
TLS handshake, and when either file has changed (a renewal) it loads the pair into a new context
that the following handshakes use; connections already open keep theirs. A pair that does not
load (a renewal half written) is logged and the previous one kept.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import os
import ssl
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cop.filter.doh import device_token, serve_doh_client
from cop.filter.http2 import serve_h2_client
from cop.filter.resolver import Resolver, bind_tcp, serve_tcp_client
from cop.filter.supervisor import parse_address

if TYPE_CHECKING:
    from cop.filter.conf import ResolverSettings

log = logging.getLogger(__name__)
HANDSHAKE_TIMEOUT = 10.0
CHECK_EVERY = 1.0  # seconds between looks at the certificate files
DOT_ALPN = ["dot"]  # RFC 7858 needs none; "dot" is the registered name, for clients that offer it
DOH_ALPN = ["h2", "http/1.1"]  # browsers use h2 only; HTTP/1.1 for simple clients
# The server name each TLS connection asked for, captured during the handshake.
_server_names: weakref.WeakKeyDictionary[ssl.SSLObject, str] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class TLSConfig:
    cert: Path
    key: Path
    domain: str
    dot_listen: tuple[tuple[str, int], ...] = ()
    doh_listen: tuple[tuple[str, int], ...] = ()


def new_context(cert: Path, key: Path, alpn: list[str]) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # also what HTTP/2 requires
    context.options |= ssl.OP_NO_RENEGOTIATION | ssl.OP_NO_COMPRESSION
    context.load_cert_chain(cert, key)
    context.set_alpn_protocols(alpn)
    return context


def _stamp(*paths: Path) -> tuple[tuple[int, int, int], ...]:
    stamps = []
    for path in paths:
        try:
            facts = os.stat(path)  # follows symbolic links, as certbot's live/ directory uses
        except OSError:
            stamps.append((0, 0, 0))
        else:
            stamps.append((facts.st_ino, facts.st_size, facts.st_mtime_ns))
    return tuple(stamps)


class Certificates:
    """The context the next handshake uses, renewed when the certificate files change.

    Servers start with `front`; its server-name callback records the name the client asked for
    and hands the handshake over to the newest context.
    """

    def __init__(self, cert: Path, key: Path, alpn: list[str]) -> None:
        self.cert, self.key, self.alpn = cert, key, alpn
        self.stamp = _stamp(cert, key)
        self.front = new_context(cert, key, alpn)
        self.front.sni_callback = self._hello
        self.current = self.front
        self.checked = time.monotonic()

    def _hello(self, connection: ssl.SSLObject, server_name: str | None, context: ssl.SSLContext) -> None:
        _server_names[connection] = server_name or ""
        now = time.monotonic()
        if now - self.checked >= CHECK_EVERY:
            self.checked = now
            self.refresh()
        if self.current is not context:
            connection.context = self.current

    def refresh(self) -> bool:
        """Load the files again if they changed; True when a new pair is in use."""
        stamp = _stamp(self.cert, self.key)
        if stamp == self.stamp:
            return False
        self.stamp = stamp  # tried once per change: a bad pair is logged once, not per handshake
        try:
            self.current = new_context(self.cert, self.key, self.alpn)
        except (OSError, ValueError) as problem:
            log.error("TLS certificate %s refused, keeping the previous one: %s", self.cert, problem)
            return False
        log.info("TLS certificate %s reloaded", self.cert)
        return True


def server_name(writer: asyncio.StreamWriter) -> str:
    connection = writer.get_extra_info("ssl_object")
    return _server_names.get(connection, "") if connection is not None else ""


async def serve_dot_client(
    resolver: Resolver, domain: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    # RFC 7858 is RFC 7766 framing inside TLS: the plain TCP service, with the device from the name.
    await serve_tcp_client(resolver, reader, writer, device_token(server_name(writer), domain))


async def serve_doh_tls_client(
    resolver: Resolver, domain: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
) -> None:
    token = device_token(server_name(writer), domain)
    connection = writer.get_extra_info("ssl_object")
    if connection is not None and connection.selected_alpn_protocol() == "h2":
        await serve_h2_client(resolver, reader, writer, token, domain)
    else:
        await serve_doh_client(resolver, reader, writer, token, domain)


async def start_listeners(resolver: Resolver, config: TLSConfig) -> list[asyncio.Server]:
    """Open this worker's TLS listeners (the port is shared with the other workers, SO_REUSEPORT)."""
    servers = []
    domain = config.domain
    kinds = (
        (config.dot_listen, DOT_ALPN, serve_dot_client),
        (config.doh_listen, DOH_ALPN, serve_doh_tls_client),
    )
    for listen, alpn, serve_client in kinds:
        if not listen:
            continue
        certificates = Certificates(config.cert, config.key, alpn)
        for host, port in listen:
            servers.append(
                await asyncio.start_server(
                    functools.partial(serve_client, resolver, domain),
                    sock=bind_tcp(host, port),
                    ssl=certificates.front,
                    ssl_handshake_timeout=HANDSHAKE_TIMEOUT,
                    limit=70000,
                )
            )
    return servers


def describe(config: TLSConfig) -> str:
    def addresses(listen: tuple[tuple[str, int], ...]) -> str:
        return ", ".join(f"{host}:{port}" for host, port in listen) or "off"

    return (
        f"DNS over TLS on {addresses(config.dot_listen)}, DNS over HTTPS with TLS on "
        f"{addresses(config.doh_listen)}; devices are <token>.{config.domain or '(no domain)'}."
    )


def config_from(settings: ResolverSettings) -> TLSConfig | None:
    """The TLS listeners the settings ask for, checked; None when there are none.

    Raises ValueError with a message for the operator when a setting is missing or the
    certificate and key do not load, so that a bad set-up stops the start, not each worker.
    """
    if not settings.dot_listen and not settings.doh_tls_listen:
        return None
    try:
        dot = tuple(parse_address(text, 853) for text in settings.dot_listen)
        doh = tuple(parse_address(text, 443) for text in settings.doh_tls_listen)
    except ValueError as problem:
        raise ValueError(
            f"Not an address:port in COP_FILTER_DOT_LISTEN or COP_FILTER_DOH_TLS_LISTEN: {problem}"
        ) from None
    if not settings.tls_cert or not settings.tls_key:
        raise ValueError("DNS over TLS and HTTPS need COP_FILTER_TLS_CERT and COP_FILTER_TLS_KEY, PEM files.")
    domain = settings.domain
    if dot and not domain:
        raise ValueError(
            "DNS over TLS names devices <token>.<domain>: set COP_FILTER_DOMAIN"
            " (the certificate is for *.<domain>)."
        )
    cert, key = Path(settings.tls_cert), Path(settings.tls_key)
    try:
        new_context(cert, key, DOH_ALPN)
    except (OSError, ValueError) as problem:
        raise ValueError(f"The TLS certificate {cert} and key {key} do not load: {problem}") from None
    return TLSConfig(cert=cert, key=key, domain=domain, dot_listen=dot, doh_listen=doh)
