from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from cop.core.content import ContentError
from cop.helplines.loader import load_helplines


class Command(BaseCommand):
    help = "Load emergency numbers (libphonenumber) and the documented child helplines (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = load_helplines()
        except ContentError as error:
            raise CommandError(
                "The help directory has problems; nothing was loaded:\n" + str(error)
            ) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Help directory: emergency numbers for {result.countries_with_emergency_numbers} countries; "
                f"{result.services_created} services created, {result.services_kept} already present."
            )
        )
