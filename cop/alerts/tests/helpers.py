"""Building alerts and subscriptions for the tests, through the same code the pages use."""

from __future__ import annotations

from typing import Any

from cop.alerts import publishing
from cop.alerts.models import Alert, Subscription
from cop.alerts.secret_box import new_secret, seal
from cop.core.models import Organisation, User
from cop.threats.models import Classification, Risk

BASE_URL = "https://cop.example.org"


def risk(code: str) -> Risk:
    current = Classification.objects.current()
    assert current is not None
    return current.risks.get(code=code)


def texts(title: str = "Fake prize messages in a popular game", **changes: str) -> dict[str, str]:
    values = {
        "title": title,
        "description": "Players receive chat messages promising free game currency in exchange for a photo.",
        "at_risk": "Children aged 9 to 14 who play online with strangers.",
        "advice_children": "Never send photos to people you only know online. Tell an adult you trust.",
        "advice_parents": "Talk with your child about gifts from strangers in games.",
        "advice_industry": "",
        "advice_policy": "",
    }
    values.update(changes)
    return values


def make_alert(
    author: User,
    organisation: Organisation,
    *,
    countries: list[str] | None = None,
    risks: list[str] | None = None,
    language: str = "en",
    severity: str = "high",
    publish: bool = True,
    **text: str,
) -> Alert:
    alert = publishing.create_draft(
        author=author,
        organisation=organisation,
        language=language,
        severity=severity,
        country_ids=countries if countries is not None else ["KE"],
        risks=[risk(code) for code in (risks if risks is not None else ["contact-sexual"])],
        texts=texts(**text),
    )
    if publish:
        publishing.publish(alert, BASE_URL)
    alert.refresh_from_db()
    return alert


def form_data(**changes: Any) -> dict[str, Any]:
    """What an analyst posts to write an alert."""
    data: dict[str, Any] = {
        "language": "en",
        **texts(),
        "severity": "high",
        "countries": ["KE"],
        "risks": [str(risk("contact-sexual").pk)],
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def make_subscription(
    organisation: Organisation,
    url: str,
    *,
    countries: list[str] | None = None,
    risks: list[str] | None = None,
    name: str = "Case system",
) -> tuple[Subscription, str]:
    secret = new_secret()
    subscription = Subscription.objects.create(
        organisation=organisation,
        name=name,
        url=url,
        secret_sealed=seal(secret),
        country_codes=countries or [],
        risk_codes=risks or [],
    )
    return subscription, secret
