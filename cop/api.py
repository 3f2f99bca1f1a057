"""The JSON API, versioned under /api/v1/, with one error shape everywhere.

Every error body is {"code": <machine code>, "message": <human text>} plus
"details" for validation errors, whatever went wrong.
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

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
    422: "invalid_request",
    429: "too_many_requests",
}


class AccessibleSwagger(Swagger):
    """Swagger UI with a language attribute, contrast fixes and no nested links."""

    template = "core/api_docs.html"


api = NinjaAPI(
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
