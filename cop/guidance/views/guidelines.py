"""Public pages of the four guideline sets, and the secretariat's editor with revision history."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cop.core import permissions
from cop.guidance import markdown
from cop.guidance.forms import GuidelineTextForm
from cop.guidance.indexing import index_guideline
from cop.guidance.models import (
    AUDIENCE_GROUPS,
    Audience,
    Group,
    Guideline,
    GuidelineRevision,
    GuidelineText,
    Origin,
)
from cop.threats.models import AgeBand, language_code

HELP_SLUG = "getting-help"


def _audience(audience: str) -> Audience:
    if audience not in Audience.values:
        raise Http404("unknown guideline set")
    return Audience(audience)


def _group(audience: Audience, group: str) -> Group:
    if group not in AUDIENCE_GROUPS[audience]:
        raise Http404("unknown group")
    return Group(group)


def guidelines_in(audience: str, group: str | None = None) -> list[Guideline]:
    items = Guideline.objects.filter(audience=audience).prefetch_related("texts", "risks")
    if group:
        items = items.filter(group=group)
    order = {g: i for i, g in enumerate(AUDIENCE_GROUPS[audience])}
    return sorted(items, key=lambda g: (order[g.group], g.position))


def get_help_url(group: str) -> str:
    """Where the children's pages send a child who needs help now: the help directory, for their age."""
    index = reverse("helplines:index")
    return f"{index}?age={group}" if group in AgeBand.values else index


def _children_context(audience: str, group: str | None) -> dict[str, object]:
    if audience != Audience.CHILDREN:
        return {}
    return {"for_children": True, "young": group == Group.AGES_5_7, "get_help_url": get_help_url(group or "")}


def index(request: HttpRequest) -> HttpResponse:
    sets = []
    for audience in Audience:
        groups = [
            {"group": Group(g), "url": reverse("guidance:group", args=[audience.value, g])}
            for g in AUDIENCE_GROUPS[audience]
        ]
        sets.append({"audience": audience, "groups": groups})
    return render(request, "guidance/index.html", {"sets": sets})


def audience_page(request: HttpRequest, audience: str) -> HttpResponse:
    chosen = _audience(audience)
    items = guidelines_in(chosen)
    groups = [
        {"group": Group(g), "items": [i for i in items if i.group == g]} for g in AUDIENCE_GROUPS[chosen]
    ]
    return render(
        request,
        "guidance/audience.html",
        {"audience": chosen, "groups": groups, **_children_context(chosen, None)},
    )


def group_page(request: HttpRequest, audience: str, group: str) -> HttpResponse:
    chosen = _audience(audience)
    chosen_group = _group(chosen, group)
    return render(
        request,
        "guidance/group.html",
        {
            "audience": chosen,
            "group": chosen_group,
            "items": guidelines_in(chosen, chosen_group),
            **_children_context(chosen, chosen_group),
        },
    )


@dataclass(frozen=True)
class Screen:
    heading: str
    html: str


def _guideline(audience: str, group: str, slug: str) -> Guideline:
    chosen = _audience(audience)
    _group(chosen, group)
    return get_object_or_404(
        Guideline.objects.prefetch_related("texts", "risks__classification"),
        audience=audience,
        group=group,
        slug=slug,
    )


def item_page(request: HttpRequest, audience: str, group: str, slug: str) -> HttpResponse:
    guideline = _guideline(audience, group, slug)
    text = guideline.text()
    if text is None:
        raise Http404("no text")
    siblings = guidelines_in(guideline.audience, guideline.group)
    position = next(i for i, g in enumerate(siblings) if g.pk == guideline.pk)
    context: dict[str, object] = {
        "audience": Audience(guideline.audience),
        "group": Group(guideline.group),
        "guideline": guideline,
        "text": text,
        "translated": text.language == language_code(),
        "previous": siblings[position - 1] if position > 0 else None,
        "next": siblings[position + 1] if position + 1 < len(siblings) else None,
        "on_help_page": guideline.slug == HELP_SLUG,
        "can_edit": permissions.allows(permissions.actor_of(request), "guidance.edit_guideline"),
        **_children_context(guideline.audience, guideline.group),
    }
    if guideline.is_for_young_children:
        # One idea per screen; plain links move between screens, so it works without JavaScript.
        screens = [Screen(s.heading, markdown.render(s.body)) for s in markdown.sections(text.body)]
        try:
            number = max(1, min(len(screens), int(request.GET.get("screen", "1"))))
        except ValueError:
            number = 1
        context.update({"screens": screens, "screen": screens[number - 1], "screen_number": number})
    else:
        context["body"] = markdown.render(text.body)
    return render(request, "guidance/item.html", context)


def _editable_text(request: HttpRequest, audience: str, group: str, slug: str) -> GuidelineText:
    permissions.require(permissions.actor_of(request), "guidance.edit_guideline")
    guideline = _guideline(audience, group, slug)
    return get_object_or_404(GuidelineText, guideline=guideline, language=language_code())


def _record_web_revision(request: HttpRequest, text: GuidelineText, note: str) -> None:
    """Keep the text as just saved on the platform as its next revision, and re-index it."""
    latest = text.latest_revision()
    GuidelineRevision.objects.create(
        text=text,
        number=(latest.number if latest else 0) + 1,
        title=text.title,
        summary=text.summary,
        body=text.body,
        origin=Origin.WEB,
        author=request.user if request.user.is_authenticated else None,
        note=note,
    )
    index_guideline(text.guideline)


@login_required
def item_edit(request: HttpRequest, audience: str, group: str, slug: str) -> HttpResponse:
    text = _editable_text(request, audience, group, slug)
    form = GuidelineTextForm(request.POST or None, instance=text)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            _record_web_revision(request, saved, form.cleaned_data["note"])
        messages.success(request, _("The text was saved as a new revision."))
        return redirect(saved.guideline.get_absolute_url())
    return render(
        request, "guidance/item_edit.html", {"form": form, "text": text, "guideline": text.guideline}
    )


@login_required
def item_history(request: HttpRequest, audience: str, group: str, slug: str) -> HttpResponse:
    text = _editable_text(request, audience, group, slug)
    revisions = list(text.revisions.select_related("author").order_by("-number"))
    entries = []
    for index, revision in enumerate(revisions):
        older = revisions[index + 1] if index + 1 < len(revisions) else None
        diff = ""
        if older is not None:
            diff = "\n".join(
                difflib.unified_diff(
                    f"{older.title}\n{older.summary}\n\n{older.body}".splitlines(),
                    f"{revision.title}\n{revision.summary}\n\n{revision.body}".splitlines(),
                    fromfile=_("revision %(number)s") % {"number": older.number},
                    tofile=_("revision %(number)s") % {"number": revision.number},
                    lineterm="",
                )
            )
        entries.append({"revision": revision, "diff": diff})
    return render(
        request,
        "guidance/item_history.html",
        {"text": text, "guideline": text.guideline, "entries": entries},
    )


@login_required
@require_POST
def item_restore(request: HttpRequest, audience: str, group: str, slug: str, number: int) -> HttpResponse:
    text = _editable_text(request, audience, group, slug)
    old = get_object_or_404(GuidelineRevision, text=text, number=number)
    with transaction.atomic():
        text.title, text.summary, text.body = old.title, old.summary, old.body
        text.save()
        _record_web_revision(request, text, _("Restored revision %(number)s") % {"number": number})
    messages.success(request, _("Revision %(number)s was restored as a new revision.") % {"number": number})
    return redirect(reverse("guidance:item-history", args=[audience, group, slug]))
