from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from cop.filter.stats import purge


class Command(BaseCommand):
    help = (
        "Delete the family filter's per-child counts older than COP_FILTER_REPORT_RETENTION_DAYS and raw "
        "query-log rows older than COP_FILTER_QUERY_LOG_MAX_HOURS. Run it daily."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = purge()
        self.stdout.write(
            f"Deleted {sum(deleted.values())} rows "
            f"({', '.join(f'{name}: {count}' for name, count in deleted.items())}); "
            f"reports are kept {settings.FILTER_REPORT_RETENTION_DAYS} days, "
            f"the query log {settings.FILTER_QUERY_LOG_MAX_HOURS} hours."
        )
