from __future__ import annotations

import datetime
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from cop.core.tests.base import BaseTestCase
from cop.reports.models import CaseStatus, Report
from cop.reports.retention import purge
from cop.reports.tests.base import file_report


class RetentionTestCase(BaseTestCase):
    def _closed(self, days_ago: int) -> Report:
        report, _receipt = file_report(
            contact={"email": "old@example.org"}, description="details", risk="privacy"
        )
        case = report.cases.get()
        case.status, case.assessment = CaseStatus.CLOSED, "not-actionable"
        case.closed_at = timezone.now() - datetime.timedelta(days=days_ago)
        case.save()
        return report

    def test_closed_cases_past_the_period_lose_personal_data_and_keep_statistics(self) -> None:
        old = self._closed(days_ago=400)
        recent = self._closed(days_ago=10)
        still_open, _receipt = file_report(contact={"email": "open@example.org"})
        assert purge(days=365) == 1
        old.refresh_from_db()
        assert (old.contact, old.description, old.erased_at is not None) == ("", "", True)
        assert not old.urls.exists()
        assert old.risk is not None
        assert (old.country_id, old.risk.code, old.cases.get().assessment) == (
            "KE",
            "privacy",
            "not-actionable",
        )  # type: ignore[union-attr]
        for kept in (recent, still_open):
            kept.refresh_from_db()
            assert kept.has_contact and kept.urls.exists() and kept.erased_at is None
        assert purge(days=365) == 0

    def test_the_command_reports_what_it_erased(self) -> None:
        self._closed(days_ago=40)
        out = StringIO()
        call_command("purge_reports", "--days", "30", stdout=out)
        assert "Erased the personal data of 1 reports" in out.getvalue()
