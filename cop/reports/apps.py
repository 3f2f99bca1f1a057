from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "cop.reports"
    label = "reports"
    verbose_name = "Reports"

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_save

        from cop.core import audit
        from cop.core.models import Organisation
        from cop.reports import (
            permissions,  # noqa: F401 - registers the app's permissions
            queues,
            signals,
        )
        from cop.reports.models import Case, CaseAction, Report

        queues.register()

        from cop.reports import notifications

        notifications.register()
        pre_save.connect(
            notifications.remember_assignee, sender=Case, dispatch_uid="cop-reports-notify-before"
        )
        post_save.connect(notifications.notify_assignment, sender=Case, dispatch_uid="cop-reports-notify")

        # Every step on a report or case is audited; what could identify a reporter is not copied
        # into the audit log. Each record is about its report, so the retention purge erases the
        # details of all of them with the report (cop/reports/retention.py).
        audit.track(
            Report, redact={"contact", "secret", "description", "content_digest"}, subject=(Report, "pk")
        )
        audit.track(Case, subject=(Report, "report_id"))
        audit.track(CaseAction, subject=(Report, "case.report_id"))
        # A case stays with an organisation only while it is what the case was sent to.
        uid = "cop-reports-routing"
        pre_save.connect(signals.remember_what_it_was, sender=Organisation, dispatch_uid=uid + "-before")
        post_save.connect(signals.reroute_when_it_changed, sender=Organisation, dispatch_uid=uid + "-after")
