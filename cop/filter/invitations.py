"""Inviting another parent or guardian to a family, and accepting: nobody becomes a guardian unasked.

A guardian whose e-mail address is confirmed types the other person's address. The platform mails
a link there and answers the inviter the same whatever the address: it does not even look up
whether the address has an account, so the answer cannot tell. The invitation shows as pending to
the family's guardians, who may revoke it, until it is accepted or expires (`VALID_FOR`).

The link is the invitation's number and a random nonce, signed with the SECRET_KEY; it works once.
Whoever opens it signs in, or creates an account there and then (the link proves they read mail at
the address, so the new account's address starts confirmed), and accepts. The accepting account
need not use the invited address, as people keep accounts under other addresses: the link is the
key, and it went to the person the inviter chose. The family's page names every guardian.

Limits keep the invitation form from being a way to send mail to strangers: an inviter with a
confirmed address, `MAX_PENDING` live invitations per family, `MAX_PER_DAY` per inviter, and the
mail module's limit per recipient.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from django.core import signing
from django.db import transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from cop.core import confirmation, mail
from cop.core.models import User, normalise_email
from cop.filter import access, actions
from cop.filter.models import Family, Invitation

SALT = "cop.filter.invitation"
VALID_FOR = timedelta(days=7)
MAX_PENDING = 10
MAX_PER_DAY = 20
# Invitations, from any family, that one address may get in an hour.
MAX_PER_RECIPIENT = 3


class Gone(Exception):
    """A link that is forged, expired, used, revoked or of a deleted family: the page says it in one way."""


def live(family: Family) -> QuerySet[Invitation]:
    """The family's invitations still waiting for an answer, newest first."""
    return family.invitations.filter(status=Invitation.Status.PENDING, expires_at__gt=timezone.now())


def token_for(invitation: Invitation) -> str:
    return signing.dumps([invitation.pk, invitation.nonce], salt=SALT)


def invite(family: Family, inviter: User, address: str, link_for: Callable[[str], str]) -> Invitation:
    """Record an invitation and queue its mail; `link_for` turns a token into the absolute link.

    Raises actions.Refused, changing nothing, when a rule says no; none of the rules looks at
    whether the address has an account.
    """
    if not inviter.has_confirmed_email:
        raise actions.Refused(
            _(
                "Confirm your e-mail address first, on your account's page: only an account with a "
                "confirmed address can invite."
            ),
            code="unconfirmed",
        )
    address = normalise_email(address)
    pending = live(family)
    if pending.filter(email=address).exists():
        raise actions.Refused(
            _("An invitation to %(address)s is pending already. Revoke it to send a new one."),
            address=address,
        )
    if pending.count() >= MAX_PENDING:
        raise actions.Refused(
            _("This family has %(count)s invitations waiting for an answer. Revoke one to send another."),
            count=MAX_PENDING,
            code="too_many_requests",
        )
    since = timezone.now() - timedelta(days=1)
    if Invitation.objects.filter(invited_by=inviter, created_at__gte=since).count() >= MAX_PER_DAY:
        raise actions.Refused(
            _("You sent %(count)s invitations in the last day. Try again tomorrow."),
            count=MAX_PER_DAY,
            code="too_many_requests",
        )
    with transaction.atomic():
        invitation = Invitation.objects.create(
            family=family, email=address, invited_by=inviter, expires_at=timezone.now() + VALID_FOR
        )
        context = {
            "inviter": inviter.get_username(),
            "family": family.name,
            "link": link_for(token_for(invitation)),
            "days": VALID_FOR.days,
        }
        subject = _("%(inviter)s invites you to manage a family filter on the COP Platform") % {
            "inviter": inviter.get_username()
        }
        body = render_to_string("filter/mail/invitation.txt", context)
        if mail.queue(address, subject, body, purpose="invitation", limit=MAX_PER_RECIPIENT) is None:
            # Raised inside the transaction: the invitation is not kept either.
            raise actions.Refused(
                _("Too many invitations went to this address in the last hour. Try again later."),
                code="too_many_requests",
            )
    return invitation


def find(token: str) -> Invitation:
    """The live invitation a link stands for; Gone otherwise."""
    try:
        data = signing.loads(token, salt=SALT, max_age=VALID_FOR)
    except signing.BadSignature:
        raise Gone from None
    if not (
        isinstance(data, list) and len(data) == 2 and isinstance(data[0], int) and isinstance(data[1], str)
    ):
        raise Gone
    invitation = Invitation.objects.select_related("family", "invited_by").filter(pk=data[0]).first()
    if invitation is None or not constant_time_compare(invitation.nonce, data[1]) or not invitation.is_live():
        raise Gone
    return invitation


def accept(token: str, user: User) -> Invitation:
    """Make `user` a guardian of the invitation's family and use the invitation up.

    Gone if the link no longer works; actions.Refused if `user` is a guardian already (the
    invitation then stays for the person it was meant for).
    """
    with transaction.atomic():
        # Locked, so that of two people opening one link at once only one gets in.
        invitation = Invitation.objects.select_for_update().filter(pk=find(token).pk).first()
        if invitation is None or not invitation.is_live():
            raise Gone
        family = invitation.family
        if access.is_guardian(user, family):
            raise actions.Refused(
                _("You are already a guardian of %(family)s. This invitation is for someone else."),
                family=family.name,
            )
        actions.join_family(family, user)
        invitation.status = Invitation.Status.ACCEPTED
        invitation.accepted_by = user
        invitation.closed_at = timezone.now()
        invitation.save()
        # Opening the link proved the address; if it is this account's, it is confirmed now.
        if not user.has_confirmed_email and normalise_email(user.email) == invitation.email:
            try:
                confirmation.mark_confirmed(user)
            except confirmation.AddressTaken:
                pass  # another account confirmed it first; this one stays unconfirmed
    return invitation


def revoke(invitation: Invitation) -> None:
    if invitation.status == Invitation.Status.PENDING:
        invitation.status = Invitation.Status.REVOKED
        invitation.closed_at = timezone.now()
        invitation.save()
