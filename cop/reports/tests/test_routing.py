"""Where reports go when organisations change: only the secretariat changes a kind, and no case is left
with an organisation that cannot handle it."""

from __future__ import annotations

from django.urls import reverse

from cop.core.models import Organisation, OrganisationKind, Role
from cop.reports.models import ActionKind, Case, CaseStatus
from cop.reports.tests.base import ReportsTestCase, file_report


class KindChangeTestCase(ReportsTestCase):
    def edit(self, user: object, organisation: Organisation, **changes: str) -> object:
        data = {
            "name": organisation.name,
            "kind": organisation.kind,
            "country": organisation.country_id or "",
            "website": organisation.website,
            "description": organisation.description,
            **changes,
        }
        return self.client_for(user).post(reverse("core:organisation-edit", args=[organisation.pk]), data)  # type: ignore[arg-type]

    def test_a_focal_point_cannot_change_the_kind_of_an_organisation_of_their_country(self) -> None:
        ministry = self.world.kenya_ministry
        self.edit(self.world.kofi, ministry, kind="hotline", description="edited")
        ministry.refresh_from_db()
        # The rest of the edit is theirs to make; the kind is not.
        assert (ministry.kind, ministry.description) == (OrganisationKind.MINISTRY, "edited")
        page = self.client_for(self.world.kofi).get(reverse("core:organisation-edit", args=[ministry.pk]))
        self.assertContains(page, "Only the COP secretariat changes the kind of an organisation.")
        token = self.token_for(self.world.kofi, ministry, Role.FOCAL_POINT)
        response = self.client.patch(
            f"/api/v1/organisations/{ministry.pk}",
            {"kind": "hotline"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 403
        ministry.refresh_from_db()
        assert ministry.kind == OrganisationKind.MINISTRY
        report, _receipt = file_report()
        assert report.cases.get().organisation == self.world.kenya_hotline

    def test_a_new_report_never_goes_to_a_hotline_nobody_handles(self) -> None:
        # A second Kenyan hotline, with nobody working there yet, is passed over.
        Organisation.objects.create(name="Empty Hotline", kind=OrganisationKind.HOTLINE, country_id="KE")
        report, _receipt = file_report()
        assert report.cases.get().organisation == self.world.kenya_hotline
        # And once the real one has nobody either, the secretariat routes by hand.
        self.world.hana.is_active = False
        self.world.hana.save()
        stray, _receipt = file_report()
        assert stray.cases.get().organisation is None

    def test_undoing_a_wrong_kind_brings_the_cases_filed_meanwhile_back_to_the_real_hotline(self) -> None:
        ministry = self.world.kenya_ministry
        self.edit(self.world.alice, ministry, kind="hotline")
        ministry.refresh_from_db()
        assert ministry.kind == OrganisationKind.HOTLINE
        # A case that reached the ministry while it was (wrongly) a hotline, as main routed them.
        report, _receipt = file_report()
        case = report.cases.get()
        Case.objects.filter(pk=case.pk).update(organisation=ministry, status=CaseStatus.ASSIGNED)
        self.edit(self.world.alice, ministry, kind="ministry")
        case.refresh_from_db()
        assert case.organisation == self.world.kenya_hotline
        assert case.status == CaseStatus.NEW and case.assigned_to is None
        step = case.actions.get(kind=ActionKind.REROUTE)
        assert step.target_organisation == self.world.kenya_hotline and step.by == self.world.alice
        hana = self.client_for(self.world.hana)
        self.assertContains(hana.get("/en/report/cases/"), report.receipt)

    def test_a_hotline_that_stops_being_one_hands_its_open_cases_to_the_secretariat(self) -> None:
        hotline = self.world.kenya_hotline
        open_report, _r1 = file_report()
        done_report, _r2 = file_report()
        done = done_report.cases.get()
        Case.objects.filter(pk=done.pk).update(status=CaseStatus.CLOSED, assessment="not-actionable")
        token = self.token_for(self.world.alice, self.world.secretariat, Role.SECRETARIAT)
        response = self.client.patch(
            f"/api/v1/organisations/{hotline.pk}",
            {"kind": "ngo"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert response.status_code == 200
        moved = open_report.cases.get()
        assert moved.organisation is None
        done.refresh_from_db()
        assert done.organisation == hotline
        self.assertContains(self.client_for(self.world.alice).get("/en/report/cases/"), open_report.receipt)
        assert file_report()[0].cases.get().organisation is None
        # Undone: new reports find the hotline again; the cases sent back wait for the secretariat.
        self.client.patch(
            f"/api/v1/organisations/{hotline.pk}",
            {"kind": "hotline"},
            content_type="application/json",
            headers={"Authorization": f"Bearer {token}"},
        )
        assert file_report()[0].cases.get().organisation == hotline
        self.client_for(self.world.alice).post(f"/en/report/cases/{moved.pk}/route/", {"to": hotline.pk})
        moved.refresh_from_db()
        assert moved.organisation == hotline
