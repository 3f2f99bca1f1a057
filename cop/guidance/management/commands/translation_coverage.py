from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from cop.guidance.coverage import coverage


class Command(BaseCommand):
    help = "Show, per language, how many threats, guidelines, resources and interface strings are translated."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--missing", action="store_true", help="List what is missing.")
        parser.add_argument(
            "--strict", action="store_true", help="Exit with an error when any language is incomplete."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        languages = coverage()
        areas = [area.name for area in languages[0].areas]
        self.stdout.write(f"{'language':<10}" + "".join(f"{name:>16}" for name in areas))
        for language in languages:
            cells = "".join(f"{f'{a.translated}/{a.total}':>16}" for a in language.areas)
            self.stdout.write(f"{language.code:<10}{cells}")
            if options["missing"]:
                for area in language.areas:
                    for item in area.missing:
                        self.stdout.write(f"  {language.code} {area.name}: {item}")
        incomplete = [language.code for language in languages if not language.complete]
        if incomplete and options["strict"]:
            raise CommandError(f"Incomplete translations: {', '.join(incomplete)}")
