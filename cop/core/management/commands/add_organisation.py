from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from cop.core import audit
from cop.core.models import Country, Organisation, OrganisationKind


class Command(BaseCommand):
    help = "Register an organisation (for example the COP secretariat when setting up)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--kind", required=True, choices=OrganisationKind.values)
        parser.add_argument("--country", help="ISO 3166-1 alpha-2 code; omit for international")
        parser.add_argument("--website", default="")

    def handle(self, *args: Any, **options: Any) -> None:
        country = None
        if options["country"]:
            country = Country.objects.filter(iso2=options["country"].upper()).first()
            if country is None:
                raise CommandError(f"Unknown country {options['country']!r}. Run load_reference_data first?")
        organisation = Organisation(
            name=options["name"].strip(), kind=options["kind"], country=country, website=options["website"]
        )
        try:
            organisation.full_clean()
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from None
        with audit.acting_as(audit.AuditActor(label="system: add_organisation")):
            organisation.save()
        self.stdout.write(self.style.SUCCESS(f"Organisation {organisation.pk}: {organisation.name}"))
