from __future__ import annotations

from django.test import override_settings
from django.utils import timezone

from cop.core.tests.base import BaseTestCase
from cop.reports.models import CaseStatus
from cop.reports.tests.base import file_report


@override_settings(REPORT_STATS_MIN_COUNT=3)
class StatisticsTestCase(BaseTestCase):
    def test_small_counts_are_suppressed_and_larger_ones_published(self) -> None:
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
        body = self.client.get("/api/v1/statistics/reports").json()
        assert body["suppression_threshold"] == 3
        assert {c["key"]: c["count"] for c in body["by_country"]} == {"KE": 4, "FR": None}
        assert {c["key"]: c["count"] for c in body["by_risk"]} == {"privacy": 4, "health": None}
        assert {c["key"]: c["count"] for c in body["by_outcome"]} == {
            "harmful-legal": 4,
            "not-yet-assessed": None,
        }
        month = body["time_to_action"][0]
        assert month["cases"] == 4 and month["median_hours"] is not None

    def test_the_page_shows_fewer_than_instead_of_a_small_number(self) -> None:
        file_report(country="FR")
        html = self.client.get("/en/report/statistics/").content.decode()
        assert "fewer than 3" in html
        only_kenya = self.client.get("/en/report/statistics/", {"country": "ke", "year": "2026"})
        assert only_kenya.status_code == 200
        assert self.client.get("/api/v1/statistics/reports", {"year": "1999"}).status_code == 422
