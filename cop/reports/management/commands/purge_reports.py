from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from cop.reports.retention import purge


class Command(BaseCommand):
    help = (
        "Erase reporters' contact details, descriptions and links of reports whose cases were all closed "
        "more than COP_REPORT_RETENTION_DAYS ago; anonymous statistics stay. Run it daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, default=None, help="Override the retention period.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"] if options["days"] is not None else settings.REPORT_RETENTION_DAYS
        erased = purge(days=options["days"])
        self.stdout.write(
            self.style.SUCCESS(f"Erased the personal data of {erased} reports closed over {days} days ago.")
        )
