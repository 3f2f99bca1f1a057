"""API of the alerts app: published alerts, open to everyone.

No `from __future__ import annotations` here: django-ninja reads the
parameter annotations at run time.
"""

import datetime
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import StringConstraints

from cop.alerts.models import Alert, Severity, Status
from cop.alerts.serialize import alert_dict, with_related
from cop.core.api_fields import CountryCode
from cop.core.errors import NotFound
from cop.core.pagination import LimitOffset, Page

router = Router(tags=["alerts"])

LanguageCode = Literal["ar", "zh-hans", "en", "fr", "ru", "es"]
RiskCode = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,40}$")]


class RiskRef(Schema):
    code: str
    version: int


class OrganisationRef(Schema):
    id: int
    name: str
    country: str = Field(description="ISO 3166 alpha-2 code; empty for an international organisation.")


class AdviceOut(Schema):
    children: str
    parents_and_educators: str
    industry: str
    policy_makers: str


class AlertTextOut(Schema):
    title: str
    description: str = Field(description="What the threat is.")
    at_risk: str = Field(description="Who is at risk.")
    advice: AdviceOut = Field(description="Advice per audience; empty where the alert gives none.")
    url: str


class AlertOut(Schema):
    id: int
    status: Literal["published", "withdrawn"]
    severity: Severity
    language: LanguageCode = Field(description="The language the alert was written in.")
    countries: list[str] = Field(description="ISO 3166 alpha-2 codes; empty for a worldwide alert.")
    worldwide: bool
    risks: list[RiskRef]
    organisation: OrganisationRef
    revision: int = Field(description="1 when published, one more with each later change.")
    published_at: datetime.datetime | None
    updated_at: datetime.datetime | None
    withdrawn_at: datetime.datetime | None
    withdrawal_reason: str
    url: str
    texts: dict[str, AlertTextOut] = Field(
        description="The texts by language: the original and translations."
    )


class AlertFilter(Schema):
    country: CountryCode | None = Field(
        None, description="Alerts concerning this country, worldwide ones included."
    )
    risk: RiskCode | None = Field(None, description="Alerts about this risk of the classification.")
    language: LanguageCode | None = Field(None, description="Alerts that can be read in this language.")
    severity: Severity | None = None


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@router.get("/alerts", response=list[AlertOut], summary="Published alerts, newest first")
@paginate(LimitOffset)
def list_alerts(request: HttpRequest, filters: Query[AlertFilter]) -> Any:
    """Advisories on emerging online threats to children, with their texts in every language they have."""
    alerts = Alert.objects.published()
    if filters.country is not None:
        alerts = alerts.concerning(filters.country.upper())
    if filters.risk is not None:
        # A filter: a risk code no alert carries (or no classification has) finds no alerts.
        alerts = alerts.filter(risks__code=filters.risk).distinct()
    if filters.language is not None:
        alerts = alerts.in_language(filters.language)
    if filters.severity is not None:
        alerts = alerts.filter(severity=filters.severity)
    base_url = _base_url(request)
    return Page(with_related(alerts).order_by("-published_at", "-pk"), lambda a: alert_dict(a, base_url))


@router.get("/alerts/{alert_id}", response=AlertOut, summary="One published or withdrawn alert")
def get_alert(request: HttpRequest, alert_id: int) -> Any:
    alert = (
        with_related(Alert.objects.filter(status__in=[Status.PUBLISHED, Status.WITHDRAWN]))
        .filter(pk=alert_id)
        .first()
    )
    if alert is None:
        raise NotFound(_("No published alert has the id %(id)s."), id=alert_id)
    return alert_dict(alert, _base_url(request))
