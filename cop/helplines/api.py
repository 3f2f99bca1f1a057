"""API of the help directory.

No `from __future__ import annotations` here: django-ninja reads the
parameter annotations at run time.
"""

import datetime
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema

from cop.core.models import Country
from cop.helplines.models import Service

router = Router(tags=["help"])


class ChannelOut(Schema):
    kind: str
    value: str
    href: str


class ServiceOut(Schema):
    kind: str
    name: str
    languages: list[str]
    min_age: int | None
    max_age: int | None
    always_open: bool
    hours: str
    is_free: bool | None
    source: str
    verified_on: datetime.date | None
    channels: list[ChannelOut]


class HelpOut(Schema):
    country: str
    emergency_numbers: list[str]
    emergency_source: str
    services: list[ServiceOut]


@router.get(
    "/help/{iso2}", response=HelpOut, summary="Emergency numbers, helplines and hotlines of a country"
)
def get_help(request: HttpRequest, iso2: str) -> Any:
    """Phone numbers are E.164 (`+61...`) or a short code dialled as is in the country (`116`)."""
    country = get_object_or_404(Country, iso2=iso2.upper())
    emergency = list(country.emergency_numbers.all())
    services = Service.objects.filter(country=country).prefetch_related("channels")
    return {
        "country": country.iso2,
        "emergency_numbers": [e.number for e in emergency],
        "emergency_source": emergency[0].source if emergency else "",
        "services": [
            {
                "kind": s.kind,
                "name": s.name,
                "languages": s.languages,
                "min_age": s.min_age,
                "max_age": s.max_age,
                "always_open": s.always_open,
                "hours": s.hours,
                "is_free": s.is_free,
                "source": s.source,
                "verified_on": s.verified_on,
                "channels": [{"kind": c.kind, "value": c.value, "href": c.href} for c in s.channels.all()],
            }
            for s in services
        ],
    }
