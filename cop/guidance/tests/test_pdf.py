from __future__ import annotations

from typing import Any, cast

import pytest
from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.filebased import FileBasedCache
from django.utils import translation

from cop.core import pdf
from cop.guidance.models import Audience, Guideline
from cop.guidance.tests.pdf_check import ink_share, read_pdf, squeeze, structure
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
    # Tagged (PDF/UA-1): a structure tree with headings and paragraphs, the language and the title.
    tagged = structure(data)
    assert tagged["lang"] == language
    assert tagged["marked"] and tagged["display_title"]
    assert squeeze(label) in squeeze(str(tagged["title"]))
    tags = tagged["tags"]
    assert isinstance(tags, list) and tags[0] == "Document"
    assert {"H1", "H2", "H3", "P"} <= set(tags), sorted(set(tags))


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


def test_an_untagged_pdf_fails_the_structure_check() -> None:
    import weasyprint

    untagged = structure(
        weasyprint.HTML(string="<html lang=fr><title>T</title><h1>A</h1><p>B</p>").write_pdf()
    )
    assert untagged["tags"] == [] and not untagged["marked"]


@pytest.mark.django_db
def test_a_pdf_is_made_once_and_again_only_when_its_text_changes(client, monkeypatch: Any) -> None:  # type: ignore[no-untyped-def]
    import weasyprint

    renders: list[str] = []
    write_pdf = weasyprint.HTML.write_pdf

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        renders.append("render")
        return write_pdf(self, *args, **kwargs)

    monkeypatch.setattr(weasyprint.HTML, "write_pdf", counted)
    keys: list[str] = []
    cache_key = pdf.cache_key

    def recorded(html: str) -> str:
        keys.append(cache_key(html))
        return keys[-1]

    monkeypatch.setattr(pdf, "cache_key", recorded)
    kept = caches[settings.RENDERED_CACHE]
    kept.clear()
    url = "/fr/guidelines/children/13-17/print.pdf"
    first = client.get(url)
    assert first.status_code == 200 and len(renders) == 1
    again = client.get(url)
    assert again.content == first.content and len(renders) == 1, "the second request rendered again"
    # Kept in files: another web worker, or the server after a restart, opens the same directory.
    assert isinstance(kept, FileBasedCache)
    alias = cast(dict[str, Any], settings.CACHES[settings.RENDERED_CACHE])
    elsewhere = FileBasedCache(str(alias["LOCATION"]), {})
    assert {elsewhere.get(key) for key in keys} == {first.content}
    # Another language is another PDF.
    assert client.get("/es/guidelines/children/13-17/print.pdf").status_code == 200 and len(renders) == 2
    text = Guideline.objects.filter(group="13-17").first().text("fr")  # type: ignore[union-attr]
    assert text is not None
    text.title = "Un titre revu"
    text.save()
    changed = client.get(url)
    assert len(renders) == 3, "a changed text did not make a new PDF"
    assert "Untitrerevu" in squeeze(read_pdf(changed.content)[0])
