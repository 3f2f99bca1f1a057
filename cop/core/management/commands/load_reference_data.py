from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from cop.core.reference.loader import load_reference_data


class Command(BaseCommand):
    help = "Load or update countries, ITU regions and development levels (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        width = 30

        interactive = self.stdout.isatty()

        def progress(done: int, total: int, code: str) -> None:
            filled = width * done // total
            bar = "#" * filled + "-" * (width - filled)
            if interactive:
                ending = "\n" if done == total else ""
                self.stdout.write(f"\rCountries [{bar}] {done}/{total} {code}", ending=ending)
                self.stdout.flush()
            elif done == total or done % 50 == 0:
                # In a log, a line now and then rather than a redrawn bar.
                self.stdout.write(f"Countries [{bar}] {done}/{total}")

        result = load_reference_data(progress)
        self.stdout.write(
            self.style.SUCCESS(
                f"Reference data: {result.created} created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )
