from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cop.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from cop.core import audit
        from cop.reports import permissions  # noqa: F401 - registers the app's permissions
        from cop.reports.models import Case, CaseAction, Report

        # Every step on a report or case is audited; what could identify a reporter is not copied
        # into the audit log. Each record is about its report, so the retention purge erases the
        # details of all of them with the report (cop/reports/retention.py).
        audit.track(Report, redact={"contact", "secret", "description"}, subject=(Report, "pk"))
        audit.track(Case, subject=(Report, "report_id"))
        audit.track(CaseAction, subject=(Report, "case.report_id"))
