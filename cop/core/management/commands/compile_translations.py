from __future__ import annotations

from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError


class Command(BaseCommand):
    help = "Compile the .po translation catalogs to .mo files (pure Python: no gettext tools needed)."

    def handle(self, *args: Any, **options: Any) -> None:
        count = 0
        for root in settings.LOCALE_PATHS:
            for po_path in sorted(Path(root).glob("*/LC_MESSAGES/*.po")):
                with open(po_path, "rb") as f:
                    catalog = read_po(f)
                errors = [(message.id, err) for message, errs in catalog.check() for err in errs]
                if errors:
                    raise CommandError(f"{po_path}: {errors[0][0]!r}: {errors[0][1]}")
                with open(po_path.with_suffix(".mo"), "wb") as f:
                    write_mo(f, catalog, use_fuzzy=False)
                count += 1
        self.stdout.write(self.style.SUCCESS(f"Compiled {count} translation catalogs."))
