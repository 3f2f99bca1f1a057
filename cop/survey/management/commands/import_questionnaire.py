from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cop.core import audit
from cop.core.errors import DomainError
from cop.survey.importing import import_questionnaire
from cop.survey.xlsform import WorkbookRefused


class Command(BaseCommand):
    help = "Import a questionnaire version from an XLSForm workbook (.xlsx); every mistake is listed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="the workbook, e.g. cop-national-survey.xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from None
        try:
            with audit.acting_as(audit.AuditActor(label="system: import_questionnaire")):
                version = import_questionnaire(data, by=None, filename=path.name)
        except WorkbookRefused as refused:
            for mistake in refused.mistakes:
                self.stderr.write(f"{path.name}: {mistake}")
            raise CommandError(refused.text()) from None
        except DomainError as error:
            raise CommandError(f"{path.name}: {error.text()}") from None
        count = version.questions.count()
        self.stdout.write(
            self.style.SUCCESS(
                f"{version.questionnaire.slug} version {version.version}: "
                f"{count} questions (id {version.pk})."
            )
        )
