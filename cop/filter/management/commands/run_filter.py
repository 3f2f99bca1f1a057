from __future__ import annotations

import argparse
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cop.env import envdatadir
from cop.filter import conf, run


class Command(BaseCommand):
    """`cop run_filter` does not come here: cop/cli.py starts it without Django (`run.py`). This
    command is what `manage.py` and `cop help` list, and it runs the same start."""

    help = run.HELP
    requires_system_checks: list[str] = []  # noqa: RUF012 - Django's own attribute; no model, view or template is used

    def add_arguments(self, parser: CommandParser) -> None:
        run.add_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run.run(argparse.Namespace(**options), conf.read(envdatadir()), self.stdout)  # type: ignore[arg-type]
        except run.Problem as problem:
            raise CommandError(str(problem)) from None
