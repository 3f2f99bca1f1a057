from __future__ import annotations

import ipaddress
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from cop.core import audit


def client_ip(request: HttpRequest) -> str | None:
    """The address of the client: REMOTE_ADDR, or behind the TLS proxy what the proxy saw.

    A client may send an X-Forwarded-For of its own; the proxy appends the address it received
    the request from, so only the last entry is trusted, and only when COP_BEHIND_TLS_PROXY says
    there is such a proxy (without it, every client behind the proxy would share its address).
    """
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").rsplit(",", 1)[-1].strip()
        try:
            return str(ipaddress.ip_address(forwarded))
        except ValueError:
            pass
    return request.META.get("REMOTE_ADDR") or None


class RejectNullCharactersMiddleware:
    """Refuses a request carrying a NUL character in its path, query or JSON body.

    No field of the platform takes one, and PostgreSQL cannot store or even
    compare text containing it: left alone it would turn a bad request into a
    server error. Forms already refuse it field by field; this covers the rest.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        body = request.content_type == "application/json" and (
            b"\\u0000" in request.body or b"\x00" in request.body
        )
        if "\x00" in request.path or "%00" in query or "\x00" in query or body:
            # Answered here rather than raised: a raised BadRequest is logged with its traceback, and a
            # client's mistake is not worth one. Imported here: the views import much of the platform.
            from cop.core.views import error_400

            return error_400(request)
        return self.get_response(request)


class AuditActorMiddleware:
    """Makes the signed-in user the actor of any audited write in this request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            actor = audit.user_actor(user, client_ip(request))
        else:
            actor = audit.anonymous_actor()
        with audit.acting_as(actor):
            return self.get_response(request)


class SecurityHeadersMiddleware:
    """Adds a Content-Security-Policy: the site needs no third-party resources."""

    POLICY = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # The interactive API docs run an inline start-up script of their own.
        if not request.path.startswith("/api/"):
            response.headers.setdefault("Content-Security-Policy", self.POLICY)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
