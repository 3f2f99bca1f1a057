"""A reporter's address is never kept, and the retention purge erases a report's audit details too."""

from __future__ import annotations

import datetime
import re

from django.utils import timezone

from cop.core import audit
from cop.core.models import AuditEvent
from cop.reports.models import CaseStatus, Report
from cop.reports.retention import purge
from cop.reports.tests.base import ReportsTestCase, file_report


class ReportPrivacyTestCase(ReportsTestCase):
    def test_a_report_sent_with_the_form_leaves_no_client_address_in_the_audit_log(self) -> None:
        page = self.client.get("/en/report/", {"age": "adult", "country": "KE", "danger": "no"})
        key = re.search(r'name="idempotency_key" value="([^"]+)"', page.content.decode()).group(1)  # type: ignore[union-attr]
        response = self.client.post(
            "/en/report/send/",
            {
                "age": "adult",
                "country": "KE",
                "danger": "",
                "urls": "https://example.org/page",
                "where_seen": "website",
                "risk": "",
                "description": "",
                "contact_name": "",
                "contact_email": "",
                "contact_phone": "",
                "website": "",
                "idempotency_key": key,
            },
            REMOTE_ADDR="203.0.113.7",
        )
        assert response.status_code == 200
        events = AuditEvent.objects.filter(model__startswith="reports.")
        assert events.exists()
        assert set(events.values_list("actor_label", "ip_address")) == {("anonymous", None)}

    def test_a_report_sent_through_the_api_leaves_no_client_address_either(self) -> None:
        body = {
            "country": "KE",
            "reporter_age": "13-17",
            "where_seen": "game",
            "urls": ["https://example.org/g"],
        }
        response = self.client.post(
            "/api/v1/reports", body, content_type="application/json", REMOTE_ADDR="2001:db8::7"
        )
        assert response.status_code == 201
        report = Report.objects.get()
        event = AuditEvent.objects.get(model="reports.Report", object_id=str(report.pk))
        assert event.ip_address is None and "2001:db8::7" not in str(AuditEvent.objects.values())

    def _worked_on(self, closed_days_ago: int) -> Report:
        report, _receipt = file_report(contact={"email": "old@example.org"})
        case = report.cases.get()
        hana = self.client_for(self.world.hana)
        hana.post(f"/en/report/cases/{case.pk}/assess/", {"assessment": "harmful-legal"})
        hana.post(
            f"/en/report/cases/{case.pk}/act/",
            {"kind": "takedown-notice", "target": "Example Hosting Ltd", "note": "notice sent to the host"},
        )
        case.refresh_from_db()
        case.status = CaseStatus.CLOSED
        case.closed_at = timezone.now() - datetime.timedelta(days=closed_days_ago)
        case.save()
        return report

    def test_the_purge_erases_the_details_of_a_reports_audit_records_and_keeps_that_they_happened(
        self,
    ) -> None:
        old = self._worked_on(closed_days_ago=400)
        recent = self._worked_on(closed_days_ago=10)
        subject = audit.subject_key(Report, old.pk)
        before = list(AuditEvent.objects.filter(subject=subject).order_by("id"))
        assert {e.model for e in before} == {"reports.Report", "reports.Case", "reports.CaseAction"}
        assert any("Example Hosting Ltd" in str(e.after) for e in before)

        assert purge(days=365) == 1

        after = list(AuditEvent.objects.filter(subject=subject).order_by("id"))
        for was, now in zip(before, after, strict=False):
            # The facts stay: who did what to which record, and when, and which fields changed.
            assert (now.pk, now.at, now.action, now.model, now.object_id, now.actor_label) == (
                was.pk, was.at, was.action, was.model, was.object_id, was.actor_label,
            )  # fmt: skip
            assert set(now.after) == set(was.after) and set(now.before) == set(was.before)
            assert set(now.after.values()) <= {audit.ERASED} and now.object_repr == audit.ERASED
        assert not any(old.receipt in str(e.after) + e.object_repr for e in after[: len(before)])
        assert "Example Hosting Ltd" not in str([(e.before, e.after) for e in after])
        # The purge's own record stays readable: the report was erased, and when.
        last = after[-1]
        assert last.action == "update" and last.after["erased_at"] and last.after["contact"] == audit.REDACTED
        # A report still inside its retention period keeps its trail.
        kept = AuditEvent.objects.filter(subject=audit.subject_key(Report, recent.pk))
        assert any("Example Hosting Ltd" in str(e.after) for e in kept)
