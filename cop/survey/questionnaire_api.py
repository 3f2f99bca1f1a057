"""Public reading of questionnaires and their versions: what is asked, in every language, with its rules.

No `from __future__ import annotations` here: django-ninja reads the
parameter annotations at run time.
"""

import datetime
from typing import Any

from django.db.models import Count, Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from cop.core.pagination import LimitOffset, Page
from cop.survey.models import Question, Questionnaire, QuestionnaireVersion

router = Router(tags=["survey"])


class SurveyVersionSummaryOut(Schema):
    id: int
    version: str
    imported_at: datetime.datetime
    questions: int = Field(description="Rows of the version: questions, notes and calculations.")


class SurveyQuestionnaireOut(Schema):
    slug: str = Field(description="The questionnaire's identifier: the XLSForm `form_id`.")
    title: dict[str, str] = Field(description="Title by language code, from the newest version.")
    versions: list[SurveyVersionSummaryOut] = Field(description="Oldest first.")


class SurveyChoiceOut(Schema):
    name: str
    label: dict[str, str]
    columns: dict[str, str] = Field(
        description="The choice list's other columns (those a choice_filter reads)."
    )


class SurveyGroupOut(Schema):
    key: str
    kind: str = Field(description="`group` or `repeat`.")
    parent: str = Field(description="The key of the group around it, empty at the top.")
    relevant: str
    label: dict[str, str]


class SurveyQuestionOut(Schema):
    key: str = Field(description="The stable identifier, kept from one version to the next.")
    position: int
    kind: str
    group: str = Field(description="The top-level group (one page per group).")
    repeat: str = Field(description="The repeat the question is in; its answers have entries 1..n.")
    category: str
    label: dict[str, str]
    hint: dict[str, str]
    choices: list[SurveyChoiceOut]
    required: bool
    relevant: str
    constraint: str
    constraint_message: dict[str, str]
    calculation: str
    choice_filter: str
    evidence: bool = Field(description="Whether the answer should come with evidence.")


class SurveyVersionOut(Schema):
    id: int
    questionnaire: str
    version: str
    title: dict[str, str]
    default_language: str
    languages: list[str]
    imported_at: datetime.datetime
    groups: list[SurveyGroupOut]
    questions: list[SurveyQuestionOut]


def _summary(version: Any) -> dict[str, Any]:
    return {
        "id": version.pk,
        "version": version.version,
        "imported_at": version.imported_at,
        "questions": version.question_count,
    }


def _questionnaire(questionnaire: Questionnaire) -> dict[str, Any]:
    return {
        "slug": questionnaire.slug,
        "title": questionnaire.title,
        "versions": [_summary(v) for v in questionnaire.versions.all()],
    }


@router.get(
    "/survey/questionnaires",
    response=list[SurveyQuestionnaireOut],
    summary="Questionnaires and their versions",
)
@paginate(LimitOffset)
def list_questionnaires(request: HttpRequest) -> Any:
    """Every questionnaire of the national survey with its versions; public, as the questions are."""
    versions = QuestionnaireVersion.objects.annotate(question_count=Count("questions")).order_by(
        "imported_at", "pk"
    )
    questionnaires = Questionnaire.objects.prefetch_related(Prefetch("versions", versions)).order_by("slug")
    return Page(questionnaires, _questionnaire)


def _question(question: Question) -> dict[str, Any]:
    return {
        "key": question.key,
        "position": question.position,
        "kind": question.kind,
        "group": question.group,
        "repeat": question.repeat,
        "category": question.category,
        "label": question.label,
        "hint": question.hint,
        "choices": [
            {
                "name": c["name"],
                "label": c.get("label") or {},
                "columns": {k: str(v) for k, v in c.items() if k not in ("name", "label")},
            }
            for c in question.choices
        ],
        "required": question.required,
        "relevant": question.relevant,
        "constraint": question.constraint,
        "constraint_message": question.constraint_message,
        "calculation": question.calculation,
        "choice_filter": question.choice_filter,
        "evidence": question.evidence,
    }


@router.get(
    "/survey/versions/{version_id}", response=SurveyVersionOut, summary="One questionnaire version, whole"
)
def get_version(request: HttpRequest, version_id: int) -> Any:
    """Its groups and questions in order, with labels, choices and rules in every language it has."""
    version = get_object_or_404(QuestionnaireVersion.objects.select_related("questionnaire"), pk=version_id)
    groups = (version.form or {}).get("groups", [])
    return {
        "id": version.pk,
        "questionnaire": version.questionnaire.slug,
        "version": version.version,
        "title": version.title,
        "default_language": version.default_language,
        "languages": version.languages,
        "imported_at": version.imported_at,
        "groups": [
            {
                "key": g["key"],
                "kind": g["kind"],
                "parent": g.get("parent", ""),
                "relevant": g.get("relevant", ""),
                "label": g.get("label") or {},
            }
            for g in groups
        ],
        "questions": [_question(q) for q in version.questions.all()],
    }
