"""Printable PDF of a guideline set, or of one group of it, in the language of the page."""

from __future__ import annotations

import re

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext as _

from cop.core.pdf import PdfUnavailable
from cop.core.pdf import render as render_html_pdf
from cop.guidance import markdown
from cop.guidance.models import AUDIENCE_GROUPS, Group
from cop.guidance.views.guidelines import _audience, _group, guidelines_in
from cop.threats.models import language_code

# Arabic short vowels and tanween. WeasyPrint writes a wrong text layer for a
# hamza seat carrying tanween (شيئًا reads back as "شيɄا"), so the printable
# version leaves out these optional marks, as most printed Arabic does.
_ARABIC_MARKS = re.compile("[\u064b-\u0652]")


def _printable(language: str, text: str) -> str:
    return _ARABIC_MARKS.sub("", text) if language == "ar" else text


__all__ = ["PdfUnavailable", "render_pdf", "set_pdf"]


def render_pdf(audience: str, group: str | None = None) -> bytes:
    """The tagged PDF of a set or group in the current language (cop/core/pdf.py keeps it once made)."""
    chosen = _audience(audience)
    groups = [Group(group)] if group else [Group(g) for g in AUDIENCE_GROUPS[chosen]]
    items = guidelines_in(chosen, group)
    sections = []
    changed = []
    for chosen_group in groups:
        entries = []
        for guideline in (i for i in items if i.group == chosen_group):
            text = guideline.text()
            if text is not None:
                changed.append(text.updated_at)
                entries.append(
                    {
                        "title": _printable(text.language, text.title),
                        "summary": _printable(text.language, text.summary),
                        "html": markdown.render(_printable(text.language, text.body), heading_offset=2),
                    }
                )
        sections.append({"group": chosen_group, "entries": entries})
    html = render_to_string(
        "guidance/pdf.html",
        {
            "audience": chosen,
            "sections": sections,
            "group": groups[0] if group else None,
            "language": language_code(),
            "direction": "rtl" if get_language_bidi() else "ltr",
            # The date of the newest text, not the clock: the same texts give the same PDF, which
            # is what lets it be kept.
            "changed": max(changed, default=None),
        },
    )
    return render_html_pdf(html)


def set_pdf(request: HttpRequest, audience: str, group: str | None = None) -> HttpResponse:
    chosen = _audience(audience)
    if group:
        _group(chosen, group)
    name = f"cop-guidelines-{audience}{'-' + group if group else ''}-{language_code()}.pdf"
    try:
        pdf = render_pdf(audience, group)
    except PdfUnavailable:
        message = _(
            "The printable version cannot be made on this server because the Pango library is missing. "
            "The administrator can install it (Debian and Ubuntu: libpango-1.0-0 and libpangoft2-1.0-0)."
        )
        return render(
            request,
            "core/error.html",
            {"title": _("Printing is unavailable"), "message": message},
            status=503,
        )
    response = HttpResponse(pdf, content_type="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{name}"'
    return response
