from __future__ import annotations

import re
from typing import Any

from django.test import override_settings

from cop.core.models import AuditEvent
from cop.reports.models import Case, Priority, Report, ReportUrl
from cop.reports.tests.base import ReportsTestCase, file_report


class ReportFormTestCase(ReportsTestCase):
    def form_data(self, **changes: Any) -> dict[str, str]:
        page = self.client.get(
            "/fr/report/", {"age": "adult", "country": "FR", "danger": "no"}
        ).content.decode()
        key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        data = {
            "age": "adult", "country": "FR", "danger": "", "urls": "https://example.org/page",
            "where_seen": "website", "risk": "", "description": "", "contact_name": "", "contact_email": "",
            "contact_phone": "", "website": "", "idempotency_key": key,
        }  # fmt: skip
        data.update(changes)
        return data

    def test_saying_someone_is_in_danger_shows_the_numbers_at_once(self) -> None:
        response = self.client.get("/en/report/", {"age": "8-12", "country": "KE", "danger": "yes"})
        html = response.content.decode()
        assert html.index('href="tel:999"') < html.index('<form method="post"')
        assert 'href="tel:116"' in html

    def test_the_contact_fields_tell_the_browser_their_purpose_and_keyboard(self) -> None:
        html = self.client.get(
            "/fr/report/", {"age": "adult", "country": "FR", "danger": "no"}
        ).content.decode()
        fields = {
            name: re.search(rf"<input[^>]*name=\"{name}\"[^>]*>", html)
            for name in ("contact_name", "contact_email", "contact_phone")
        }
        tags = {name: match.group(0) for name, match in fields.items() if match}
        assert 'autocomplete="name"' in tags["contact_name"]
        assert 'type="email"' in tags["contact_email"] and 'autocomplete="email"' in tags["contact_email"]
        assert 'type="tel"' in tags["contact_phone"] and 'autocomplete="tel"' in tags["contact_phone"]

    def test_an_anonymous_report_gets_a_receipt_and_one_case_for_the_competent_hotline(self) -> None:
        response = self.client.post("/fr/report/send/", self.form_data())
        assert response.status_code == 200
        receipt = re.search(r'receipt-code" dir="ltr">([^<]+)<', response.content.decode()).group(1)  # type: ignore[union-attr]
        report = Report.objects.get(receipt=receipt)
        assert not report.has_contact and report.language == "fr"
        case = report.cases.get()
        assert case.organisation == self.french_hotline and case.priority == Priority.NORMAL

    def test_submitting_the_same_form_twice_stores_one_report(self) -> None:
        data = self.form_data()
        first = self.client.post("/fr/report/send/", data).content.decode()
        again = self.client.post("/fr/report/send/", data).content.decode()
        code = re.compile(r'receipt-code" dir="ltr">([^<]+)<')
        assert code.search(first).group(1) == code.search(again).group(1)  # type: ignore[union-attr]
        assert Report.objects.count() == 1

    def test_a_filled_honeypot_stores_nothing(self) -> None:
        response = self.client.post("/fr/report/send/", self.form_data(website="http://spam.example.org"))
        assert response.status_code == 400
        assert not Report.objects.exists()

    @override_settings(REPORT_RATE_LIMIT=2)
    def test_too_many_reports_from_one_address_are_refused(self) -> None:
        codes = [self.client.post("/fr/report/send/", self.form_data()).status_code for _ in range(3)]
        assert codes == [200, 200, 429]
        assert Report.objects.count() == 2

    @override_settings(REPORT_RATE_LIMIT=2, BEHIND_TLS_PROXY=True)
    def test_behind_the_proxy_the_limit_counts_each_client_not_the_proxy(self) -> None:
        # The proxy appends the address it saw; a client's own entries before it are not trusted.
        def send(client_address: str) -> int:
            forwarded = f"203.0.113.9, {client_address}"
            response = self.client.post(
                "/fr/report/send/", self.form_data(), REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
            )
            return response.status_code

        assert [send("198.51.100.1") for _ in range(3)] == [200, 200, 429]
        assert send("198.51.100.2") == 200

    def test_hostile_input_is_refused_and_nothing_is_stored(self) -> None:
        for changes in [
            {"urls": "javascript:alert(1)"},
            {"urls": "data:text/html,<script>alert(1)</script>"},
            {"urls": "file:///etc/passwd"},
            {"urls": "\n".join(f"https://example.org/{i}" for i in range(11))},
            {"urls": "https://example.org/" + "a" * 2100},
            {"urls": ""},
            {"description": "x" * 5001},
            {"description": "bad\x00byte"},
            {"contact_email": "not an address"},
            {"where_seen": "'; DROP TABLE reports_report; --"},
        ]:
            response = self.client.post("/en/report/send/", self.form_data(**changes))
            assert response.status_code == 400, changes
        assert not Report.objects.exists() and not ReportUrl.objects.exists()

    def test_stored_markup_and_sql_are_text_rendered_inert(self) -> None:
        report, _receipt = file_report(
            description="<script>alert(1)</script> ' OR 1=1 -- \u202e\U0001f600",
            urls=["https://example.org/?q=<b>x</b>"],
        )
        case = report.cases.get()
        html = self.client_for(self.world.hana).get(f"/en/report/cases/{case.pk}/").content.decode()
        assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&lt;b&gt;x&lt;/b&gt;" in html
        assert Report.objects.filter(description__contains="' OR 1=1 --").count() == 1


GAME = {"country": "KE", "reporter_age": "adult", "where_seen": "game", "urls": ["https://example.org/g"]}


class IntakeTestCase(ReportsTestCase):
    def test_a_child_in_danger_comes_first(self) -> None:
        urgent, _r1 = file_report(in_danger=True, reporter_age="8-12")
        normal, _r2 = file_report()
        queue = list(Case.objects.filter(organisation=self.world.kenya_hotline))
        assert queue[0].report == urgent and queue[0].priority == Priority.CHILD_IN_DANGER
        assert normal.cases.get().priority == Priority.NORMAL

    def test_a_country_without_a_hotline_leaves_the_case_for_the_secretariat_to_route(self) -> None:
        report, _receipt = file_report(country="BR")
        assert report.cases.get().organisation is None

    def test_contact_details_are_encrypted_and_the_audit_log_holds_no_copy(self) -> None:
        report, _receipt = file_report(contact={"email": "parent@example.org", "name": "A. Parent"})
        stored = Report.objects.values_list("contact", flat=True).get(pk=report.pk)
        assert "parent@example.org" not in stored and stored.startswith("gAAAA")
        assert report.contact_details() == {"email": "parent@example.org", "name": "A. Parent"}
        event = AuditEvent.objects.get(model="reports.Report", object_id=str(report.pk))
        assert "parent@example.org" not in str(event.after) and event.after["contact"] == "[redacted]"

    def test_the_status_needs_the_receipt_and_its_secret(self) -> None:
        _report, receipt = file_report()
        ok = self.client.post(
            "/en/report/status/", {"receipt": receipt.receipt.lower(), "secret": receipt.secret}
        )
        self.assertContains(ok, "Received: waiting for an analyst")
        wrong = self.client.post("/en/report/status/", {"receipt": receipt.receipt, "secret": "WRONG"})
        assert wrong.status_code == 400
        self.assertContains(wrong, "No report matches", status_code=400)
        self.assertNotContains(wrong, "Received:", status_code=400)

    def test_the_api_takes_a_report_once_per_idempotency_key(self) -> None:
        body = {
            "country": "KE",
            "reporter_age": "13-17",
            "where_seen": "game",
            "urls": ["https://example.org/g"],
        }
        headers = {"Idempotency-Key": "retry-123"}
        first = self.client.post("/api/v1/reports", body, content_type="application/json", headers=headers)
        again = self.client.post("/api/v1/reports", body, content_type="application/json", headers=headers)
        assert (first.status_code, again.status_code) == (201, 200)
        assert first.json() == again.json()
        assert Report.objects.count() == 1
        ask = {"receipt": first.json()["receipt"], "secret": first.json()["secret"]}
        status = self.client.post("/api/v1/reports/status", ask, content_type="application/json")
        assert status.json()["status"] == "received"

    def test_the_api_refuses_bad_reports_with_the_error_shape(self) -> None:
        for body in [
            {"country": "KE", "reporter_age": "adult", "where_seen": "game", "urls": []},
            {"country": "KE", "reporter_age": "adult", "where_seen": "game", "urls": ["javascript:alert(1)"]},
            {"country": "ZZ", "reporter_age": "adult", "where_seen": "game", "urls": ["https://example.org"]},
            {"country": "KE", "reporter_age": "old", "where_seen": "game", "urls": ["https://example.org"]},
            # JSON types as the schema states them: a string is not a boolean, and no key goes unread.
            {**GAME, "contact": {"email": "parent@example.org", "share_abroad": "true"}},
            {**GAME, "in_danger": 1},
            {**GAME, "contact": {"email": "parent@example.org", "share_abroad": True, "fax": "1"}},
            {**GAME, "colour": "red"},
        ]:
            response = self.client.post("/api/v1/reports", body, content_type="application/json")
            assert response.status_code == 422, body
            assert response.json()["code"] == "invalid_request"
        assert not Report.objects.exists()
        # The rules between fields are in the schema as well (the fuzz test checks that they agree).
        import jsonschema_rs

        from cop.api import api

        components = api.get_openapi_schema()["components"]
        schema = {"$ref": "#/components/schemas/ReportIn", "components": components}
        valid = jsonschema_rs.validator_for(schema).is_valid
        assert not valid({**GAME, "urls": []}) and not valid({**GAME, "urls": [], "description": " \n"})
        assert valid({**GAME, "urls": [], "description": "A stranger asked for photos."})
        assert not valid({**GAME, "where_seen": "website", "urls": [], "description": "A page."})
        assert valid({**GAME, "risk": "contact-sexual"}) and not valid({**GAME, "risk": "8"})
        # Control characters in the description, even where trimming would remove them, both refuse.
        for description in ("\x1cA chat.", "A chat.\x07"):
            assert not valid({**GAME, "description": description})
            body = {**GAME, "description": description}
            assert (
                self.client.post("/api/v1/reports", body, content_type="application/json").status_code == 422
            )
        assert valid({**GAME, "description": "A chat.\n\tThen a call."})
        for body in (
            {**GAME, "urls": []},
            {**GAME, "where_seen": "website", "urls": [], "description": "A page."},
        ):
            assert (
                self.client.post("/api/v1/reports", body, content_type="application/json").status_code == 422
            )
        # The same with proper JSON types is taken.
        sent = {**GAME, "in_danger": True, "contact": {"email": "parent@example.org", "share_abroad": True}}
        assert self.client.post("/api/v1/reports", sent, content_type="application/json").status_code == 201
