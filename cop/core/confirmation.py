"""Proving an e-mail address with a signed, expiring link mailed to it.

Two links, neither stored anywhere: each is signed with the SECRET_KEY under a salt of its own,
carries its time, and expires after `LINK_MAX_AGE`.

- The sign-up link. Signing up starts with an address only; the page answers the same whatever
  the address, and a message goes to it: a link to choose a username and password if no account
  has confirmed the address, else a reminder to the account's owner that they have one. So the page
  tells nobody which addresses have accounts, and no account is made for an address its maker
  cannot read. The link works until an account confirms the address (then it is used up).
- The confirmation link, for an account whose address is not confirmed (accounts made before
  confirmation existed, or by an operator): sent on request from "My account". It works until the
  account's address changes.

What needs a confirmed address: password reset mails go only to confirmed addresses
(`cop.core.forms.ConfirmedAddressPasswordResetForm`), and only an account with a confirmed address
invites another guardian to a family. Signing in never needs one, so nobody is locked out of an
account they have.
"""

from __future__ import annotations

from datetime import timedelta

from django.core import signing
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from cop.core import mail
from cop.core.models import User, normalise_email

SIGNUP_SALT = "cop.core.signup"
CONFIRM_SALT = "cop.core.confirm-email"
LINK_MAX_AGE = timedelta(days=3)


class LinkInvalid(Exception):
    """A link that is forged, expired or used up; the page says so without saying which."""


class AddressTaken(Exception):
    """Another account already confirmed this address."""


def owner_of(address: str) -> User | None:
    """The active account that confirmed `address`, if any."""
    return User.objects.filter(confirmed_email=normalise_email(address), is_active=True).first()


def _days() -> int:
    return LINK_MAX_AGE.days


# Signing up


def signup_token(address: str) -> str:
    return signing.dumps({"e": normalise_email(address)}, salt=SIGNUP_SALT)


def signup_address(token: str) -> str:
    """The address a sign-up link was sent to; LinkInvalid if forged, expired or used up."""
    try:
        data = signing.loads(token, salt=SIGNUP_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        raise LinkInvalid from None
    address = data.get("e") if isinstance(data, dict) else None
    if not isinstance(address, str) or not address or owner_of(address) is not None:
        raise LinkInvalid
    return address


def start_signup(request: HttpRequest, address: str) -> None:
    """Mail the sign-up link, or the reminder to the address's owner; the caller answers the same."""
    address = normalise_email(address)
    login_url = request.build_absolute_uri(reverse("core:login"))
    if owner_of(address) is not None:
        subject = _("You already have an account on the COP Platform")
        body = render_to_string("core/mail/signup_existing.txt", {"login_url": login_url})
    else:
        link = request.build_absolute_uri(reverse("core:signup-finish", args=[signup_token(address)]))
        subject = _("Create your account on the COP Platform")
        body = render_to_string("core/mail/signup.txt", {"link": link, "days": _days()})
    mail.queue(address, subject, body, purpose="signup")


def create_account(form_user: User, address: str) -> User:
    """Save the account a sign-up link's form made, its address confirmed by the link.

    AddressTaken if another account confirmed the address meanwhile (the link was used twice).
    """
    form_user.email = address
    form_user.confirmed_email = normalise_email(address)
    try:
        with transaction.atomic():
            form_user.save()
    except IntegrityError:
        raise AddressTaken from None
    return form_user


# Confirming the address of an existing account


def confirmation_token(user: User) -> str:
    return signing.dumps({"u": user.pk, "e": normalise_email(user.email)}, salt=CONFIRM_SALT)


def send_confirmation(request: HttpRequest, user: User) -> bool:
    """Mail `user` a confirmation link; False when none was queued (no address, or sent too often)."""
    if not user.email or user.has_confirmed_email:
        return False
    link = request.build_absolute_uri(reverse("core:confirm-email", args=[confirmation_token(user)]))
    body = render_to_string(
        "core/mail/confirm.txt", {"link": link, "days": _days(), "username": user.get_username()}
    )
    subject = _("Confirm your e-mail address on the COP Platform")
    return mail.queue(user.email, subject, body, purpose="confirm") is not None


def confirm(token: str) -> User:
    """Confirm the address a confirmation link was made for.

    LinkInvalid if forged, expired, or the account's address changed since; AddressTaken if
    another account confirmed the same address first.
    """
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        raise LinkInvalid from None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        raise LinkInvalid
    user = User.objects.filter(pk=data["u"], is_active=True).first()
    if user is None or normalise_email(user.email) != data.get("e"):
        raise LinkInvalid
    if user.has_confirmed_email:
        return user
    return mark_confirmed(user)


def mark_confirmed(user: User) -> User:
    """Record that `user` proved their current address; AddressTaken if another account holds it."""
    address = normalise_email(user.email)
    if User.objects.filter(confirmed_email=address).exclude(pk=user.pk).exists():
        raise AddressTaken
    user.confirmed_email = address
    try:
        with transaction.atomic():
            user.save(update_fields=["confirmed_email"])
    except IntegrityError:
        raise AddressTaken from None
    return user
