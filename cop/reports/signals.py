"""Cases follow what an organisation is.

When its kind or country changes, whichever door the change came through (a page, the API, a command),
its open cases go back to routing (cases.return_to_routing).
"""

from __future__ import annotations

from typing import Any

from cop.core.models import Organisation


def _what(organisation: Organisation) -> tuple[str, str | None]:
    return organisation.kind, organisation.country_id


def remember_what_it_was(sender: type[Organisation], instance: Organisation, **kwargs: Any) -> None:
    if kwargs.get("raw") or instance.pk is None:
        return
    stored = Organisation.objects.filter(pk=instance.pk).first()
    instance._routing_before = _what(stored) if stored else None  # type: ignore[attr-defined]


def reroute_when_it_changed(sender: type[Organisation], instance: Organisation, **kwargs: Any) -> None:
    from cop.reports.cases import return_to_routing

    before = getattr(instance, "_routing_before", None)
    instance._routing_before = _what(instance)  # type: ignore[attr-defined]
    if kwargs.get("raw") or before is None or before == _what(instance):
        return
    # The kind it was sent to as (a hotline, a helpline), or the country it served, is gone.
    return_to_routing(instance)
