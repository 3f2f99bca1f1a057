"""Inviting another guardian to a family (its guardians), and answering an invitation (who holds its link)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from cop.core import confirmation
from cop.core.errors import show_on_page
from cop.core.models import User
from cop.filter import access, actions, invitations
from cop.filter.forms import InvitationForm
from cop.filter.views.common import guardian, page
from cop.filter.views.families import family_page


def link_maker(request: HttpRequest) -> Callable[[str], str]:
    """Turns an invitation's token into the absolute link mailed to the invitee."""
    return lambda token: request.build_absolute_uri(reverse("filter:invitation", args=[token]))


@login_required
@require_POST
def invitation_create(request: HttpRequest, pk: int) -> HttpResponse:
    family = access.family_for(guardian(request), pk)
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = invitations.invite(
                family, guardian(request), form.cleaned_data["email"], link_maker(request)
            )
        except actions.Refused as refused:
            form.add_error("email", refused.text())
        else:
            # The same words whether or not the address has an account: the platform did not look.
            messages.success(
                request,
                _(
                    "We sent an invitation to %(address)s. It shows below as pending until it is accepted, "
                    "for %(days)s days at most."
                )
                % {"address": invitation.email, "days": invitations.VALID_FOR.days},
            )
            return redirect("filter:family", pk=family.pk)
    return family_page(request, family, invitation_form=form)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int, invitation_pk: int) -> HttpResponse:
    family = access.family_for(guardian(request), pk)
    invitation = invitations.live(family).filter(pk=invitation_pk).first()
    if invitation is None:
        raise Http404(_("No pending invitation with this number is yours to revoke."))
    invitations.revoke(invitation)
    messages.success(
        request,
        _("The invitation to %(address)s is revoked: its link no longer works.")
        % {"address": invitation.email},
    )
    return redirect("filter:family", pk=family.pk)


def _gone(request: HttpRequest) -> HttpResponse:
    response = page(request, "filter/invitation_gone.html", {})
    response.status_code = 404
    return response


@never_cache
def invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The mailed link: who invites to which family; sign in or create an account, then accept."""
    try:
        found = invitations.find(token)
    except invitations.Gone:
        return _gone(request)
    user = request.user if isinstance(request.user, User) and request.user.is_authenticated else None
    if request.method == "POST":
        if user is None:
            return redirect(f"{reverse('core:login')}?{urlencode({'next': request.path})}")
        try:
            accepted = invitations.accept(token, user)
        except invitations.Gone:
            return _gone(request)
        except actions.Refused as refused:
            show_on_page(request, refused)
            return redirect("filter:invitation", token=token)
        messages.success(
            request, _("You are now a guardian of %(family)s.") % {"family": accepted.family.name}
        )
        return redirect("filter:family", pk=accepted.family_id)
    context: dict[str, object] = {
        "invitation": found,
        "already": user is not None and access.is_guardian(user, found.family),
        "login_url": f"{reverse('core:login')}?{urlencode({'next': request.path})}",
    }
    # Only the person the link was mailed to sees this page, so it may tell them what they need.
    if user is None and confirmation.owner_of(found.email) is None:
        signup = reverse("core:signup-finish", args=[confirmation.signup_token(found.email)])
        context["signup_url"] = f"{signup}?{urlencode({'next': request.path})}"
    return page(request, "filter/invitation.html", context)
