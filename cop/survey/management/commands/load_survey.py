from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cop.core.errors import DomainError
from cop.survey.importing import SHIPPED_WORKBOOK, load_shipped
from cop.survey.xlsform import WorkbookRefused


class Command(BaseCommand):
    help = (
        "Load the national survey shipped as cop/survey/forms/cop-national-survey.xlsx (scripts/setup "
        "runs it; loading it again changes nothing; without the file, nothing is loaded)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", help="another workbook to load instead of the shipped one")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"]) if options.get("file") else SHIPPED_WORKBOOK
        if options.get("file") and not path.is_file():
            raise CommandError(f"{path} does not exist.")
        try:
            version = load_shipped(path)
        except WorkbookRefused as refused:
            for mistake in refused.mistakes:
                self.stderr.write(f"{path.name}: {mistake}")
            raise CommandError(refused.text()) from None
        except DomainError as error:
            raise CommandError(f"{path.name}: {error.text()}") from None
        if version is None:
            self.stdout.write("National survey: no workbook is shipped; nothing to load.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"National survey: {version.questionnaire.slug} version {version.version} "
                f"({version.questions.count()} questions)."
            )
        )
