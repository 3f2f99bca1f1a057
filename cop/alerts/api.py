"""API of the alerts app: published alerts, open to everyone.

No `from __future__ import annotations` here: django-ninja reads the
parameter annotations at run time.
"""

from collections.abc import Sequence
from typing import Annotated, Any, Literal, overload

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate
from pydantic import StringConstraints

from cop.alerts.models import Alert, Severity, Status
from cop.alerts.serialize import alert_dict, with_related
from cop.core.errors import Invalid, NotFound
from cop.core.models import Country
from cop.core.pagination import LimitOffset
from cop.threats.models import Risk

router = Router(tags=["alerts"])

LanguageCode = Literal["ar", "zh-hans", "en", "fr", "ru", "es"]
ISO2 = Annotated[str, StringConstraints(pattern=r"^[A-Za-z]{2}$")]
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
    published_at: str | None
    updated_at: str | None
    withdrawn_at: str | None
    withdrawal_reason: str
    url: str
    texts: dict[str, AlertTextOut] = Field(
        description="The texts by language: the original and translations."
    )


class AlertFilter(Schema):
    country: ISO2 | None = Field(None, description="Alerts concerning this country, worldwide ones included.")
    risk: RiskCode | None = Field(None, description="Alerts about this risk of the classification.")
    language: LanguageCode | None = Field(None, description="Alerts that can be read in this language.")
    severity: Severity | None = None


class _Page(Sequence[dict[str, Any]]):
    """Alerts serialised only for the page asked for, not for the whole list."""

    def __init__(self, alerts: QuerySet[Alert], base_url: str) -> None:
        self.alerts = alerts
        self.base_url = base_url

    def __len__(self) -> int:
        return self.alerts.count()

    @overload
    def __getitem__(self, index: int) -> dict[str, Any]: ...

    @overload
    def __getitem__(self, index: slice) -> list[dict[str, Any]]: ...

    def __getitem__(self, index: int | slice) -> dict[str, Any] | list[dict[str, Any]]:
        if isinstance(index, slice):
            return [alert_dict(a, self.base_url) for a in self.alerts[index]]
        return alert_dict(self.alerts[index], self.base_url)


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/").rstrip("/")


@router.get("/alerts", response=list[AlertOut], summary="Published alerts, newest first")
@paginate(LimitOffset)
def list_alerts(request: HttpRequest, filters: Query[AlertFilter]) -> Any:
    """Advisories on emerging online threats to children, with their texts in every language they have."""
    alerts = Alert.objects.published()
    if filters.country is not None:
        code = filters.country.upper()
        if not Country.objects.filter(iso2=code).exists():
            raise Invalid(_("No country has the code %(iso2)s."), iso2=code)
        alerts = alerts.concerning(code)
    if filters.risk is not None:
        if not Risk.objects.filter(code=filters.risk).exists():
            raise Invalid(_("Unknown risk %(risk)s; see /api/v1/threats."), risk=filters.risk)
        alerts = alerts.filter(risks__code=filters.risk).distinct()
    if filters.language is not None:
        alerts = alerts.in_language(filters.language)
    if filters.severity is not None:
        alerts = alerts.filter(severity=filters.severity)
    return _Page(with_related(alerts).order_by("-published_at", "-pk"), _base_url(request))


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
