"""The JSON API, versioned under /api/v1/, with one error shape everywhere.

Every error body is {"code": <machine code>, "message": <human text>} plus
"details" for validation errors, whatever went wrong.
"""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser
from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder

from cop.alerts.api import router as alerts_router
from cop.core.api import router as core_router
from cop.core.errors import (
    STATUS_CODES,
    BadRequest,
    DomainError,
    Forbidden,
    Invalid,
    NotFound,
    Unauthenticated,
)
from cop.core.validation_messages import field_message
from cop.filter.api import router as filter_router
from cop.filter.list_api import router as filter_lists_router
from cop.guidance.api import router as guidance_router
from cop.helplines.api import router as helplines_router
from cop.reports.api import router as reports_router
from cop.survey.campaign_api import router as survey_campaigns_router
from cop.survey.questionnaire_api import router as survey_questionnaires_router
from cop.threats.api import router as threats_router

logger = logging.getLogger(__name__)


class AccessibleSwagger(Swagger):
    """Swagger UI with a language attribute, contrast fixes and no nested links."""

    template = "core/api_docs.html"


class NotJson(ValueError):
    """A JSON body sent with another content type."""


class JsonOnlyParser(Parser):
    """Reads a JSON body only when it is declared as `application/json`.

    A web page can make its visitors' browsers send a cross-site POST without asking the server first
    only as text/plain, a form or multipart; requiring the JSON type makes the browser ask (CORS), and
    this API allows no other origin. File uploads (multipart) do not pass through here.
    """

    def parse_body(self, request: HttpRequest) -> dict[str, Any]:
        if request.content_type != "application/json":
            raise NotJson(request.content_type)
        return cast(dict[str, Any], json.loads(request.body))


class ApiJsonEncoder(NinjaJSONEncoder):
    """One way to write a moment everywhere in the API: ISO 8601 to the second with its offset written
    out (`2026-03-02T07:00:00+00:00`), never `Z` in one place and microseconds in another."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime.datetime):
            return o.isoformat(timespec="seconds")
        return super().default(o)


class ApiRenderer(JSONRenderer):
    encoder_class = ApiJsonEncoder


# What each error status means, as every operation that can answer it documents it.
ERROR_DESCRIPTIONS = {
    400: "The request cannot be read: a body that is not JSON or a malformed multipart form, or an "
    "address Django refuses (control characters in the query string).",
    401: "No valid credentials: an API token (`Authorization: Bearer <token>`) or, for the family "
    "filter, the web site's session.",
    403: "The credentials do not allow this (the token's role, or a session's missing CSRF token).",
    404: "Nothing with this identifier is visible to the caller.",
    409: "The request conflicts with the current state (see the message).",
    413: "The body is larger than this operation accepts.",
    415: "The body was not sent as `Content-Type: application/json`.",
    422: "The request is not valid; `details` says where.",
    429: "Too many requests; try again later.",
}
ERROR_SCHEMA = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
WRITE_METHODS = {"post", "put", "patch", "delete"}


def error_statuses(method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses an operation can answer, from what it declares.

    Credentials give 401 and 403 (a token's role, a session's CSRF check on writes); a path parameter
    names something that may not exist or not be the caller's (404); any parameter or body can be
    invalid (422); a request can be unreadable (400), a body too large (413) or not JSON (415). Statuses that
    depend on the operation's own rules (409, 429) are declared by the operation itself.
    """
    # Any request can carry an address that cannot be read (Django answers 400 before the operation).
    statuses: set[int] = {400}
    schemes = {name for requirement in operation.get("security", []) for name in requirement}
    if schemes:
        statuses.add(401)
        if "TokenAuth" in schemes or method in WRITE_METHODS:
            statuses.add(403)
    parameters = operation.get("parameters", [])
    if any(p.get("in") == "path" for p in parameters):
        statuses.add(404)
    body = operation.get("requestBody", {}).get("content", {})
    if parameters or body:
        statuses.add(422)
    if body:
        statuses.add(413)
    if "application/json" in body:
        statuses.add(415)
    return statuses


def _close_form_bodies(operation: dict[str, Any]) -> None:
    """A multipart body (a file upload) names every field it takes, as JSON bodies do (api_fields.Body):
    the operation refuses any other field."""
    for media, content in operation.get("requestBody", {}).get("content", {}).items():
        if media == "multipart/form-data":
            content.get("schema", {})["additionalProperties"] = False


class CopApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        """Every operation documents every error status it can answer, with the one error body."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema.get("paths", {}).values():
            for method, operation in operations.items():
                if not isinstance(operation, dict):
                    continue
                _close_form_bodies(operation)
                responses = operation.setdefault("responses", {})
                declared = {int(status) for status in responses}
                for status in sorted(
                    error_statuses(method, operation) | (declared & set(ERROR_DESCRIPTIONS))
                ):
                    responses[status] = {"description": ERROR_DESCRIPTIONS[status], "content": ERROR_SCHEMA}
        return schema


api = CopApi(
    parser=JsonOnlyParser(),
    renderer=ApiRenderer(),
    # Deep links put a link inside each operation's toggle button, which
    # screen readers cannot reach as separate controls.
    docs=AccessibleSwagger(settings={"deepLinking": False}),
    title="COP Platform API",
    version="1",
    description=(
        "Public reference data (countries, ITU regions, development levels) and the "
        "organisations registry of the Child Online Protection platform. Reading is "
        "open; writing needs an organisation's API token, sent as "
        "`Authorization: Bearer <token>`. Every error has the body "
        '`{"code": "...", "message": "..."}`.'
    ),
    urls_namespace="api-v1",
)


def error(request: HttpRequest, status: int, message: str, **extra: object) -> HttpResponse:
    body = {"code": STATUS_CODES.get(status, "error"), "message": message, **extra}
    return api.create_response(request, body, status=status)


def error_response(request: HttpRequest, exc: DomainError) -> HttpResponse:
    """The one mapping of a domain error to the API's answer; its text in the request's language."""
    # The code follows the status, one per status whatever the cause: a refusal tells no more than its
    # message (one family's network "not yours" and an invalid one answer alike).
    body: dict[str, object] = {"code": STATUS_CODES.get(exc.status, "error"), "message": exc.text()}
    if exc.details:
        body["details"] = [{"location": d["location"], "message": str(d["message"])} for d in exc.details]
    # A client's mistake is one short line, never a traceback (a 5xx is logged by on_unexpected).
    logger.info("API %s %s: %s %s", request.method, request.path, exc.status, exc.code)
    return api.create_response(request, body, status=exc.status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return error_response(request, exc)


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {"location": [str(part) for part in e.get("loc", ())], "message": field_message(e)}
        for e in exc.errors
    ]
    return error_response(request, Invalid(_("The request is not valid; see details."), details=details))


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error_response(
        request, Unauthenticated(_("A valid API token is required (Authorization: Bearer <token>)."))
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    """django-ninja's own refusals (a body it cannot read); the platform's own code raises DomainError."""
    if isinstance(exc.__cause__, NotJson):
        # django-ninja turns any failure to read the body into a 400; this one has its own status.
        refusal = DomainError(
            _("Send the body as JSON, with the header Content-Type: application/json."), http_status=415
        )
    elif exc.status_code == 400:
        refusal = BadRequest(_("The request body cannot be read; send JSON."))
    else:
        refusal = DomainError(str(exc), http_status=exc.status_code)
    return error_response(request, refusal)


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error_response(request, Forbidden())


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    # Http404's own text (get_object_or_404's) names models, in English: the API says it in its words.
    return error_response(request, NotFound())


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled API error", exc_info=exc)
    return error(request, 500, gettext("Internal error. It has been logged."))


api.add_router("", core_router)
api.add_router("", threats_router)
api.add_router("", guidance_router)
api.add_router("", helplines_router)
api.add_router("", reports_router)
api.add_router("", alerts_router)
api.add_router("", filter_router)
api.add_router("", filter_lists_router)
api.add_router("", survey_campaigns_router)
api.add_router("", survey_questionnaires_router)
