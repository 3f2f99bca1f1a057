from __future__ import annotations

import ipaddress
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from cop.filter.models import AssignedRange, Family
from cop.filter.networks import Network, reserved, span


class Command(BaseCommand):
    help = (
        "Assign address ranges to a family of the family filter, in practice an Internet provider's "
        "customer ranges (or a school's network wider than its guardians may bind from their own "
        "address): its guardians may then bind networks inside them. Ranges of two families never "
        "overlap. Check that the ranges are theirs first (e.g. in the regional Internet registry)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("family", type=int, help="the family's number, as in its page's address")
        parser.add_argument("ranges", nargs="+", help="networks in CIDR notation, e.g. 198.51.100.0/22")
        parser.add_argument(
            "--remove",
            action="store_true",
            help="take these ranges back (devices bound inside them stay bound)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        family = Family.objects.filter(pk=options["family"]).first()
        if family is None:
            raise CommandError(f"There is no family number {options['family']}.")
        networks = [_parse(text) for text in options["ranges"]]
        with transaction.atomic():
            if options["remove"]:
                AssignedRange.objects.filter(family=family, network__in=[str(n) for n in networks]).delete()
            else:
                for network in networks:
                    _assign(family, network)
        kept = ", ".join(str(r) for r in family.assigned_ranges.all()) or "none"
        self.stdout.write(f"{family.name} ({family.get_kind_display()}): assigned ranges {kept}.")


def _parse(text: str) -> Network:
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        raise CommandError(f"{text!r} is not an IP network (write it like 198.51.100.0/22).") from None
    if reserved(network):
        raise CommandError(
            f"{network} is or overlaps a loopback, unspecified, link-local, multicast or IPv4-mapped "
            "network; nobody's devices are bound there."
        )
    return network


def _assign(family: Family, network: Network) -> None:
    version, first, last = span(network)
    other = (
        AssignedRange.objects.filter(version=version, first__lte=last, last__gte=first)
        .exclude(family=family)
        .select_related("family")
        .first()
    )
    if other is not None:
        raise CommandError(
            f"{network} overlaps {other.network}, assigned to {other.family.name} (number {other.family_id})."
        )
    AssignedRange.objects.get_or_create(family=family, network=str(network))
