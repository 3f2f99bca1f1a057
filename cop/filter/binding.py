"""Who may bind which addresses to a device (the rule is written out in cop/filter/README.md).

A bound network sends every query from it to the child's profile and into the child's reports and
query log, so a guardian binds only what is theirs: a family or school guardian, networks around
the address they are using right now (no wider than COP_FILTER_BIND_WIDEST_IPV4/_IPV6); any
family, networks inside the ranges the secretariat assigned to it (an Internet provider's only
way). Nobody binds loopback, unspecified, link-local, multicast or IPv4-mapped networks.

What a refusal says never depends on other families' bindings: whether a network is free but not
the guardian's, or in use by someone else, they read the same words (`refusal`).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from cop.filter.models import AssignedRange, DeviceNetwork, Family
from cop.filter.networks import Address, Network, client_address, contains, reserved, span


def widest(version: int) -> int:
    """The shortest prefix a guardian may bind around their own address."""
    if version == 4:
        return min(settings.FILTER_BIND_WIDEST_IPV4, 32)
    return min(settings.FILTER_BIND_WIDEST_IPV6, 128)


@dataclass(frozen=True)
class Binder:
    """A guardian of `family` binding from `address` (None when the platform cannot see it)."""

    family: Family
    address: Address | None
    ranges: tuple[Network, ...]

    @classmethod
    def of(cls, family: Family, remote_address: str | None) -> Binder:
        ranges = tuple(
            _network(text)
            for text in AssignedRange.objects.filter(family=family).values_list("network", flat=True)
        )
        return cls(family, client_address(remote_address), ranges)

    @property
    def by_address(self) -> bool:
        """Whether the guardian's own address lets them bind: never for an Internet provider, whose
        administrators work from their office, not from the customers' networks."""
        return self.family.kind != Family.Kind.PROVIDER

    def may_bind(self, network: Network) -> bool:
        """The rule alone, not whether someone else has bound the network already."""
        if reserved(network):
            return False
        if any(contains(outer, network) for outer in self.ranges):
            return True
        return (
            self.by_address
            and self.address is not None
            and self.address in network
            and network.prefixlen >= widest(network.version)
        )

    def what_you_can_bind(self) -> str:
        """What this guardian can do, for the form's help and every refusal."""
        parts = []
        if self.by_address:
            if self.address is None or reserved(_network(str(self.address))):
                parts.append(
                    _(
                        "The platform sees you at %(address)s, an address no device can be bound to (a proxy "
                        "in front of the platform may hide yours), so it cannot tell which network is yours."
                    )
                    % {"address": self.address or "?"}
                )
            else:
                parts.append(
                    _(
                        "You can bind the address you are using now, %(address)s, or a network around it no "
                        "wider than /%(prefix)s, if no other family uses it."
                    )
                    % {"address": self.address, "prefix": widest(self.address.version)}
                )
        if self.ranges:
            parts.append(
                _(
                    "You can bind networks inside the ranges assigned to you, %(ranges)s, if no other "
                    "family uses them."
                )
                % {"ranges": ", ".join(str(network) for network in self.ranges)}
            )
        elif not self.by_address:
            parts.append(
                _(
                    "No address ranges are assigned to you yet: the platform's secretariat assigns an "
                    "Internet provider's customer ranges."
                )
            )
        parts.append(
            _(
                "Or leave the addresses empty: the device can use its own secure DNS address instead, "
                "shown once it is added."
            )
        )
        return " ".join(parts)

    def refusal(self, networks: Iterable[str]) -> str:
        return (
            _("%(networks)s cannot be bound to this device.") % {"networks": ", ".join(networks)}
            + " "
            + self.what_you_can_bind()
        )


def taken_by_others(family: Family, network: Network) -> bool:
    """Whether a network of another family overlaps this one. The database refuses such a row anyway
    (even from two requests at once); this check lets the code answer before it tries."""
    version, first, last = span(network)
    return (
        DeviceNetwork.objects.filter(version=version, first__lte=last, last__gte=first)
        .exclude(family=family)
        .exists()
    )


def _network(text: str) -> Network:
    return ipaddress.ip_network(text, strict=False)
