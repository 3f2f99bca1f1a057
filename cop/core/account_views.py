"""Pages of one's own account: signing up, confirming the e-mail address, deleting the account.

The rule that runs through them: nothing here tells anyone which usernames or addresses have
accounts (cop/core/confirmation.py says how signing up keeps to it).
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cop.core import confirmation, deletion, notifications
from cop.core.forms import DeleteAccountForm, NotificationSettingsForm, SignUpForm, SignUpStartForm
from cop.core.models import User, normalise_email

# The address typed on the sign-up page, kept for the "send it again" button of the next page.
SIGNUP_ADDRESS = "cop_signup_address"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@never_cache
def signup(request: HttpRequest) -> HttpResponse:
    """Accounts for parents and guardians, who manage their family filter and belong to no organisation.

    The first step asks for an address only, and answers the same whatever it is.
    """
    if request.user.is_authenticated:
        return redirect("filter:dashboard")
    form = SignUpStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        address = form.cleaned_data["email"]
        confirmation.start_signup(request, address)
        request.session[SIGNUP_ADDRESS] = normalise_email(address)
        return redirect("core:signup-sent")
    return render(request, "core/signup.html", {"form": form}, status=400 if form.is_bound else 200)


@never_cache
def signup_sent(request: HttpRequest) -> HttpResponse:
    address = request.session.get(SIGNUP_ADDRESS, "")
    return render(
        request, "core/signup_sent.html", {"address": address, "days": confirmation.LINK_MAX_AGE.days}
    )


def _next(request: HttpRequest) -> str:
    """Where to go after signing up: a page of this site given as `next`, else the family filter."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return ""


@never_cache
def signup_finish(request: HttpRequest, token: str) -> HttpResponse:
    """The second step, through the mailed link: a username and password for the confirmed address."""
    if request.user.is_authenticated:
        return redirect("filter:dashboard")
    try:
        address = confirmation.signup_address(token)
    except confirmation.LinkInvalid:
        return _link_invalid(request, _("This sign-up link cannot be used"), signup=True)
    form = SignUpForm(request.POST or None, instance=User(email=address))
    if request.method == "POST" and form.is_valid():
        try:
            user = confirmation.create_account(form.save(commit=False), address)
        except confirmation.AddressTaken:
            return _link_invalid(request, _("This sign-up link cannot be used"), signup=True)
        # Two authentication backends are configured; the account was just made, so name the plain one.
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        request.session.pop(SIGNUP_ADDRESS, None)
        messages.success(
            request, _("Welcome, %(name)s. Your account is ready.") % {"name": user.get_username()}
        )
        # By URL name, so that core does not import the app built on top of it.
        return redirect(_next(request) or "filter:dashboard")
    return render(
        request,
        "core/signup_finish.html",
        {"form": form, "address": address, "next": _next(request)},
        status=400 if form.is_bound else 200,
    )


def _link_invalid(request: HttpRequest, title: str, *, signup: bool = False) -> HttpResponse:
    return render(request, "core/link_invalid.html", {"title": title, "signup": signup}, status=404)


@login_required
@require_POST
def confirmation_send(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    if user.has_confirmed_email:
        messages.info(request, _("Your e-mail address is confirmed already."))
    elif confirmation.send_confirmation(request, user):
        messages.success(
            request,
            _("We sent a link to %(address)s. Open it within %(days)s days to confirm the address.")
            % {"address": user.email, "days": confirmation.LINK_MAX_AGE.days},
        )
    else:
        messages.error(
            request, _("A link went to this address a short while ago. Look for it, or try again in an hour.")
        )
    return redirect("core:account")


@never_cache
def confirmation_open(request: HttpRequest, token: str) -> HttpResponse:
    """The mailed confirmation link; it works without signing in, as opening it is the proof."""
    try:
        user = confirmation.confirm(token)
    except confirmation.LinkInvalid:
        return _link_invalid(request, _("This confirmation link cannot be used"))
    except confirmation.AddressTaken:
        return render(
            request,
            "core/error.html",
            {
                "title": _("This address belongs to another account"),
                "message": _(
                    "Another account confirmed this e-mail address first. Change the address of this "
                    "account, or sign in to the other one."
                ),
            },
            status=409,
        )
    messages.success(request, _("Your e-mail address %(address)s is confirmed.") % {"address": user.email})
    return redirect("core:account" if request.user.is_authenticated else "core:login")


@login_required
@never_cache
def account_delete(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    allowed = deletion.may_delete_itself(user)
    form = DeleteAccountForm(request.POST or None) if allowed else None
    if request.method == "POST":
        if form is None:
            return render(request, "core/account_delete.html", {"allowed": False}, status=403)
        if form.is_valid():
            # Through authenticate(), so that guessing the password here counts toward the lock-out.
            checked = authenticate(
                request, username=user.get_username(), password=form.cleaned_data["password"]
            )
            if checked is not None and checked.pk == user.pk:
                deletion.delete_account(user)
                logout(request)
                messages.success(request, _("Your account is deleted, with everything listed on its page."))
                return redirect("core:home")
            form.add_error("password", _("This is not your password."))
    return render(
        request,
        "core/account_delete.html",
        {"allowed": allowed, "form": form, "consequences": deletion.consequences(user)},
        status=400 if form is not None and form.is_bound else 200,
    )


@login_required
@never_cache
def notification_settings(request: HttpRequest) -> HttpResponse:
    """Which notifications this person gets by e-mail, and in which language."""
    user = _user(request)
    kinds = notifications.kinds_for(user)
    current = notifications.settings_of(user)
    form = NotificationSettingsForm(
        request.POST or None,
        kinds=kinds,
        initial={
            "on": [kind.key for kind in kinds if kind.key not in current.off],
            "language": current.language or get_language(),
        },
    )
    if request.method == "POST" and form.is_valid():
        on = set(form.cleaned_data.get("on", []))
        # Kinds that do not concern this person now keep their setting, for when they do again.
        current.off = sorted({*current.off, *(kind.key for kind in kinds)} - on)
        current.language = form.cleaned_data["language"]
        current.save()
        messages.success(request, _("Your notification settings are saved."))
        return redirect("core:notifications")
    context = {"form": form, "kinds": kinds, "confirmed": user.has_confirmed_email}
    return render(request, "core/notifications.html", context, status=400 if form.is_bound else 200)
