from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from cop.reports import crypto
from cop.reports.models import Report


def rotate_all(batch: int = 500) -> int:
    """Re-encrypt every secret and contact with the first configured key; returns how many reports."""
    changed = 0
    ids = list(Report.objects.values_list("pk", flat=True))
    for start in range(0, len(ids), batch):
        with transaction.atomic():
            for report in Report.objects.select_for_update().filter(pk__in=ids[start : start + batch]):
                report.secret = crypto.rotate(report.secret)
                if report.contact:
                    report.contact = crypto.rotate(report.contact)
                # A bare update: the values are the same; only their encryption changed.
                Report.objects.filter(pk=report.pk).update(secret=report.secret, contact=report.contact)
                changed += 1
    return changed


class Command(BaseCommand):
    help = (
        "Re-encrypt reporters' contact details and follow-up secrets with the first key of COP_REPORT_KEYS. "
        "Put the new key first, keep the old ones after it, run this, then remove the old keys."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--new-key", action="store_true", help="Print a new key to put first, and stop.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["new_key"]:
            self.stdout.write(crypto.new_key())
            return
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {rotate_all()} reports with the newest key."))
