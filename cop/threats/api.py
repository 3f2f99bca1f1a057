"""API of the threat classification.

No `from __future__ import annotations` here: django-ninja reads the
parameter annotations at run time.
"""

import datetime
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema
from ninja.pagination import paginate
from pydantic import StringConstraints

from cop.core.api import ErrorOut
from cop.core.errors import NotFound
from cop.core.pagination import LimitOffset, Page
from cop.threats.models import Classification, Risk

router = Router(tags=["threats"])


class ClassificationOut(Schema):
    version: int
    published_on: datetime.date
    source: str
    texts: dict[str, Any]


class RiskOut(Schema):
    code: str
    version: int
    dimension: str
    type: str
    texts: dict[str, Any]


def _risk_out(risk: Risk, version: int) -> dict[str, Any]:
    return {
        "code": risk.code,
        "version": version,
        "dimension": risk.dimension,
        "type": risk.type,
        "texts": risk.texts,
    }


def _version(version: int | None) -> Classification:
    if version is None:
        current = Classification.objects.current()
        if current is None:
            raise NotFound(_("The classification has not been loaded."))
        return current
    return get_object_or_404(Classification, version=version)


# A risk code as the classification writes them ("contact-sexual", "privacy").
RiskCodeInPath = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{1,40}$")]


# Not under /threats/: any name there is a risk code (/threats/{code}), and a list of versions answering
# for the code "versions" would break what that operation documents.
@router.get(
    "/classification/versions", response=list[ClassificationOut], summary="Versions of the classification"
)
@paginate(LimitOffset)
def list_versions(request: HttpRequest) -> Any:
    return Classification.objects.all()


# A `version` that does not exist is a 404, as in the path of /threats/{code}.
@router.get(
    "/threats",
    response={200: list[RiskOut], 404: ErrorOut},
    summary="Risks of a version (the newest by default)",
)
@paginate(LimitOffset)
def list_risks(request: HttpRequest, version: int | None = None) -> Any:
    """Each risk carries its texts in all six languages: name, description,
    examples, and a child-friendly name and explanation per age band."""
    classification = _version(version)
    return Page(classification.risks.all(), lambda risk: _risk_out(risk, classification.version))


@router.get("/threats/{code}", response=RiskOut, summary="One risk")
def get_risk(request: HttpRequest, code: RiskCodeInPath, version: int | None = None) -> Any:
    classification = _version(version)
    risk = get_object_or_404(Risk, classification=classification, code=code)
    return _risk_out(risk, classification.version)
