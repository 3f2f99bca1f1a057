"""The one dictionary shape of an alert: API responses and webhook bodies."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet

from cop.alerts.models import Alert, AlertText


def with_related(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    """What `alert_dict` reads, fetched in a fixed number of queries."""
    return alerts.select_related("organisation").prefetch_related(
        "texts", "countries", "risks__classification"
    )


def _when(value: datetime.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _text(alert: Alert, text: AlertText, base_url: str) -> dict[str, Any]:
    return {
        "title": text.title,
        "description": text.description,
        "at_risk": text.at_risk,
        "advice": {
            "children": text.advice_children,
            "parents_and_educators": text.advice_parents,
            "industry": text.advice_industry,
            "policy_makers": text.advice_policy,
        },
        "url": base_url + alert.url_in(text.language),
    }


def alert_dict(alert: Alert, base_url: str) -> dict[str, Any]:
    """`base_url` is the site's scheme and host, such as https://cop.example.org, for absolute links."""
    base_url = base_url.rstrip("/")
    countries = sorted(c.iso2 for c in alert.countries.all())
    organisation = alert.organisation
    return {
        "id": alert.pk,
        "status": alert.status,
        "severity": alert.severity,
        "language": alert.language,
        "countries": countries,
        "worldwide": not countries,
        "risks": [{"code": r.code, "version": r.classification.version} for r in alert.risks.all()],
        "organisation": {
            "id": organisation.pk,
            "name": organisation.name,
            "country": organisation.country_id or "",
        },
        "revision": alert.revision,
        "published_at": _when(alert.published_at),
        "updated_at": _when(alert.updated_at),
        "withdrawn_at": _when(alert.withdrawn_at),
        "withdrawal_reason": alert.withdrawal_reason,
        "url": base_url + alert.url_in(alert.language),
        "texts": {t.language: _text(alert, t, base_url) for t in alert.texts.all()},
    }
