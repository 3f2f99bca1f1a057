"""Writing, checking, translating, publishing and withdrawing alerts, and the public pages."""

from __future__ import annotations

from django.utils.html import escape

from cop.alerts.models import Alert, AlertText, Status
from cop.alerts.tests.helpers import form_data, make_alert, risk
from cop.core.models import AuditEvent
from cop.core.tests.base import BaseTestCase


class WritingTestCase(BaseTestCase):
    def test_a_draft_is_hidden_from_the_public_until_it_is_published(self) -> None:
        hana = self.client_for(self.world.hana)
        hana.post("/en/alerts/new/", form_data(title="Sextortion through fake modelling agencies"))
        alert = Alert.objects.get()
        assert alert.status == Status.DRAFT
        assert self.client.get(alert.get_absolute_url()).status_code == 404
        self.assertNotContains(self.client.get("/en/alerts/"), "fake modelling agencies")
        self.assertContains(hana.get(alert.get_absolute_url()), "This is a draft.")
        hana.post(f"/en/alerts/{alert.pk}/publish/")
        self.assertContains(self.client.get("/en/alerts/"), "fake modelling agencies")
        page = self.client.get(alert.get_absolute_url())
        self.assertContains(page, "Sextortion through fake modelling agencies")
        self.assertContains(page, "Never send photos to people you only know online.")
        self.assertContains(page, "Kenya")
        self.assertNotContains(page, "Manage this alert")

    def test_html_in_any_text_field_is_refused_and_nothing_is_saved(self) -> None:
        hana = self.client_for(self.world.hana)
        for field in ("title", "description", "at_risk", "advice_children", "advice_policy"):
            response = hana.post("/en/alerts/new/", form_data(**{field: 'Look <a href="x">here</a>'}))
            self.assertContains(response, "HTML is not allowed here; write plain text.", status_code=400)
        assert not Alert.objects.exists() and not AlertText.objects.exists()

    def test_an_alert_needs_a_title_what_it_is_who_is_at_risk_and_some_advice(self) -> None:
        hana = self.client_for(self.world.hana)
        response = hana.post("/en/alerts/new/", form_data(title="   ", at_risk=""))
        self.assertContains(response, "This field is required.", count=2, status_code=400)
        no_advice = form_data(advice_children="", advice_parents="", advice_industry="", advice_policy="")
        self.assertContains(
            hana.post("/en/alerts/new/", no_advice), "Give advice for at least one audience.", status_code=400
        )
        unknown = hana.post("/en/alerts/new/", form_data(severity="apocalyptic", language="xx"))
        self.assertContains(unknown, "Select a valid choice", count=2, status_code=400)
        assert not Alert.objects.exists()

    def test_stored_text_is_always_shown_escaped(self) -> None:
        alert = make_alert(self.world.hana, self.world.kenya_hotline, title='Tom & Jerry\'s "quiz" 3 > 2')
        # Text that reached the database some other way than through the form is escaped all the same.
        AlertText.objects.filter(alert=alert).update(description="<script>alert('x')</script>")
        for url in ("/en/alerts/", alert.get_absolute_url()):
            page = self.client.get(url).content.decode()
            assert "<script>alert" not in page
            assert escape('Tom & Jerry\'s "quiz" 3 > 2') in page
        assert (
            escape("<script>alert('x')</script>")
            in self.client.get(alert.get_absolute_url()).content.decode()
        )

    def test_the_alert_page_shows_its_text_in_the_page_language_or_else_the_original_marked_as_such(
        self,
    ) -> None:
        alert = make_alert(self.world.hana, self.world.kenya_hotline, title="Fake prize messages")
        hana = self.client_for(self.world.hana)
        french = form_data(title="Faux messages de gains", advice_children="Ne réponds pas.", language=None)
        response = hana.post(f"/en/alerts/{alert.pk}/translations/fr/", french)
        self.assertRedirects(response, f"/fr/alerts/{alert.pk}/")
        self.assertContains(
            self.client.get(f"/fr/alerts/{alert.pk}/"), "<h1>Faux messages de gains</h1>", html=True
        )
        spanish = self.client.get(f"/es/alerts/{alert.pk}/")
        self.assertContains(spanish, '<h1 lang="en" dir="ltr">Fake prize messages</h1>', html=True)
        self.assertContains(spanish, f'href="/fr/alerts/{alert.pk}/"')
        assert alert.languages == ["en", "fr"]
        # The original is changed with the alert itself, never as a "translation".
        assert hana.get(f"/en/alerts/{alert.pk}/translations/en/").status_code == 404
        assert hana.get(f"/en/alerts/{alert.pk}/translations/xx/").status_code == 404

    def test_a_published_alert_that_changes_gets_a_new_revision(self) -> None:
        alert = make_alert(self.world.hana, self.world.kenya_hotline)
        assert alert.revision == 1
        hana = self.client_for(self.world.hana)
        unchanged = {**form_data(language=None), "risks": [str(risk("contact-sexual").pk)]}
        self.assertContains(
            hana.post(f"/en/alerts/{alert.pk}/edit/", unchanged, follow=True), "Nothing was changed."
        )
        alert.refresh_from_db()
        assert alert.revision == 1
        hana.post(f"/en/alerts/{alert.pk}/edit/", form_data(language=None, severity="critical"))
        alert.refresh_from_db()
        assert alert.revision == 2 and alert.severity == "critical"

    def test_withdrawing_needs_a_reason_and_marks_the_alert_withdrawn_for_good(self) -> None:
        alert = make_alert(self.world.hana, self.world.kenya_hotline, title="A challenge that was a hoax")
        hana = self.client_for(self.world.hana)
        refused = hana.post(f"/en/alerts/{alert.pk}/withdraw/", {"reason": "  "})
        self.assertContains(refused, "This field is required.", status_code=400)
        alert.refresh_from_db()
        assert alert.status == Status.PUBLISHED
        hana.post(f"/en/alerts/{alert.pk}/withdraw/", {"reason": "It turned out to be a hoax."})
        alert.refresh_from_db()
        assert alert.status == Status.WITHDRAWN and alert.withdrawn_at is not None
        page = self.client.get(alert.get_absolute_url())
        self.assertContains(page, "This alert was withdrawn on")
        self.assertContains(page, "It turned out to be a hoax.")
        self.assertNotContains(self.client.get("/en/alerts/"), "A challenge that was a hoax")
        # Withdrawn is final: no edit, no translation, no second publication.
        follow = hana.post(f"/en/alerts/{alert.pk}/edit/", form_data(language=None), follow=True)
        self.assertContains(follow, "A withdrawn alert cannot be changed.")
        hana.post(f"/en/alerts/{alert.pk}/translations/fr/", form_data(language=None, title="Non"))
        republish = hana.post(f"/en/alerts/{alert.pk}/publish/", follow=True)
        self.assertContains(republish, "Only a draft can be published.")
        alert.refresh_from_db()
        assert alert.status == Status.WITHDRAWN and alert.languages == ["en"]

    def test_a_draft_cannot_be_withdrawn(self) -> None:
        draft = make_alert(self.world.hana, self.world.kenya_hotline, publish=False)
        response = self.client_for(self.world.hana).post(
            f"/en/alerts/{draft.pk}/withdraw/", {"reason": "why"}, follow=True
        )
        self.assertContains(response, "Only a published alert can be withdrawn.")
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT

    def test_every_write_to_an_alert_is_in_the_audit_log_with_who_did_it(self) -> None:
        hana = self.client_for(self.world.hana)
        hana.post("/en/alerts/new/", form_data())
        alert = Alert.objects.get()
        hana.post(f"/en/alerts/{alert.pk}/publish/")
        hana.post(
            f"/en/alerts/{alert.pk}/edit/",
            form_data(language=None, risks=[str(risk("contact-aggressive").pk)]),
        )
        hana.post(f"/en/alerts/{alert.pk}/translations/fr/", form_data(language=None, title="Faux gains"))
        events = AuditEvent.objects.filter(model__startswith="alerts.")
        assert {e.actor_label for e in events} == {"hana"}
        assert {e.country for e in events} == {"KE"}
        kinds = {(e.model, e.action) for e in events}
        assert {
            ("alerts.Alert", "create"),
            ("alerts.AlertText", "create"),
            ("alerts.AlertCountry", "create"),
            ("alerts.AlertRisk", "create"),
            ("alerts.AlertRisk", "delete"),
            ("alerts.Alert", "update"),
        } <= kinds
        publication = events.get(model="alerts.Alert", action="update", after__status="published")
        assert publication.before["status"] == "draft"


class PublicListTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.kenyan = make_alert(
            self.world.hana, self.world.kenya_hotline, title="Kenyan grooming alert", risks=["contact-sexual"]
        )
        self.french = make_alert(
            self.world.henri,
            self.world.france_helpline,
            countries=["FR"],
            risks=["conduct-aggressive"],
            language="fr",
            title="Défi dangereux sur une application vidéo",
        )
        self.worldwide = make_alert(
            self.world.alice,
            self.world.secretariat,
            countries=[],
            risks=["privacy"],
            title="Worldwide data leak",
        )
        make_alert(self.world.hana, self.world.kenya_hotline, publish=False, title="Unpublished draft")

    def titles(self, query: str) -> set[str]:
        response = self.client.get(f"/en/alerts/{query}")
        assert response.status_code == 200
        return {a.text().title for a in response.context["page"].object_list}  # type: ignore[union-attr]

    def test_the_list_holds_the_published_alerts_newest_first(self) -> None:
        response = self.client.get("/en/alerts/")
        assert [a.pk for a in response.context["page"].object_list] == [
            self.worldwide.pk,
            self.french.pk,
            self.kenyan.pk,
        ]
        self.assertContains(response, "3 alerts")
        self.assertNotContains(response, "Unpublished draft")

    def test_a_country_filter_keeps_its_alerts_and_the_worldwide_ones(self) -> None:
        assert self.titles("?country=KE") == {"Kenyan grooming alert", "Worldwide data leak"}
        assert self.titles("?country=FR") == {
            "Défi dangereux sur une application vidéo",
            "Worldwide data leak",
        }
        self.assertContains(self.client.get("/en/alerts/?country=KE"), 'href="/en/alerts/feed/KE/"')

    def test_the_risk_and_language_filters_combine(self) -> None:
        assert self.titles("?risk=contact-sexual") == {"Kenyan grooming alert"}
        assert self.titles("?language=fr") == {"Défi dangereux sur une application vidéo"}
        assert self.titles("?language=fr&country=KE") == set()
        assert self.titles("?risk=privacy&country=FR") == {"Worldwide data leak"}

    def test_a_filter_value_not_on_offer_gets_an_error_instead_of_a_list(self) -> None:
        for query in ("?country=XX", "?risk=<script>", "?language=klingon"):
            response = self.client.get(f"/en/alerts/{query}")
            self.assertContains(response, "Select a valid choice", status_code=400)
            self.assertNotContains(response, "Kenyan grooming alert", status_code=400)
            assert "<script>" not in response.content.decode()
