"""The questionnaire pages in a real browser, in English and in Arabic (right to left): the secretariat
imports a workbook with mistakes, reads them, imports a good one; axe-core audits every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cop.core.models import Country
from cop.core.reference.loader import load_reference_data
from cop.core.tests.base import PASSWORD, World, make_world
from cop.core.tests.browser import assert_accessible, sign_in
from cop.survey.models import QuestionnaireVersion
from cop.survey.tests.workbooks import row, sample_workbook, settings, workbook

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def world(transactional_db: None) -> World:
    # Transactional tests empty the database afterwards, so each loads its own.
    if not Country.objects.exists():
        load_reference_data()
    return make_world()


def test_the_secretariat_imports_a_questionnaire_and_every_page_passes_axe_in_english_and_arabic(
    page: Any, live_server: Any, world: World, tmp_path: Path
) -> None:
    base = live_server.url
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(
        workbook(
            [
                row("text", "office", "Office"),
                row("geopoint", "where", "Where?"),
                row("integer", "size", "Size", constraint=". >"),
            ],
            None,
            settings(),
        )
    )
    good = tmp_path / "survey.xlsx"
    good.write_bytes(sample_workbook())
    sign_in(page, base, "alice", PASSWORD)

    page.get_by_role("link", name="Questionnaires").click()
    page.wait_for_url(f"{base}/en/survey/questionnaires/")
    assert_accessible(page)
    page.get_by_role("link", name="Import a workbook").click()
    assert_accessible(page)

    page.get_by_label("XLSForm workbook (.xlsx)").set_input_files(str(broken))
    page.get_by_role("button", name="Import").click()
    table = page.get_by_role("region", name="Mistakes in the workbook")
    rows = table.locator("tbody tr")
    assert rows.count() == 2
    assert "geopoint" in rows.nth(0).inner_text()
    assert "ends too early" in rows.nth(1).inner_text()
    assert_accessible(page)

    page.get_by_label("XLSForm workbook (.xlsx)").set_input_files(str(good))
    page.get_by_role("button", name="Import").click()
    page.wait_for_selector("text=The questionnaire version is imported.")
    version = QuestionnaireVersion.objects.get()
    assert page.url == f"{base}/en/survey/questionnaires/versions/{version.pk}/"
    assert_accessible(page)

    for path in (
        "/ar/survey/questionnaires/",
        "/ar/survey/questionnaires/import/",
        f"/ar/survey/questionnaires/versions/{version.pk}/",
    ):
        page.goto(base + path)
        assert page.locator("html").get_attribute("dir") == "rtl"
        assert_accessible(page)
    # The Arabic page shows the questions' Arabic labels, and the import page its mistakes in Arabic too.
    page.goto(f"{base}/ar/survey/questionnaires/versions/{version.pk}/")
    assert page.get_by_text("Year of the law (ar)").is_visible()
    page.goto(f"{base}/ar/survey/questionnaires/import/")
    page.locator("input[type=file]").set_input_files(str(broken))
    page.locator("form button[type=submit]").last.click()
    page.wait_for_selector("table tbody tr")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert_accessible(page)
