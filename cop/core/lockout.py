"""Sign-in lock-out: by account and client address together, with a cool-off that grows.

django-axes counts failed sign-ins and refuses a locked account; the settings point it at the
functions here (AXES_* in cop/settings.py). Failures count per account name *and* address, so
failures with someone else's name lock only the address they come from: another person behind the
same address, and the account's owner from anywhere else, are not affected. A lock lifts after
LOGIN_COOLOFF; each further lock-out of the same account and address doubles it, up to
LOGIN_COOLOFF_MAX. A password reset lifts every lock of the account (`forget`).
"""

from __future__ import annotations

import ipaddress
import math
import unicodedata
from datetime import datetime, timedelta
from typing import Any

from axes.models import AccessAttempt, AccessAttemptExpiration
from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.timesince import timeuntil
from django.utils.translation import gettext as _

from cop.core.middleware import client_ip
from cop.core.models import LoginLockout

# A lock-out counts as a repeat of the previous one if it comes within this time after that one ended.
MEMORY = timedelta(days=1)
IPV6_NETWORK = 64


def lockout_address(request: HttpRequest) -> str | None:
    """The client address failures count against: an IPv6 /64 (one home or office) counts as one."""
    address = client_ip(request)
    if address is None:
        return None
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/{IPV6_NETWORK}", strict=False).network_address)
    return str(ip)


def lockout_username(request: HttpRequest, credentials: dict[str, Any] | None = None) -> str | None:
    """The account name tried, written as the sign-in form cleans it, whichever way axes meets it."""
    if credentials:
        raw = credentials.get("username")
    else:
        raw = request.POST.get("username") if request is not None else None
    if raw is None:
        return None
    return unicodedata.normalize("NFKC", str(raw)).strip()


def cool_off_after(lockouts: int) -> timedelta:
    """LOGIN_COOLOFF for the first lock-out, doubled for each further one, at most LOGIN_COOLOFF_MAX."""
    base: timedelta = settings.LOGIN_COOLOFF
    longest: timedelta = settings.LOGIN_COOLOFF_MAX
    doublings = max(lockouts - 1, 0)
    if doublings >= 32 or base * (1 << doublings) > longest:
        return longest
    return base * (1 << doublings)


def _remembered(lockout: LoginLockout | None, now: datetime) -> int:
    if lockout is None or lockout.locked_until + MEMORY < now:
        return 0
    return lockout.lockouts


def _now(request: HttpRequest | None) -> datetime:
    moment = getattr(request, "axes_attempt_time", None)
    return moment if isinstance(moment, datetime) else timezone.now()


def _pair(request: HttpRequest, credentials: dict[str, Any] | None = None) -> tuple[str | None, str | None]:
    address = getattr(request, "axes_ip_address", None) or lockout_address(request)
    return lockout_username(request, credentials), address


def cool_off(request: HttpRequest | None = None) -> timedelta:
    """AXES_COOLOFF_TIME: how long failures of this account and address count, and a lock lasts.

    It is the cool-off of the latest lock-out of the pair, so it stays the same from the moment a
    lock starts until the next one: axes measures the lock from the last failure with this value.
    """
    if request is None:
        return cool_off_after(1)
    username, address = _pair(request)
    lockout = LoginLockout.objects.filter(username=username, ip_address=address).first()
    return cool_off_after(max(_remembered(lockout, _now(request)), 1))


def record_lockout(
    sender: object, request: HttpRequest | None, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    """On axes' user_locked_out: count a new lock-out of the pair (not a try during one in force)."""
    if request is None or username is None:
        return
    now = _now(request)
    with transaction.atomic():
        lockout, created = LoginLockout.objects.select_for_update().get_or_create(
            username=username, ip_address=ip_address, defaults={"locked_until": now}
        )
        if not created and lockout.locked_until > now:
            return
        lockout.lockouts = _remembered(lockout, now) + 1
        lockout.locked_until = now + cool_off_after(lockout.lockouts)
        lockout.save(update_fields=["lockouts", "locked_until"])
        # Axes dated these failures' expiry with the previous, shorter cool-off; anyone's next
        # failed sign-in clears expired failures, which would end this longer lock too early.
        AccessAttemptExpiration.objects.filter(
            access_attempt__username=username,
            access_attempt__ip_address=ip_address,
            expires_at__lt=lockout.locked_until,
        ).update(expires_at=lockout.locked_until)
    LoginLockout.objects.filter(locked_until__lt=now - MEMORY).delete()


def forget_pair(sender: object, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """On a successful sign-in: the person knows the password, so this address starts afresh."""
    LoginLockout.objects.filter(
        username=user.get_username(), ip_address=getattr(request, "axes_ip_address", None)
    ).delete()


def forget(username: str) -> None:
    """Lift every lock of an account, from every address (after a password reset)."""
    axes_reset(username=username)
    LoginLockout.objects.filter(username=username).delete()


def locked_until(request: HttpRequest, credentials: dict[str, Any] | None = None) -> datetime:
    """When the lock of this request's account and address lifts, as axes decides it."""
    username, address = _pair(request, credentials)
    last = AccessAttempt.objects.filter(username=username, ip_address=address).aggregate(
        last=Max("attempt_time")
    )["last"]
    return (last or _now(request)) + cool_off(request)


def _wants_json(request: HttpRequest) -> bool:
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        return True
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: a page, or the API's error shape, saying when to try again."""
    now = timezone.now()
    seconds = max(math.ceil((locked_until(request, credentials) - now).total_seconds()), 1)
    # In whole minutes, rounded up: "0 minutes" would read as "now".
    duration = timeuntil(now + timedelta(minutes=math.ceil(seconds / 60)), now)
    message = _(
        "Too many failed sign-ins to this account from your address. You can try again in "
        "%(duration)s. Resetting your password unlocks the account at once."
    ) % {"duration": duration}
    response: HttpResponse
    if _wants_json(request):
        response = JsonResponse(
            {"code": "too_many_requests", "message": message, "retry_after": seconds},
            status=settings.AXES_HTTP_RESPONSE_CODE,
        )
    else:
        response = render(
            request, "core/locked_out.html", {"message": message}, status=settings.AXES_HTTP_RESPONSE_CODE
        )
    response["Retry-After"] = str(seconds)
    return response
