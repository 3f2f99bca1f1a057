"""API for block lists, with an organisation's token: a hotline pushes its illegal-content list,
the secretariat (or an operator's administrators) any list; both follow the import.

No `from __future__ import annotations` here: django-ninja reads the annotations at run time.
"""

from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from cop.core.api import ErrorOut, actor, token_auth
from cop.core.errors import Conflict, Invalid, NotFound, TooLarge
from cop.core.pagination import LimitOffset
from cop.filter import jobs, permissions
from cop.filter.list_forms import MAX_UPLOAD
from cop.filter.models import FilterList, ListVersion
from cop.filter.names import describe
from cop.filter.views.lists import progress

router = Router(tags=["family filter: block lists"], auth=token_auth)
PROBLEMS_SHOWN = 100


class VersionOut(Schema):
    number: int
    status: str
    origin: str
    lines: int
    blocked: int = Field(description="Block rules: names, patterns and addresses.")
    allowed: int = Field(description="Exception rules.")
    not_dns: int = Field(description="Cosmetic and web-address rules: skipped, never applied.")
    problem_count: int
    percent: int | None = Field(description="Share of the source read so far; null while unknown.")
    problems: list[dict[str, Any]] = Field(description="The first lines not understood, with the reason.")
    error: str


class ListOut(Schema):
    id: int
    name: str
    category: str
    source: str
    url: str
    enabled: bool
    active: VersionOut | None


def _version_out(version: ListVersion) -> dict[str, Any]:
    return {
        "number": version.number,
        "status": version.status,
        "origin": version.origin,
        "lines": version.lines,
        "blocked": version.blocked,
        "allowed": version.allowed,
        "not_dns": version.not_dns,
        "problem_count": version.problem_count,
        "percent": progress(version)["percent"],
        "problems": [
            {"line": p["line"], "text": p["text"], "reason": describe(p["reason"], p.get("params"))}
            for p in version.problems[:PROBLEMS_SHOWN]
        ],
        "error": version.error_text,
    }


def _list_out(filter_list: FilterList) -> dict[str, Any]:
    active = filter_list.active_version()
    return {
        "id": filter_list.pk,
        "name": filter_list.name,
        "category": filter_list.category,
        "source": filter_list.source,
        "url": filter_list.url,
        "enabled": filter_list.enabled,
        "active": _version_out(active) if active else None,
    }


def _list_for(request: HttpRequest, list_id: int) -> FilterList:
    filter_list = get_object_or_404(FilterList, pk=list_id)
    if not permissions.may_import(actor(request), filter_list):
        raise NotFound()
    return filter_list


@router.get("/filter/lists", response=list[ListOut], summary="The block lists this token may import into")
@paginate(LimitOffset)
def list_lists(request: HttpRequest) -> Any:
    return [_list_out(filter_list) for filter_list in permissions.lists_for(actor(request))]


@router.post(
    "/filter/lists/{list_id}/versions",
    response={202: VersionOut},
    summary="Import a new version from an uploaded file (multipart field `file`, and no other field)",
    url_name="filter_list_upload",
)
def upload_version(request: HttpRequest, list_id: int, file: File[UploadedFile]) -> Any:
    """The import runs in the background: follow it at the version's address. A file with nothing
    usable in it is rejected there, and the version in force stays."""
    filter_list = _list_for(request, list_id)
    # The form has one field, `file`, as the schema says (additionalProperties false): any other field,
    # an empty-named one included, or a second file, is refused rather than ignored.
    others = sorted((set(request.POST) | set(request.FILES)) - {"file"})
    if others or len(request.FILES.getlist("file")) != 1:
        raise Invalid(_("Send one field only, the file, named file."))
    if not file.size:
        raise Invalid(_("The file is empty."))
    if file.size > MAX_UPLOAD:
        raise TooLarge(_("The file is larger than %(size)s."), size="256 MB")
    version = jobs.import_upload(filter_list, file.name or "upload", file.chunks())
    return Status(202, _version_out(version))


@router.post(
    "/filter/lists/{list_id}/refresh",
    response={202: VersionOut, 409: ErrorOut},
    summary="Import again from the list's address",
)
def refresh_list(request: HttpRequest, list_id: int) -> Any:
    filter_list = _list_for(request, list_id)
    if not filter_list.url:
        raise Conflict(_("This list has no address to refresh from."))
    return Status(202, _version_out(jobs.import_from_address(filter_list)))


@router.get(
    "/filter/lists/{list_id}/versions/{number}", response=VersionOut, summary="An import and its result"
)
def get_version(request: HttpRequest, list_id: int, number: int) -> Any:
    filter_list = _list_for(request, list_id)
    return _version_out(get_object_or_404(ListVersion, filter_list=filter_list, number=number))
