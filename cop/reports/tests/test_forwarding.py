"""A case forwarded abroad carries the reporter's contact details only with their agreement or a reason."""

from __future__ import annotations

import json

from cop.core.models import AuditEvent, Role
from cop.reports.models import Case
from cop.reports.tests.base import ReportsTestCase, file_report

CONTACT = {"email": "reporter@example.org", "phone": "+254700000001"}


class ForwardingAbroadTestCase(ReportsTestCase):
    def forward(self, agreed: bool, reason: str = "") -> Case:
        report, _receipt = file_report(contact=CONTACT, share_contact_abroad=agreed)
        case = report.cases.get()
        hana = self.client_for(self.world.hana)
        hana.post(f"/en/report/cases/{case.pk}/assess/", {"assessment": "nationally-illegal"})
        hana.post(
            f"/en/report/cases/{case.pk}/forward/", {"to": self.french_hotline.pk, "contact_reason": reason}
        )
        return report.cases.get(organisation=self.french_hotline)

    def what_fanny_sees(self, case: Case) -> str:
        fanny = self.client_for(self.fanny)
        token = self.token_for(self.fanny, self.french_hotline, Role.HOTLINE_ANALYST)
        api = self.client.get(f"/api/v1/cases/{case.pk}", headers={"Authorization": f"Bearer {token}"})
        export = fanny.get(f"/en/report/cases/{case.pk}/export.json")
        page = fanny.get(f"/en/report/cases/{case.pk}/")
        return page.content.decode() + json.dumps(api.json()) + export.content.decode()

    def test_without_agreement_or_reason_the_other_hotline_does_not_get_the_contact_details(self) -> None:
        forwarded = self.forward(agreed=False)
        seen = self.what_fanny_sees(forwarded)
        assert "reporter@example.org" not in seen and "254700000001" not in seen
        assert "did not agree to share them with an organisation of another country" in seen
        # The hotline of the reporter's own country still has them.
        original = forwarded.forwarded_from
        assert original is not None
        self.assertContains(
            self.client_for(self.world.hana).get(f"/en/report/cases/{original.pk}/"), "reporter@example.org"
        )

    def test_the_reporters_agreement_on_the_form_lets_them_go_with_the_case(self) -> None:
        assert "reporter@example.org" in self.what_fanny_sees(self.forward(agreed=True))

    def test_the_form_asks_agreement_and_the_answer_defaults_to_no(self) -> None:
        page = self.client.get("/en/report/", {"age": "13-17", "country": "KE", "danger": "no"})
        self.assertContains(page, 'name="share_contact_abroad"')
        self.assertNotContains(page, "checked")
        file_report(contact=CONTACT)
        report, _receipt = file_report(contact=CONTACT, share_contact_abroad=True)
        assert report.share_contact_abroad
        anonymous, _receipt = file_report(share_contact_abroad=True)
        assert not anonymous.share_contact_abroad

    def test_an_analysts_reason_shares_them_and_is_audited_without_them(self) -> None:
        forwarded = self.forward(agreed=False, reason="The reporter asked the French police to call back.")
        assert forwarded.contact_reason == "The reporter asked the French police to call back."
        seen = self.what_fanny_sees(forwarded)
        assert "reporter@example.org" in seen and "The reporter asked the French police to call back." in seen
        event = AuditEvent.objects.get(model="reports.Case", object_id=str(forwarded.pk), action="create")
        assert event.after["contact_reason"] == "The reporter asked the French police to call back."
        everything = json.dumps(list(AuditEvent.objects.values("before", "after", "object_repr")))
        assert "reporter@example.org" not in everything and "254700000001" not in everything

    def test_the_api_takes_the_reason_for_forwards_only(self) -> None:
        report, _receipt = file_report(contact=CONTACT)
        case = report.cases.get()
        token = self.token_for(self.world.hana, self.world.kenya_hotline, Role.HOTLINE_ANALYST)
        headers = {"Authorization": f"Bearer {token}"}
        self.client.post(
            f"/api/v1/cases/{case.pk}/assessment",
            {"assessment": "harmful-legal"},
            content_type="application/json",
            headers=headers,
        )
        wrong = self.client.post(
            f"/api/v1/cases/{case.pk}/actions",
            {"kind": "takedown-notice", "target": "Example Hosting", "contact_reason": "x"},
            content_type="application/json",
            headers=headers,
        )
        assert wrong.status_code == 422 and not case.actions.exists()
        forwarded = self.client.post(
            f"/api/v1/cases/{case.pk}/actions",
            {
                "kind": "forward-hotline",
                "target_organisation": self.french_hotline.pk,
                "contact_reason": "needed",
            },
            content_type="application/json",
            headers=headers,
        )
        assert forwarded.status_code == 200
        assert report.cases.get(organisation=self.french_hotline).contact_reason == "needed"

    def test_the_schema_says_the_reason_is_for_forwards_only(self) -> None:
        import jsonschema_rs

        from cop.api import api

        action = api.get_openapi_schema()["components"]["schemas"]["ActionIn"]
        valid = jsonschema_rs.validator_for(action).is_valid
        assert valid({"kind": "forward-hotline", "contact_reason": "needed"})
        assert valid({"kind": "close", "contact_reason": ""})
        assert not valid({"kind": "close", "contact_reason": "x"})
        # A NUL is refused by the middleware (400) in any body: the schema says so.
        assert not valid({"kind": "close", "note": "a\u0000b"})
