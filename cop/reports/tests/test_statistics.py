from __future__ import annotations

import csv
import io

from django.test import override_settings
from django.utils import timezone

from cop.core.tests.base import BaseTestCase
from cop.reports.models import CaseStatus
from cop.reports.tests.base import file_report


@override_settings(STATS_MIN_COUNT=3)
class StatisticsTestCase(BaseTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        for _ in range(4):
            report, _receipt = file_report(country="KE", risk="privacy")
            case = report.cases.get()
            case.assessment, case.status, case.actioned_at = (
                "harmful-legal",
                CaseStatus.ACTIONED,
                timezone.now(),
            )
            case.save()
        file_report(country="FR", risk="health")

    def test_a_small_count_cannot_be_recovered_by_subtracting_from_the_total(self) -> None:
        # The example in small: 5 reports, 4 from Kenya, 1 from France. Showing Kenya's 4
        # next to the total would give France's 1, so Kenya's is withheld too.
        body = self.client.get("/api/v1/statistics/reports").json()
        assert body["suppression_threshold"] == 3 and "below 3" in body["note"]
        assert body["total"] == 5
        assert [c["count"] for c in body["by_month"]] == [5]
        assert {c["key"]: c["count"] for c in body["by_country"]} == {"KE": None, "FR": None}
        assert {c["key"]: c["count"] for c in body["by_risk"]} == {"privacy": None, "health": None}
        assert {c["key"]: c["count"] for c in body["by_outcome"]} == {
            "harmful-legal": None,
            "not-yet-assessed": None,
        }
        month = body["time_to_action"][0]
        assert month["cases"] == 4 and month["median_hours"] is not None

    def test_one_countrys_figures_come_from_the_same_protected_tables(self) -> None:
        # Otherwise everybody's total minus Kenya's total would give France's.
        for country in ("KE", "FR"):
            body = self.client.get("/api/v1/statistics/reports", {"country": country}).json()
            assert body["total"] is None and [c["count"] for c in body["by_month"]] == [None]
        this_year = str(timezone.now().year)
        assert self.client.get("/api/v1/statistics/reports", {"year": this_year}).json()["total"] == 5

    def test_the_page_and_the_csv_show_withheld_counts_and_say_why(self) -> None:
        html = self.client.get("/en/report/statistics/").content.decode()
        assert "withheld" in html and "worked out by subtraction" in html and "fewer than" not in html
        only_kenya = self.client.get("/en/report/statistics/", {"country": "ke", "year": "2026"})
        assert only_kenya.status_code == 200
        assert self.client.get("/api/v1/statistics/reports", {"year": "1999"}).status_code == 422
        response = self.client.get("/en/report/statistics.csv")
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.content.decode())))
        assert rows[0]["table"] == "note" and "below 3" in rows[0]["key"]
        by_country = {r["key"]: r["count"] for r in rows if r["table"] == "by_country"}
        assert by_country == {"KE": "", "FR": ""}
        assert next(r for r in rows if r["table"] == "total")["count"] == "5"

    def test_each_table_has_a_chart_beside_it_with_the_same_published_numbers(self) -> None:
        import re

        from cop.core.charts import chart_text

        for language in ("en", "fr"):
            html = self.client.get(f"/{language}/report/statistics/").content.decode()
            sections = re.findall(r'<section class="card">(.*?)</section>', html, re.S)
            charted = [s for s in sections if "<svg" in s]
            assert len(charted) == 4, f"{language}: {len(charted)} charts"
            for section in charted:
                svg = re.search(r"<svg.*?</svg>", section, re.S).group(0)  # type: ignore[union-attr]
                assert 'role="img"' in svg and "<title id=" in svg and "<desc id=" in svg
                cells = [
                    re.sub(r"<[^>]+>", "", cell)
                    for cell in re.findall(r'<tr><th scope="row">.*?</th><td>(.*?)</td>', section, re.S)
                ]
                # The numbers written at the ends of the bars are the table's, withheld ones as the word.
                assert cells and chart_text(svg)[-len(cells) :] == cells, (language, cells, chart_text(svg))
            # Kenya's and France's counts are withheld here: the chart says so and draws no bar of zero.
            country_chart = charted[2]
            assert chart_text(country_chart).count("0") <= 1  # the axis's own 0 only
            assert chart_text(country_chart)[-2:] == [str(cells_withheld(language))] * 2


def cells_withheld(language: str) -> str:
    from django.utils import translation

    with translation.override(language):
        return translation.gettext("withheld")
