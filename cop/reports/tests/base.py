"""A French hotline with its analyst, next to the shared world, and a helper to file reports."""

from __future__ import annotations

from typing import Any

from cop.core.models import Country, Membership, Organisation, OrganisationKind, Role, User
from cop.core.tests.base import PASSWORD, BaseTestCase
from cop.reports import intake
from cop.reports.models import Report


def french_hotline() -> tuple[Organisation, User]:
    hotline = Organisation.objects.create(
        name="Point de Contact", kind=OrganisationKind.HOTLINE, country=Country.objects.get(iso2="FR")
    )
    fanny = User.objects.create_user("fanny", "fanny@example.org", PASSWORD)
    Membership.objects.create(user=fanny, organisation=hotline, role=Role.HOTLINE_ANALYST)
    return hotline, fanny


def file_report(**changes: Any) -> tuple[Report, intake.Receipt]:
    fields: dict[str, Any] = {
        "country": "KE",
        "language": "en",
        "reporter_age": "adult",
        "where_seen": "website",
        "urls": ["https://example.org/page"],
        "description": "Seen on a forum.",
    }
    fields.update(changes)
    receipt = intake.submit(intake.Submission(**fields))
    return Report.objects.get(receipt=receipt.receipt), receipt


class ReportsTestCase(BaseTestCase):
    french_hotline: Organisation
    fanny: User

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.french_hotline, cls.fanny = french_hotline()
