"""IP networks as the binding rules compare them; no Django models here, so a migration can use it.

A network is stored as normalised CIDR text with its first and last address as 32 hexadecimal
digits: fixed-width text compares like the numbers it spells, in SQL as in Python, so two networks
overlap exactly when each one's first address is not after the other's last (and both are of the
same IP version).
"""

from __future__ import annotations

import ipaddress
from typing import NamedTuple

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Nobody's network: a device is never bound to any of these, nor to a network that overlaps one
# (so never to 0.0.0.0/0 or ::/0). IPv4-mapped IPv6 addresses are the IPv4 addresses themselves,
# written otherwise; bound that way they would slip past the IPv4 rules.
RESERVED: tuple[Network, ...] = tuple(
    ipaddress.ip_network(text)
    for text in (
        "0.0.0.0/8",  # unspecified, "this network"
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local
        "224.0.0.0/4",  # multicast
        "255.255.255.255/32",  # broadcast
        "::/128",  # unspecified
        "::1/128",  # loopback
        "::ffff:0:0/96",  # IPv4-mapped
        "fe80::/10",  # link-local
        "ff00::/8",  # multicast
    )
)


class Span(NamedTuple):
    version: int
    first: str
    last: str


def _hex(address: Address) -> str:
    return f"{int(address):032x}"


def span(network: Network | str) -> Span:
    value = ipaddress.ip_network(network) if isinstance(network, str) else network
    return Span(value.version, _hex(value.network_address), _hex(value.broadcast_address))


def overlap(a: Network, b: Network) -> bool:
    return a.version == b.version and a.overlaps(b)  # type: ignore[arg-type]


def reserved(network: Network) -> bool:
    return any(overlap(network, other) for other in RESERVED)


def contains(outer: Network, inner: Network) -> bool:
    return outer.version == inner.version and inner.subnet_of(outer)  # type: ignore[arg-type]


def client_address(text: str | None) -> Address | None:
    """The address a request came from, as the resolver would see it: an IPv4-mapped IPv6 address
    (a dual-stack socket's way of writing IPv4) becomes the IPv4 address."""
    if not text:
        return None
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
