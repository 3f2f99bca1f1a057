from __future__ import annotations

import pytest
from django.conf import settings
from django.utils import translation

from cop.guidance.models import Audience, Guideline
from cop.guidance.tests.pdf_check import ink_share, read_pdf, squeeze
from cop.guidance.views.pdf import _ARABIC_MARKS, render_pdf

LANGUAGES = [code for code, _name in settings.LANGUAGES]


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("audience", Audience.values)
def test_the_pdf_of_each_set_renders_in_each_language(audience: str, language: str) -> None:
    with translation.override(language):
        data = render_pdf(audience)
        label = str(Audience(audience).label)
    assert data.startswith(b"%PDF-")
    text, missing = read_pdf(data)
    assert ink_share(data) > 0.01, "the first page renders blank"
    assert missing == [], f"characters without a glyph: {sorted(set(missing))[:10]}"
    flat = squeeze(text)
    assert squeeze(label) in flat
    for guideline in Guideline.objects.filter(audience=audience).prefetch_related("texts"):
        title = _ARABIC_MARKS.sub("", guideline.text(language).title)  # type: ignore[union-attr]
        assert squeeze(title) in flat, f"{guideline} [{language}]: title not found in the PDF text"


def test_a_character_no_font_has_is_detected() -> None:
    import weasyprint

    data = weasyprint.HTML(string='<p style="font-family: Noto Sans">A\ue000B</p>').write_pdf()
    _text, missing = read_pdf(data)
    assert missing == ["U+E000 in Noto Sans"]


@pytest.mark.django_db
def test_the_pdf_view_answers_with_a_pdf_for_a_set_and_a_group(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/ar/guidelines/children/8-12/print.pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert 'filename="cop-guidelines-children-8-12-ar.pdf"' in response["Content-Disposition"]
    assert client.get("/en/guidelines/children/home/print.pdf").status_code == 404
