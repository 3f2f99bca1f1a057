"""The reflow check (WCAG 1.4.10) that every audited page passes: it must catch what overflows 320 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings

from cop.core.tests.browser import reflow_problems

CSS = (Path(settings.BASE_DIR) / "cop" / "core" / "static" / "core" / "site.css").read_text()
LONG = "Полностью автоматизированная классификационнонормативная характеристика " * 2
CODE = 'expected = "sha256=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)'
FORM = f"""<main><form class="filters"><div class="field"><label for="s">Type</label>
<select id="s"><option>{LONG}</option></select></div></form>
<fieldset class="field"><legend>Contact</legend><input type="text" size="60"></fieldset>
<p>{LONG.replace(" ", "")}</p>
<pre><code>{CODE}</code></pre></main>"""


def test_a_select_a_fieldset_a_long_word_and_a_line_of_code_wider_than_320_px_are_caught(page: Any) -> None:
    page.set_content(f'<html lang="ru"><body>{FORM}</body></html>')
    problems = reflow_problems(page)
    assert any("the page is" in p for p in problems), problems
    assert any(p.startswith("select#s") for p in problems), problems
    assert any(p.startswith("code ") for p in problems), problems
    assert page.viewport_size["width"] == 1200, "the viewport was not put back"


def test_with_the_sites_stylesheet_they_fit_320_px_in_russian_and_arabic(page: Any) -> None:
    for language, direction in (("ru", "ltr"), ("ar", "rtl")):
        head = f"<head><style>{CSS}</style></head>"
        page.set_content(f'<html lang="{language}" dir="{direction}">{head}<body>{FORM}</body></html>')
        assert reflow_problems(page) == [], language


def test_content_in_a_scrolling_box_such_as_a_wide_data_table_is_allowed(page: Any) -> None:
    page.set_content(
        '<div style="overflow-x:auto"><table style="width:900px"><tr><td>1</td></tr></table></div>'
    )
    assert reflow_problems(page) == []
