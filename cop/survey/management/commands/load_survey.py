from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cop.core.errors import DomainError
from cop.survey.importing import SHIPPED_WORKBOOK, load_shipped
from cop.survey.xlsform import WorkbookRefused


class Command(BaseCommand):
    help = "Load the national survey shipped in cop/survey/forms/ (idempotent; nothing when none is shipped)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            version = load_shipped()
        except WorkbookRefused as refused:
            for mistake in refused.mistakes:
                self.stderr.write(f"{SHIPPED_WORKBOOK.name}: {mistake}")
            raise CommandError(refused.text()) from None
        except DomainError as error:
            raise CommandError(f"{SHIPPED_WORKBOOK.name}: {error.text()}") from None
        if version is None:
            self.stdout.write("National survey: no workbook is shipped; nothing to load.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"National survey: {version.questionnaire.slug} version {version.version} "
                f"({version.questions.count()} questions)."
            )
        )
