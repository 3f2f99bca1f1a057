"""A child's own list: sites always allowed or always blocked for them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cop.filter import access, actions
from cop.filter.forms import EntryForm, stored_note
from cop.filter.models import Entry
from cop.filter.views.common import back_to_profile, guardian, page
from cop.filter.views.profiles import profile_context


@login_required
@require_POST
def entry_add(request: HttpRequest, pk: int) -> HttpResponse:
    profile = access.profile_for(guardian(request), pk)
    form = EntryForm(request.POST, profile=profile)
    if form.is_valid():
        try:
            entry = actions.add_entry(profile, form.cleaned_data["site"], form.cleaned_data["action"])
        except actions.Refused as refused:
            form.add_error("site", refused.text())
        else:
            if entry.action == Entry.Action.ALLOW:
                text = _("%(site)s is now allowed for %(child)s.")
            else:
                text = _("%(site)s is now blocked for %(child)s.")
            messages.success(request, text % {"site": entry.name, "child": profile.name})
            if form.stored is not None and form.stored.changed:
                messages.info(request, stored_note(form.stored))
            return back_to_profile(profile.pk, "entries")
    # The whole profile page again, with the typed value and its error next to the field.
    return page(request, "filter/profile.html", profile_context(profile, entry_form=form), invalid=True)


@login_required
@require_POST
def entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access.entry_for(guardian(request), pk)
    entry.delete()
    messages.success(
        request,
        _("%(site)s is removed from the list of %(child)s.")
        % {"site": entry.name, "child": entry.profile.name},
    )
    return back_to_profile(entry.profile_id, "entries")
