"""The largest request body the platform reads, checked before any of it is read.

Django bounds form fields (DATA_UPLOAD_MAX_MEMORY_SIZE) but not files: an upload is written to a
temporary file whole, and only then does a form find it too large. This middleware answers 413
from the Content-Length header alone, before the body is touched. Django never reads more than
Content-Length from the stream, and reads nothing of a body sent without one, so the header check
bounds what is read.

The limit is REQUEST_MAX_BYTES (COP_REQUEST_MAX_MB), which follows the library's upload limit by
default; the few views made for larger files (block-list uploads) name their own limit with
`allow_up_to`. The middleware must come after LocaleMiddleware, so that the refusal page is in the
page's language, and before anything that reads the body.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.defaultfilters import filesizeformat
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

# Room for the other fields of a form and the multipart framing around a file.
FORM_OVERHEAD_BYTES = 1024 * 1024

_larger: dict[str, Callable[[], int]] = {}


def allow_up_to(limit: Callable[[], int], *view_names: str) -> None:
    """Let the views named (as `reverse` names them, "app:name") take bodies of up to `limit()` bytes."""
    for name in view_names:
        _larger[name] = limit


def default_limit() -> int:
    return int(settings.REQUEST_MAX_BYTES)


def limit_for(request: HttpRequest) -> int:
    try:
        # The language prefix of the path resolves against the language LocaleMiddleware activated.
        match = resolve(request.path_info)
    except Resolver404:
        return default_limit()
    larger = _larger.get(match.view_name)
    return max(larger(), default_limit()) if larger is not None else default_limit()


def _declared_length(request: HttpRequest) -> int | None:
    value = str(request.META.get("CONTENT_LENGTH") or "").strip()
    return int(value) if value.isdigit() else None


def too_large(request: HttpRequest, limit: int) -> HttpResponse:
    response: HttpResponse
    if request.path.startswith("/api/"):
        # Like every API error (cop/api.py): a code for programs and a message in the request's language.
        message = _("The request body is larger than %(limit)s bytes, the most this operation accepts.") % {
            "limit": limit
        }
        response = JsonResponse({"code": "too_large", "message": message}, status=413)
    else:
        response = render(
            request,
            "core/error.html",
            {
                "title": _("Too large"),
                "message": _(
                    "What you sent is larger than %(limit)s, the most this page accepts. "
                    "Choose a smaller file."
                )
                % {"limit": filesizeformat(limit)},
            },
            status=413,
        )
    # Said here because CommonMiddleware, which would say it, never sees this answer; without it a
    # client could only find the end of the answer when the connection closes.
    response["Content-Length"] = str(len(response.content))
    return response


class RequestSizeMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        length = _declared_length(request)
        if length is not None and length > default_limit():
            limit = limit_for(request)
            if length > limit:
                return too_large(request, limit)
        return self.get_response(request)
