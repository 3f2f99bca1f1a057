from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cop.core.content import ContentError
from cop.guidance.indexing import reindex_library
from cop.guidance.loader import LoadResult, load_guidelines, load_library
from cop.threats.loader import load_classification


class Command(BaseCommand):
    help = (
        "Load the threat classification, the guideline sets and the starter library from content/ "
        "(idempotent; texts edited on the platform are kept unless --force)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--force", action="store_true", help="Overwrite texts edited on the platform with the files."
        )

    def _progress(self, label: str) -> Any:
        interactive = self.stdout.isatty()
        width = 30

        def progress(done: int, total: int, name: str) -> None:
            bar = "#" * (width * done // total) + "-" * (width - width * done // total)
            if interactive:
                self.stdout.write(f"\r{label} [{bar}] {done}/{total} {name[:40]:<40}", ending="")
                if done == total:
                    self.stdout.write("")
                self.stdout.flush()
            elif done == total:
                self.stdout.write(f"{label} [{bar}] {done}/{total}")

        return progress

    def _report(self, label: str, result: LoadResult) -> None:
        self.stdout.write(
            self.style.SUCCESS(
                f"{label}: {result.created} created, {result.updated} updated, {result.unchanged} unchanged."
            )
        )
        for path in result.kept:
            self.stdout.write(
                self.style.WARNING(f"  kept the version edited on the platform, file not applied: {path}")
            )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            threats = load_classification()
            self.stdout.write(
                self.style.SUCCESS(
                    f"Threat classification: version {threats.version}, {threats.risks} risks"
                    + (" (new)." if threats.created else ".")
                )
            )
            self._report("Guideline texts", load_guidelines(options["force"], self._progress("Guidelines")))
            self._report("Library resources", load_library(self._progress("Library")))
            # The search index of the library is built from the labels of the code as well as the
            # files, so it is rebuilt even when no file changed.
            self.stdout.write(f"Library search index: {reindex_library()} resources indexed.")
        except ContentError as error:
            raise CommandError(
                "The content files have problems; nothing was loaded:\n" + str(error)
            ) from None
