"""The JSON API, versioned under /api/v1/, with one error shape everywhere.

Every error body is {"code": <machine code>, "message": <human text>} plus
"details" for validation errors, whatever went wrong.
"""

from __future__ import annotations

import json
import logging
from typing import Any, cast

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.parser import Parser

from cop.alerts.api import router as alerts_router
from cop.core.api import router as core_router
from cop.filter.api import router as filter_router
from cop.filter.list_api import router as filter_lists_router
from cop.guidance.api import router as guidance_router
from cop.helplines.api import router as helplines_router
from cop.reports.api import router as reports_router
from cop.threats.api import router as threats_router

logger = logging.getLogger(__name__)

STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "too_many_requests",
}


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


NOT_JSON_RESPONSE = {
    "description": "The body was not sent as `Content-Type: application/json`.",
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}},
}


class CopApi(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> OpenAPISchema:
        """Every operation with a JSON body documents the 415 that JsonOnlyParser gives."""
        schema = super().get_openapi_schema(**kwargs)
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                body = operation.get("requestBody", {}) if isinstance(operation, dict) else {}
                if "application/json" in body.get("content", {}):
                    operation.setdefault("responses", {}).setdefault(415, NOT_JSON_RESPONSE)
        return schema


api = CopApi(
    parser=JsonOnlyParser(),
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


@api.exception_handler(ValidationError)
def on_validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {"location": [str(part) for part in e.get("loc", ())], "message": str(e.get("msg", ""))}
        for e in exc.errors
    ]
    return error(request, 422, "The request is not valid; see details.", details=details)


@api.exception_handler(AuthenticationError)
def on_authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(request, 401, "A valid API token is required (Authorization: Bearer <token>).")


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, NotJson):
        # django-ninja turns any failure to read the body into a 400; this one has its own status.
        return error(request, 415, "Send the body as JSON, with the header Content-Type: application/json.")
    return error(request, exc.status_code, str(exc))


@api.exception_handler(PermissionDenied)
def on_permission_denied(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return error(request, 403, "This token's role does not allow this here.")


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(request, 404, str(exc) or "Not found.")


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled API error", exc_info=exc)
    return error(request, 500, "Internal error. It has been logged.")


api.add_router("", core_router)
api.add_router("", threats_router)
api.add_router("", guidance_router)
api.add_router("", helplines_router)
api.add_router("", reports_router)
api.add_router("", alerts_router)
api.add_router("", filter_router)
api.add_router("", filter_lists_router)
