from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cop.filter.catalogue import CATALOGUE, CatalogueError, load
from cop.filter.subscriptions import subscribe_defaults


class Command(BaseCommand):
    help = (
        "Subscribe the default block list of each category from the catalogue of public lists "
        "(cop/filter/catalogue.toml) and queue their first downloads for the worker. Safe to run "
        "again: it changes only what the catalogue changed, and never a list edited or deleted here."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--file", type=Path, default=CATALOGUE, help="another catalogue file (tests)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            catalogue = load(options["file"])
        except CatalogueError as error:
            raise CommandError(
                "The catalogue of block lists has problems; nothing was changed:\n" + str(error)
            ) from None
        outcome = subscribe_defaults(catalogue)
        self.stdout.write(
            self.style.SUCCESS(
                f"Block lists: {len(outcome.created)} subscribed, {len(outcome.updated)} updated, "
                f"{len(outcome.unchanged)} unchanged."
            )
        )
        if outcome.created or outcome.updated:
            self.stdout.write("  their downloads are queued for the worker (cop run_worker)")
        notes = {
            "edited here, left as they are": outcome.kept_edited,
            "deleted here, not subscribed again": outcome.kept_deleted,
            "not subscribed: another list has the same name": outcome.name_taken,
        }
        for text, keys in notes.items():
            if keys:
                self.stdout.write(f"  {text}: {', '.join(keys)}")
        if catalogue.uncovered:
            self.stdout.write(f"  no public list covers: {', '.join(sorted(catalogue.uncovered))}")
