"""Questionnaire versions, campaigns and answers made with the ORM for the campaign tests.

Made-up neutral questions; answers exist only in the test database.
"""

from __future__ import annotations

import datetime
import hashlib
from typing import Any

from django.utils import timezone

from cop.core.models import Country, User
from cop.core.tests.base import BaseTestCase
from cop.survey.models import (
    Answer,
    AnswerRevision,
    Campaign,
    Question,
    QuestionKind,
    Questionnaire,
    QuestionnaireVersion,
    Response,
    ResponseState,
)

YES_NO = [{"name": "yes", "label": {"en": "Yes"}}, {"name": "no", "label": {"en": "No"}}]
BODIES = [
    {"name": name, "label": {"en": name.title()}} for name in ("ministry", "regulator", "police", "ngo")
]

# (key, kind, extra fields) in the order of the form.
QUESTIONS: list[tuple[str, str, dict[str, Any]]] = [
    ("intro", QuestionKind.NOTE, {}),
    ("has_strategy", QuestionKind.SELECT_ONE, {"choices": YES_NO, "category": "legal"}),
    ("bodies", QuestionKind.SELECT_MULTIPLE, {"choices": BODIES, "category": "focal_points"}),
    ("hotlines", QuestionKind.INTEGER, {"category": "assistance"}),
    ("budget_share", QuestionKind.DECIMAL, {"category": "awareness"}),
    ("strategy_name", QuestionKind.TEXT, {"category": "legal"}),
    ("adopted_on", QuestionKind.DATE, {"category": "legal"}),
    ("score", QuestionKind.CALCULATE, {"calculation": "${hotlines} * 2"}),
    ("programme", QuestionKind.TEXT, {"repeat": "programmes", "category": "awareness"}),
]


def tomorrow(days: int = 1) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def make_version(
    version: str = "1", questions: list[tuple[str, str, dict[str, Any]]] | None = None, slug: str = "cop"
) -> QuestionnaireVersion:
    questionnaire, _created = Questionnaire.objects.get_or_create(
        slug=slug, defaults={"title": {"en": "Example national survey"}}
    )
    made = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire,
        version=version,
        title={"en": "Example national survey", "fr": "Enquête nationale exemple"},
        default_language="en",
        languages=["en", "fr"],
        workbook=b"",
        workbook_sha256=hashlib.sha256(version.encode()).hexdigest(),
        form={},
    )
    for position, (key, kind, extra) in enumerate(QUESTIONS if questions is None else questions):
        Question.objects.create(
            version=made, key=key, position=position, kind=kind, label={"en": key.replace("_", " ")}, **extra
        )
    return made


def make_campaign(
    version: QuestionnaireVersion,
    name: str,
    year: int,
    countries: list[str],
    *,
    opened_days_ago: int = 0,
) -> Campaign:
    """A campaign made directly (no invitations), with a draft response for each country."""
    campaign = Campaign.objects.create(version=version, name=name, year=year, deadline=tomorrow(30))
    if opened_days_ago:
        Campaign.objects.filter(pk=campaign.pk).update(
            opened_at=timezone.now() - datetime.timedelta(days=opened_days_ago)
        )
    campaign.countries.set(Country.objects.filter(iso2__in=countries))
    for code in countries:
        Response.objects.create(campaign=campaign, country_id=code)
    return campaign


def answer(response: Response, key: str, value: Any, instance: int = 0, by: User | None = None) -> Answer:
    """An answer saved by a person, with its revision, as the answering pages will save one."""
    response.revision += 1
    response.save(update_fields=["revision", "updated_at"])
    saved = Answer.objects.create(response=response, key=key, instance=instance, value=value, updated_by=by)
    AnswerRevision.objects.create(
        answer=saved, response_revision=response.revision, value=value, source="page", by=by
    )
    return saved


def set_state(response: Response, state: str) -> Response:
    response.state = state
    if state == ResponseState.APPROVED:
        response.approved_at = timezone.now()
    response.save()
    return response


class CampaignTestCase(BaseTestCase):
    """The named world, with a version of the example questionnaire."""

    version: QuestionnaireVersion

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.version = make_version()
