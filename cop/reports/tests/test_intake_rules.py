"""What intake accepts and how: idempotency by content, JSON only, receipts as people type them,
no hidden characters in links and names, and reports without a link where there is none."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from cop.core.visible import MESSAGE as INVISIBLE
from cop.reports import intake
from cop.reports.models import Report, ReportUrl
from cop.reports.tests.base import ReportsTestCase, file_report

API_BODY: dict[str, Any] = {
    "country": "KE",
    "reporter_age": "13-17",
    "where_seen": "website",
    "urls": ["https://example.org/first"],
    "description": "first report",
}


def receipt_of(html: str) -> str | None:
    found = re.search(r'receipt-code" dir="ltr">([^<]+)<', html)
    return found.group(1) if found else None


class FormMixin(ReportsTestCase):
    def form_data(self, age: str = "adult", **changes: Any) -> dict[str, Any]:
        page = self.client.get("/en/report/", {"age": age, "country": "FR", "danger": "no"}).content.decode()
        key = re.search(r'name="idempotency_key" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        data = {
            "age": age, "country": "FR", "danger": "", "urls": "https://example.org/page",
            "where_seen": "website", "risk": "", "description": "", "contact_name": "", "contact_email": "",
            "contact_phone": "", "website": "", "idempotency_key": key,
        }  # fmt: skip
        data.update(changes)
        return data


class IdempotencyTestCase(FormMixin):
    def post(self, body: dict[str, Any], key: str = "key-1") -> Any:
        return self.client.post(
            "/api/v1/reports", body, content_type="application/json", headers={"Idempotency-Key": key}
        )

    def test_a_used_key_with_another_report_is_a_conflict_that_reveals_nothing(self) -> None:
        first = self.post(API_BODY)
        assert first.status_code == 201
        other = self.post({**API_BODY, "urls": ["https://example.org/second"], "description": "second"})
        assert other.status_code == 409
        body = other.json()
        assert body["code"] == "conflict"
        for secret_part in (
            first.json()["receipt"],
            first.json()["secret"],
            "example.org/first",
            "first report",
        ):
            assert secret_part not in other.content.decode()
        assert Report.objects.count() == 1
        assert not ReportUrl.objects.filter(url__contains="second").exists()

    def test_the_same_report_sent_again_in_another_key_order_gets_the_same_receipt(self) -> None:
        first = self.post(API_BODY)
        reordered = dict(reversed(list(API_BODY.items())))
        reordered["urls"] = ["  https://example.org/first  "]
        again = self.post(reordered)
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json() == first.json()
        assert Report.objects.count() == 1

    def test_the_stored_digest_is_keyed_and_no_copy_of_the_content(self) -> None:
        self.post({**API_BODY, "contact": {"email": "reporter@example.org"}})
        report = Report.objects.get()
        assert len(report.content_digest) == 64 and "reporter" not in report.content_digest
        import hashlib

        assert report.content_digest != hashlib.sha256(b"reporter@example.org").hexdigest()

    def test_the_form_sent_again_with_other_answers_asks_to_send_them_as_a_new_report(self) -> None:
        data = self.form_data()
        first = self.client.post("/en/report/send/", data)
        first_receipt = receipt_of(first.content.decode())
        changed = self.client.post("/en/report/send/", {**data, "urls": "https://example.org/changed"})
        html = changed.content.decode()
        assert changed.status_code == 409
        assert first_receipt is not None and first_receipt not in html and receipt_of(html) is None
        assert "This form was already sent with other answers." in html
        fresh = re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
        assert fresh != data["idempotency_key"]
        # Sending the page as shown again makes the second report, with its own receipt.
        resent = self.client.post(
            "/en/report/send/", {**data, "urls": "https://example.org/changed", "idempotency_key": fresh}
        )
        second_receipt = receipt_of(resent.content.decode())
        assert second_receipt and second_receipt != first_receipt
        assert Report.objects.count() == 2


class JsonOnlyTestCase(ReportsTestCase):
    def test_a_report_not_sent_as_json_is_refused_with_415_and_nothing_is_stored(self) -> None:
        import json

        raw = json.dumps(API_BODY)
        for content_type in ("text/plain", "application/x-www-form-urlencoded", "text/plain; charset=utf-8"):
            response = self.client.post("/api/v1/reports", raw, content_type=content_type)
            assert response.status_code == 415, content_type
            assert response.json()["code"] == "unsupported_media_type"
        multipart = self.client.post("/api/v1/reports", {"country": "KE"})
        assert multipart.status_code == 415
        assert not Report.objects.exists()
        ok = self.client.post("/api/v1/reports", raw, content_type="application/json; charset=utf-8")
        assert ok.status_code == 201

    def test_the_api_document_lists_the_409_and_the_415(self) -> None:
        schema = self.client.get("/api/v1/openapi.json").json()
        responses = schema["paths"]["/api/v1/reports"]["post"]["responses"]
        assert {"409", "415"} <= set(responses)
        assert "415" in schema["paths"]["/api/v1/reports/status"]["post"]["responses"]
        assert "urls" not in schema["components"]["schemas"]["ReportIn"].get("required", [])
        assert "in-person" in str(schema["components"]["schemas"]["ReportIn"]["properties"]["where_seen"])


def spellings(code: str) -> st.SearchStrategy[str]:
    """Every way a person might type `code`: any case, O for 0, I or L for 1, full-width forms, any dash."""

    def ways(character: str) -> list[str]:
        if character == "-":
            return ["-", "", " ", "\u2013", "\u2010", "\uff0d"]
        found = {character, character.lower()}
        found |= {"0": {"O", "o"}, "1": {"I", "i", "L", "l"}}.get(character, set())
        return sorted(found | {chr(ord(c) + 0xFEE0) for c in found})

    typed = st.tuples(*[st.sampled_from(ways(c)) for c in code]).map("".join)
    return st.tuples(st.sampled_from(["", " ", "\t"]), typed, st.sampled_from(["", " ", "\n"])).map("".join)


RECEIPT, SECRET = "0A1B0-C1D0E", "01ABCDEF0101"


class ReceiptSpellingTestCase(HypothesisTestCase, ReportsTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        report, _receipt = file_report()
        report.set_secret(SECRET)
        report.save()
        Report.objects.filter(pk=report.pk).update(receipt=RECEIPT)

    @settings(max_examples=40, deadline=None)
    @given(receipt=spellings(RECEIPT), secret=spellings(SECRET))
    def test_every_unambiguous_spelling_finds_the_report(self, receipt: str, secret: str) -> None:
        found = intake.find(receipt, secret)
        assert found is not None and found.receipt == RECEIPT

    def test_another_symbol_still_finds_nothing(self) -> None:
        # U is outside the alphabet and stands for nothing; one wrong symbol is a wrong code.
        for receipt, secret in [
            (RECEIPT, "01ABCDEF010U"),
            (RECEIPT, "01ABCDEF0102"),
            ("0A1B0-C1D0F", SECRET),
            (RECEIPT, SECRET[:-1]),
            (RECEIPT, ""),
        ]:
            assert intake.find(receipt, secret) is None, (receipt, secret)

    def test_the_status_page_and_the_api_accept_a_childs_spelling(self) -> None:
        page = self.client.post("/en/report/status/", {"receipt": "oaib0 cidoe", "secret": "oiabcdefOIOl"})
        self.assertContains(page, "Received: waiting for an analyst")
        api = self.client.post(
            "/api/v1/reports/status",
            {"receipt": "0a1b0c1d0e", "secret": "o1abcdef0lo1"},
            content_type="application/json",
        )
        assert api.status_code == 200 and api.json()["receipt"] == RECEIPT
        wrong = self.client.post("/en/report/status/", {"receipt": "0a1b0c1d0e", "secret": "o1abcdef0lo2"})
        assert wrong.status_code == 400


class HiddenCharactersTestCase(FormMixin):
    def test_a_link_or_name_with_a_direction_override_or_zero_width_space_is_refused(self) -> None:
        for changes, character in [
            ({"urls": "https://example.org/\u202egnp.exe"}, "U+202E"),
            ({"urls": "https://exa\u200bmple.org/"}, "U+200B"),
            ({"contact_name": "A\u2066 Parent"}, "U+2066"),
            ({"contact_email": "parent@exa\u200dmple.org"}, "U+200D"),
        ]:
            response = self.client.post("/en/report/send/", self.form_data(**changes))
            assert response.status_code == 400, changes
            self.assertContains(response, str(INVISIBLE) % {"character": character}, status_code=400)
        # Through the API a link with a hidden character does not even match the schema's pattern; a
        # name does, and the intake names the character in the details.
        for body, location in [
            ({**API_BODY, "urls": ["https://example.org/\u202egnp.exe"]}, ["body", "body", "urls", "0"]),
            ({**API_BODY, "contact": {"name": "Some\u200bone"}}, ["body", "contact_name"]),
        ]:
            response = self.client.post("/api/v1/reports", body, content_type="application/json")
            assert response.status_code == 422
            problem = response.json()["details"][0]
            assert problem["location"] == location and (location[-1] == "0" or "U+200B" in problem["message"])
        assert not Report.objects.exists()

    def test_a_description_keeps_them_but_shows_them_as_codes_that_cannot_reorder_the_page(self) -> None:
        report, _receipt = file_report(description="before \u202eafter\u2067 end\u200b.\nnext line")
        assert "\u202e" in Report.objects.get(pk=report.pk).description
        html = (
            self.client_for(self.world.hana)
            .get(f"/en/report/cases/{report.cases.get().pk}/")
            .content.decode()
        )
        for character in "\u202e\u2067\u200b":
            assert character not in html
        assert (
            '<span class="invisible-char">U+202E</span>after<span class="invisible-char">U+2067</span>'
            in html
        )
        assert 'end<span class="invisible-char">U+200B</span>.\nnext line' in html


class LinkOptionalTestCase(FormMixin):
    def test_a_child_reports_bullying_in_a_group_chat_without_a_link(self) -> None:
        data = self.form_data(
            age="8-12", urls="", where_seen="messaging", description="They laugh at me in the class chat."
        )
        response = self.client.post("/en/report/send/", data)
        assert response.status_code == 200 and receipt_of(response.content.decode())
        report = Report.objects.get()
        assert not report.urls.exists() and report.where_seen == "messaging"

    def test_in_person_and_games_need_no_link_but_then_a_description(self) -> None:
        for where in ("in-person", "game"):
            refused = self.client.post("/en/report/send/", self.form_data(urls="", where_seen=where))
            assert refused.status_code == 400
            self.assertContains(refused, "Without a link, say here what happened.", status_code=400)
        assert not Report.objects.exists()
        body = {**API_BODY, "where_seen": "in-person", "urls": [], "description": "at school"}
        assert self.client.post("/api/v1/reports", body, content_type="application/json").status_code == 201
        body.pop("urls")
        body["where_seen"] = "game"
        assert self.client.post("/api/v1/reports", body, content_type="application/json").status_code == 201

    def test_web_content_still_needs_its_link(self) -> None:
        for where in ("website", "social-network", "video"):
            response = self.client.post(
                "/en/report/send/", self.form_data(urls="", where_seen=where, description="described")
            )
            assert response.status_code == 400, where
            self.assertContains(response, "Give the link of what you saw.", status_code=400)
        body = {**API_BODY, "urls": [], "description": "described"}
        assert self.client.post("/api/v1/reports", body, content_type="application/json").status_code == 422
        assert not Report.objects.exists()

    def test_the_childrens_form_asks_where_first_and_says_when_the_link_can_stay_empty(self) -> None:
        html = self.client.get(
            "/en/report/", {"age": "8-12", "country": "KE", "danger": "no"}
        ).content.decode()
        assert html.index('name="where_seen"') < html.index('name="urls"')
        assert "If it happened in a chat, in a game or face to face, you can leave this empty." in html
        assert "In person, not online" in html
        assert 'name="urls"' in html and 'required id="id_urls"' not in html
