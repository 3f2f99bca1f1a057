from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django.test import override_settings

from cop.core.models import AuditEvent, Country, Role
from cop.core.reference.loader import load_reference_data
from cop.reports.management.commands.rotate_report_keys import rotate_all
from cop.reports.models import ActionKind, CaseStatus, PublicStatus
from cop.reports.tests.base import ReportsTestCase, file_report


class CaseWorkTestCase(ReportsTestCase):
    def test_an_analyst_assesses_and_acts_and_the_reporter_sees_the_status_change(self) -> None:
        report, receipt = file_report(contact={"email": "parent@example.org"})
        case = report.cases.get()
        hana = self.client_for(self.world.hana)
        self.assertContains(hana.get("/en/report/cases/"), report.receipt)
        page = hana.get(f"/en/report/cases/{case.pk}/")
        self.assertContains(page, "parent@example.org")
        hana.post(f"/en/report/cases/{case.pk}/assign/")
        hana.post(f"/en/report/cases/{case.pk}/assess/", {"assessment": "internationally-illegal"})
        report.refresh_from_db()
        assert report.public_status() == PublicStatus.IN_REVIEW
        hana.post(
            f"/en/report/cases/{case.pk}/act/",
            {"kind": "takedown-notice", "target": "Example Hosting Ltd", "note": "notice sent"},
        )
        case.refresh_from_db()
        assert case.status == CaseStatus.ACTIONED and case.assigned_to == self.world.hana
        assert case.time_to_assessment is not None and case.time_to_action is not None
        status = self.client.post(
            "/en/report/status/", {"receipt": receipt.receipt, "secret": receipt.secret}
        )
        self.assertContains(status, "Assessed, and action was taken")
        self.assertNotContains(status, "Example Hosting")
        assert AuditEvent.objects.filter(model="reports.Case", object_id=str(case.pk)).count() >= 3
        assert AuditEvent.objects.filter(model="reports.CaseAction", actor=self.world.hana).exists()

    def test_acting_before_assessing_is_refused(self) -> None:
        report, _receipt = file_report()
        case = report.cases.get()
        response = self.client_for(self.world.hana).post(
            f"/en/report/cases/{case.pk}/act/",
            {"kind": "law-enforcement", "target": "Cyber unit"},
            follow=True,
        )
        self.assertContains(response, "Assess the case before acting on it.")
        case.refresh_from_db()
        assert case.actioned_at is None and not case.actions.exists()

    def test_a_cross_border_forward_lands_in_the_other_countrys_queue(self) -> None:
        report, _receipt = file_report(urls=["https://example.fr/hosted-in-france"])
        case = report.cases.get()
        hana = self.client_for(self.world.hana)
        hana.post(f"/en/report/cases/{case.pk}/assess/", {"assessment": "nationally-illegal"})
        hana.post(
            f"/en/report/cases/{case.pk}/forward/", {"to": self.french_hotline.pk, "note": "hosted in FR"}
        )
        forwarded = report.cases.get(organisation=self.french_hotline)
        assert forwarded.forwarded_from == case and forwarded.status == CaseStatus.NEW
        fanny = self.client_for(self.fanny)
        self.assertContains(fanny.get("/fr/report/cases/"), report.receipt)
        assert fanny.get(f"/fr/report/cases/{forwarded.pk}/").status_code == 200
        # The French analyst sees the forwarded case, not the Kenyan one or the reporter's contact.
        assert fanny.get(f"/fr/report/cases/{case.pk}/").status_code == 404

    def test_an_analyst_of_another_country_can_neither_read_list_nor_act(self) -> None:
        report, _receipt = file_report(contact={"phone": "+254700000000"})
        case = report.cases.get()
        for user in (self.fanny, self.world.henri):
            client = self.client_for(user)
            self.assertNotContains(client.get("/en/report/cases/"), report.receipt)
            assert client.get(f"/en/report/cases/{case.pk}/").status_code == 404
            assert client.get(f"/en/report/cases/{case.pk}/export.json").status_code == 404
            response = client.post(f"/en/report/cases/{case.pk}/assess/", {"assessment": "not-actionable"})
            assert response.status_code == 404
        assert self.client_for(self.world.kofi).get("/en/report/cases/").status_code == 403
        case.refresh_from_db()
        assert case.assessment == "" and case.status == CaseStatus.NEW

    def test_a_case_cannot_be_closed_twice(self) -> None:
        report, _receipt = file_report()
        case = report.cases.get()
        token = self.token_for(self.world.hana, self.world.kenya_hotline, Role.HOTLINE_ANALYST)
        mine = {"Authorization": f"Bearer {token}"}
        self.client.post(
            f"/api/v1/cases/{case.pk}/assessment",
            {"assessment": "harmful-legal"},
            content_type="application/json",
            headers=mine,
        )
        answers = [
            self.client.post(
                f"/api/v1/cases/{case.pk}/actions",
                {"kind": "close"},
                content_type="application/json",
                headers=mine,
            )
            for _ in range(2)
        ]
        assert [a.status_code for a in answers] == [200, 409]
        assert answers[1].json()["code"] == "conflict"
        assert case.actions.filter(kind=ActionKind.CLOSE).count() == 1

    def test_the_api_keeps_cases_within_the_tokens_organisation(self) -> None:
        report, _receipt = file_report()
        case = report.cases.get()
        own = self.token_for(self.world.hana, self.world.kenya_hotline, Role.HOTLINE_ANALYST)
        other = self.token_for(self.fanny, self.french_hotline, Role.HOTLINE_ANALYST)
        mine = {"Authorization": f"Bearer {own}"}
        theirs = {"Authorization": f"Bearer {other}"}
        assert [c["id"] for c in self.client.get("/api/v1/cases", headers=mine).json()["items"]] == [case.pk]
        assert self.client.get("/api/v1/cases", headers=theirs).json() == {"items": [], "count": 0}
        assert self.client.get(f"/api/v1/cases/{case.pk}", headers=theirs).status_code == 404
        url = f"/api/v1/cases/{case.pk}/assessment"
        refused = self.client.post(
            url, {"assessment": "duplicate"}, content_type="application/json", headers=theirs
        )
        assert refused.status_code == 404
        assert self.client.get("/api/v1/cases").status_code == 401
        done = self.client.post(
            url, {"assessment": "harmful-legal"}, content_type="application/json", headers=mine
        )
        assert done.json()["assessment"] == "harmful-legal"
        forwarded = self.client.post(
            f"/api/v1/cases/{case.pk}/actions",
            {"kind": "forward-hotline", "target_organisation": self.french_hotline.pk},
            content_type="application/json",
            headers=mine,
        )
        assert forwarded.status_code == 200
        assert self.client.get("/api/v1/cases", headers=theirs).json()["count"] == 1

    def test_the_api_pages_cases_with_their_count_instead_of_cutting_the_list(self) -> None:
        # The list was cut at 500 without a word; it now says how many there are and pages them.
        cases = [file_report(urls=[f"https://example.org/{n}"])[0].cases.get() for n in range(3)]
        own = self.token_for(self.world.hana, self.world.kenya_hotline, Role.HOTLINE_ANALYST)
        mine = {"Authorization": f"Bearer {own}"}
        pages = [
            self.client.get("/api/v1/cases", {"limit": 2, "offset": offset}, headers=mine).json()
            for offset in (0, 2)
        ]
        assert [page["count"] for page in pages] == [3, 3]
        assert [c["id"] for page in pages for c in page["items"]] == [case.pk for case in cases]
        assert self.client.get("/api/v1/cases", {"limit": 501}, headers=mine).status_code == 422

    def test_a_helpline_gets_a_referral_and_the_secretariat_routes_unassigned_cases(self) -> None:
        report, _receipt = file_report()
        case = report.cases.get()
        hana = self.client_for(self.world.hana)
        hana.post(f"/en/report/cases/{case.pk}/assess/", {"assessment": "harmful-legal"})
        hana.post(f"/en/report/cases/{case.pk}/refer/", {"to": self.world.france_helpline.pk})
        referral = report.cases.get(organisation=self.world.france_helpline)
        assert self.client_for(self.world.henri).get(f"/en/report/cases/{referral.pk}/").status_code == 200
        stray, _r = file_report(country="BR", contact={"email": "someone@example.org"})
        stray_case = stray.cases.get()
        alice = self.client_for(self.world.alice)
        page = alice.get(f"/en/report/cases/{stray_case.pk}/")
        self.assertNotContains(page, "someone@example.org")
        alice.post(f"/en/report/cases/{stray_case.pk}/route/", {"to": self.world.kenya_hotline.pk})
        stray_case.refresh_from_db()
        assert stray_case.organisation == self.world.kenya_hotline
        assert alice.get(f"/en/report/cases/{stray_case.pk}/").status_code == 404

    def test_the_export_for_law_enforcement_is_complete_and_recorded(self) -> None:
        report, _receipt = file_report(contact={"name": "Reporter"}, urls=["https://example.org/1"])
        case = report.cases.get()
        response = self.client_for(self.world.hana).get(f"/en/report/cases/{case.pk}/export.json")
        data = json.loads(response.content)
        assert data["receipt"] == report.receipt and data["urls"] == ["https://example.org/1"]
        assert data["contact"] == {"name": "Reporter"}
        assert response["Cache-Control"] == "no-store"
        assert case.actions.filter(kind=ActionKind.EXPORT, by=self.world.hana).exists()


class EncryptionTestCase(ReportsTestCase):
    def test_keys_can_be_rotated_without_losing_a_report(self) -> None:
        old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
        with override_settings(REPORT_KEYS=[old]):
            report, receipt = file_report(contact={"email": "keep@example.org"})
        with override_settings(REPORT_KEYS=[new, old]):
            assert rotate_all() >= 1
        with override_settings(REPORT_KEYS=[new]):
            report.refresh_from_db()
            assert report.contact_details() == {"email": "keep@example.org"}
            assert report.secret_matches(receipt.secret)


@pytest.mark.django_db(transaction=True)
def test_contact_details_cannot_be_read_in_the_database_file() -> None:
    # Committed for real, so that the database file holds it; the table is emptied afterwards.
    if not Country.objects.exists():
        load_reference_data()
    file_report(contact={"email": "hidden-reporter@example.org", "phone": "+254711111111"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT contact, secret FROM reports_report")
        rows = cursor.fetchall()
    assert rows and all("hidden-reporter" not in row[0] and "254711111111" not in row[0] for row in rows)
    if connection.vendor == "sqlite":
        # The database file itself, as someone who copied it would read it.
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "copy.sqlite3"
            with connection.cursor() as cursor:
                cursor.execute("VACUUM INTO %s", [str(path)])
            data = path.read_bytes()
        assert b"hidden-reporter" not in data and b"254711111111" not in data
        assert b"example.org/page" in data  # the copy holds the report, so the check above means something
