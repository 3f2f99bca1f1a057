"""Erasing what could identify people once a report's cases are closed, keeping anonymous statistics."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from cop.core import audit
from cop.reports.models import Case, CaseAction, CaseStatus, Report, ReportUrl


def purge(now: datetime.datetime | None = None, days: int | None = None) -> int:
    """Erase contact details, descriptions, links, notes and reasons of reports closed more than `days` ago.

    What stays (country, age group, risk, where seen, assessments, actions and their times) is what the
    statistics count, and none of it identifies a reporter. The audit records of the report, its cases
    and their actions lose their values too (notes, targets, receipts), and keep the facts: who did
    what to which record, and when, so the trail of an analyst's work stays whole. Returns how many
    reports were erased.
    """
    now = now or timezone.now()
    keep_days: int = days if days is not None else (settings.REPORT_RETENTION_DAYS or 365)
    cutoff = now - datetime.timedelta(days=keep_days)
    open_or_recent = Case.objects.filter(report=OuterRef("pk")).exclude(
        status=CaseStatus.CLOSED, closed_at__lt=cutoff
    )
    due = Report.objects.filter(erased_at__isnull=True, cases__isnull=False).exclude(Exists(open_or_recent))
    erased = 0
    for report in due.distinct().iterator():
        with transaction.atomic():
            ReportUrl.objects.filter(report=report).delete()
            CaseAction.objects.filter(case__report=report).exclude(note="").update(note="")
            Case.objects.filter(report=report).exclude(contact_reason="").update(contact_reason="")
            # Before the report's own update below, whose record (erased_at) stays readable.
            audit.erase_details(Report, report.pk)
            report.contact = ""
            report.description = ""
            # Derived from the content, contact details included, and no longer needed for retries.
            report.content_digest = ""
            report.erased_at = now
            report.save(update_fields=["contact", "description", "content_digest", "erased_at"])
            erased += 1
    return erased
