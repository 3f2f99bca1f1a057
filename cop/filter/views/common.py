"""Helpers shared by the filter's pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from cop.core.models import User


def guardian(request: HttpRequest) -> User:
    """The signed-in user; every view that calls this is behind login_required."""
    user = request.user
    assert isinstance(user, User)
    return user


def page(
    request: HttpRequest, template: str, context: dict[str, Any], *, invalid: bool = False
) -> HttpResponse:
    # A form sent with errors answers 400, so that scripts and tests can tell it from a success.
    return render(request, template, context, status=400 if invalid else 200)


def back_to_profile(profile_pk: int, anchor: str = "") -> HttpResponse:
    response = redirect("filter:profile", pk=profile_pk)
    if anchor:
        response["Location"] += "#" + anchor
    return response
