"""The campaign API, with an organisation's token: the secretariat lists and opens campaigns; a country's
people and the secretariat read a response (its state, revision and answers).

No `from __future__ import annotations` here: django-ninja reads the
parameter annotations at run time.
"""

import datetime
from typing import Annotated, Any

from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import BeforeValidator, JsonValue

from cop.core import permissions
from cop.core.api import ErrorOut, Name, actor, token_auth
from cop.core.api_fields import Body, CountryCode, FromString
from cop.core.errors import Forbidden, NotFound
from cop.core.pagination import LimitOffset, Page
from cop.survey import campaigns, dashboard
from cop.survey.models import Campaign, QuestionnaireVersion, Response, ResponseState

router = Router(tags=["survey"])


def _whole(value: Any) -> Any:
    # JSON Schema's integer is any number without a fraction, 2027.0 included, as a client's JSON
    # library may write it; the strict body would refuse every float.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole)]


class CampaignOut(Schema):
    id: int
    name: str
    questionnaire: str = Field(description="The questionnaire's identifier (XLSForm form_id).")
    version: str = Field(description="The questionnaire version's `version` setting.")
    version_id: int
    year: int
    deadline: datetime.date
    status: str = Field(description="open or closed")
    opened_at: datetime.datetime
    countries: int = Field(description="How many countries the campaign asks.")
    states: dict[str, int] = Field(
        description="Countries per state of their response: draft, received, has-issues, edited, approved."
    )


class CampaignIn(Body):
    version: WholeNumber = Field(description="The id of the questionnaire version to answer.")
    name: Name
    # The range first, on the integer itself, so that the schema states it as minimum and maximum.
    year: Annotated[
        int,
        Field(ge=campaigns.MIN_YEAR, le=campaigns.MAX_YEAR, description="The year the answers describe."),
        BeforeValidator(_whole),
    ]
    deadline: Annotated[datetime.date, FromString] = Field(
        description="The last day to submit, after today (409 otherwise)."
    )
    countries: Annotated[list[CountryCode], Field(min_length=1, max_length=300)] | None = Field(
        None, description="The countries asked; left out, every UN Member State."
    )


class AnswerOut(Schema):
    key: str = Field(description="The question's stable identifier (XLSForm name).")
    instance: int = Field(description="The entry of a repeat, from 1; 0 outside a repeat.")
    value: JsonValue = Field(
        description="A string (one choice, text, date as YYYY-MM-DD), a list of choice names, a number, "
        "or null when not answered."
    )
    comment: str
    review: str = Field(description="pending, accepted or queried")
    updated_at: datetime.datetime


class ResponseOut(Schema):
    id: int
    campaign: int
    campaign_name: str
    country: str
    state: str = Field(description="draft, received, has-issues, edited or approved")
    revision: int = Field(description="Raised by every saved change.")
    deadline: datetime.date
    prefilled_from: int | None = Field(description="The approved response this one was pre-filled from.")
    submitted_at: datetime.datetime | None
    approved_at: datetime.datetime | None
    updated_at: datetime.datetime
    answers: list[AnswerOut] = Field(
        description="Every answer, by key and instance; bounded by the questionnaire."
    )


def _campaign_out(campaign: Campaign) -> dict[str, Any]:
    return {
        "id": campaign.pk,
        "name": campaign.name,
        "questionnaire": campaign.version.questionnaire.slug,
        "version": campaign.version.version,
        "version_id": campaign.version_id,
        "year": campaign.year,
        "deadline": campaign.deadline,
        "status": campaign.status,
        "opened_at": campaign.opened_at,
        "countries": sum(getattr(campaign, f"in_{i}") for i in range(len(ResponseState))),
        "states": {state.value: getattr(campaign, f"in_{i}") for i, state in enumerate(ResponseState)},
    }


def _with_counts() -> Any:
    counts = {
        f"in_{i}": Count("responses", filter=Q(responses__state=state))
        for i, state in enumerate(ResponseState)
    }
    return Campaign.objects.select_related("version", "version__questionnaire").annotate(**counts)


def _require_manager(request: HttpRequest) -> permissions.Actor:
    who = actor(request)
    if not permissions.holds(who, campaigns.MANAGE):
        raise Forbidden(_("Only the COP secretariat manages survey campaigns."))
    return who


@router.get(
    "/survey/campaigns",
    response={200: list[CampaignOut], 403: ErrorOut},
    auth=token_auth,
    summary="Survey campaigns, newest first (the secretariat)",
)
@paginate(LimitOffset)
def list_campaigns(request: HttpRequest) -> Any:
    _require_manager(request)
    return Page(_with_counts().order_by("-year", "-opened_at", "-pk"), _campaign_out)


@router.post(
    "/survey/campaigns",
    response={201: CampaignOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut},
    auth=token_auth,
    summary="Open a survey campaign (the secretariat)",
)
def open_campaign(request: HttpRequest, body: CampaignIn) -> Any:
    """Every country asked gets a draft response, pre-filled from its last approved one (answers to
    questions the version still has), and its focal points an invitation by e-mail. A name in use
    (in any case) or a deadline not after today is a conflict (409); an unknown version is 404."""
    who = _require_manager(request)
    version = QuestionnaireVersion.objects.filter(pk=body.version).first()
    if version is None:
        raise NotFound(_("No questionnaire version has this id."))
    campaign = campaigns.open_campaign(
        who,
        version=version,
        name=body.name,
        year=body.year,
        deadline=body.deadline,
        countries=body.countries,
    )
    return Status(201, _campaign_out(_with_counts().get(pk=campaign.pk)))


@router.get(
    "/survey/responses/{response_id}",
    response={200: ResponseOut, 403: ErrorOut, 404: ErrorOut},
    auth=token_auth,
    summary="A country's survey response (its country's people and the secretariat)",
)
def get_response(request: HttpRequest, response_id: int) -> Any:
    """Drafts and every state before approval are readable only by the response's country and the
    secretariat; another country's response is not found (404)."""
    who = actor(request)
    if not permissions.holds(who, dashboard.READ):
        raise Forbidden(_("This token's role does not read survey responses."))
    response = Response.objects.select_related("campaign").filter(pk=response_id).first()
    if response is None or not dashboard.readable_response(who, response):
        raise NotFound(_("No survey response with this id is yours to read."))
    return {
        "id": response.pk,
        "campaign": response.campaign_id,
        "campaign_name": response.campaign.name,
        "country": response.country_id,
        "state": response.state,
        "revision": response.revision,
        "deadline": response.campaign.deadline,
        "prefilled_from": response.prefilled_from_id,
        "submitted_at": response.submitted_at,
        "approved_at": response.approved_at,
        "updated_at": response.updated_at,
        "answers": [
            {
                "key": a.key,
                "instance": a.instance,
                "value": a.value,
                "comment": a.comment,
                "review": a.review,
                "updated_at": a.updated_at,
            }
            for a in response.answers.order_by("key", "instance")
        ],
    }
