"""The platform's one domain error: a stable code, a message for people and the HTTP status it means.

Code that refuses something raises `DomainError` (or one of its kinds below) with a lazy message and
its `%(name)s` parameters. The text is put together only when it is shown (`text()`), in the language
active then: an error raised while handling an English request and shown to a French analyst reads in
French. The API maps it once (cop/api.py, the `ErrorOut` body); pages show it with `show_on_page`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.http import HttpRequest
    from django.http.response import HttpResponseBase

# Django's HTTP and messages modules are imported where they are used, not here: the filter's DNS
# workers raise these errors too, and must not load Django's request and database machinery.

# The `code` of the API's error body, by HTTP status.
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
    500: "error",
}


class DomainError(Exception):
    """A refusal the person who asked must read. Subclasses set the status and a default message."""

    status: int = 422
    default_message: ClassVar[str | Promise] = _("The request is not valid.")

    def __init__(
        self,
        message: str | Promise | None = None,
        *,
        code: str | None = None,
        http_status: int | None = None,
        details: list[dict[str, Any]] | None = None,
        **params: Any,
    ) -> None:
        self.message = message if message is not None else self.default_message
        self.status = http_status or type(self).status
        self.code = code or STATUS_CODES.get(self.status, "error")
        self.params = params
        # Per-field problems (location and message), as the API's validation errors have them.
        self.details = details or []
        super().__init__(self.code)

    def text(self) -> str:
        """The message in the active language, its parameters filled in."""
        template = str(self.message)
        return template % self.params if self.params else template

    def __str__(self) -> str:
        return self.text()

    def stored(self) -> StoredMessage:
        return stored_message(self.message, self.params)


# A message kept in the database to be shown later, to whoever reads it then, in their language:
# {"message": <msgid, English>, "params": {name: value}}. Storing the text would freeze it in the
# language of whoever (or whichever background job) happened to cause it.
StoredMessage = dict[str, Any]


def stored_message(message: str | Promise, params: dict[str, Any] | None = None) -> StoredMessage:
    """`message` and its parameters, to keep. A parameter may itself be a stored message (a reason
    quoted in a message), shown in the reader's language too."""
    with translation.override(None):
        msgid = str(message)  # a lazy message gives back its msgid when no language is active
    plain = {name: _storable(value) for name, value in (params or {}).items()}
    return {"message": msgid, "params": plain}


def _storable(value: Any) -> Any:
    if isinstance(value, dict) and "message" in value:
        return value
    return value if isinstance(value, int | float | str) else str(value)


def shown_message(record: StoredMessage | None) -> str:
    """A stored message in the active language; a msgid the catalogs do not know is shown as it is."""
    if not record or not record.get("message"):
        return ""
    template = gettext(str(record["message"]))
    params = {
        name: shown_message(value) if isinstance(value, dict) else value
        for name, value in (record.get("params") or {}).items()
    }
    try:
        return template % params if params else template
    except (KeyError, TypeError, ValueError):
        # A translation that lost a placeholder must not hide the message: the English one has them.
        return str(record["message"]) % params


class Invalid(DomainError):
    status = 422


class NotFound(DomainError):
    status = 404
    default_message = _("Not found.")


class Conflict(DomainError):
    status = 409
    default_message = _("This conflicts with the current state.")


class Forbidden(DomainError):
    status = 403
    default_message = _("This token's role does not allow this here.")


class Unauthenticated(DomainError):
    status = 401


class TooMany(DomainError):
    status = 429


class TooLarge(DomainError):
    status = 413


class BadRequest(DomainError):
    status = 400


def show_on_page(request: HttpRequest, error: DomainError) -> None:
    """A page's one way to tell its reader about a refusal: a message in their language."""
    from django.contrib import messages

    messages.error(request, error.text())


class ApiErrorShapeMiddleware:
    """Every error answer under /api/ has the API's JSON shape, whoever made it.

    The API's own handlers (cop/api.py) cover what its operations raise; this covers what comes from
    outside them: django-ninja's 405 for a method an address does not take, Django's 404 for an address
    no operation has (an HTML page, or a debug page in development).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        from django.http import JsonResponse

        response = self.get_response(request)
        if (
            not request.path.startswith("/api/")
            or response.status_code < 400
            or response.get("Content-Type", "").startswith("application/json")
            or request.path.startswith("/api/v1/docs")
        ):
            return response
        status = response.status_code
        message = API_MESSAGES.get(status, _("The request cannot be answered."))
        body = {
            "code": STATUS_CODES.get(status, "error"),
            "message": str(message) % {"method": request.method},
        }
        answer = JsonResponse(body, status=status)
        for header in ("Allow", "Retry-After"):
            if header in response:
                answer[header] = response[header]
        return answer


API_MESSAGES: dict[int, str | Promise] = {
    404: _("No API operation has this address; see /api/v1/docs."),
    405: _("This address does not accept the method %(method)s; the Allow header lists those it takes."),
}
