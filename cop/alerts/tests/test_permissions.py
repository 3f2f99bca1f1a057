"""Who may write, edit, publish and withdraw alerts, and where."""

from __future__ import annotations

from cop.alerts.models import Alert, Status
from cop.alerts.tests.helpers import form_data, make_alert
from cop.core.tests.base import BaseTestCase


class AlertPermissionsTestCase(BaseTestCase):
    def test_a_kenyan_hotline_analyst_writes_and_publishes_an_alert_for_kenya(self) -> None:
        hana = self.client_for(self.world.hana)
        response = hana.post("/en/alerts/new/", form_data())
        alert = Alert.objects.get()
        self.assertRedirects(response, f"/en/alerts/{alert.pk}/")
        assert alert.organisation == self.world.kenya_hotline and alert.author == self.world.hana
        assert hana.post(f"/en/alerts/{alert.pk}/publish/").status_code == 302
        alert.refresh_from_db()
        assert alert.status == Status.PUBLISHED and alert.published_at is not None

    def test_henri_cannot_edit_publish_or_withdraw_a_kenyan_analysts_alert(self) -> None:
        draft = make_alert(self.world.hana, self.world.kenya_hotline, publish=False)
        published = make_alert(self.world.hana, self.world.kenya_hotline, title="Published one")
        henri = self.client_for(self.world.henri)
        # Someone else's draft is not even shown to him.
        assert henri.get(draft.get_absolute_url()).status_code == 404
        assert henri.get(f"/en/alerts/{draft.pk}/edit/").status_code == 404
        assert henri.post(f"/en/alerts/{draft.pk}/publish/").status_code == 404
        assert henri.get(f"/en/alerts/{published.pk}/edit/").status_code == 403
        changed = form_data(title="Changed by henri")
        assert henri.post(f"/en/alerts/{published.pk}/edit/", changed).status_code == 403
        assert henri.post(f"/en/alerts/{published.pk}/translations/fr/", changed).status_code == 403
        assert henri.post(f"/en/alerts/{published.pk}/withdraw/", {"reason": "No."}).status_code == 403
        draft.refresh_from_db()
        published.refresh_from_db()
        assert draft.status == Status.DRAFT and published.status == Status.PUBLISHED
        assert published.text("en").title == "Published one"  # type: ignore[union-attr]
        assert published.languages == ["en"]
        self.assertNotContains(henri.get(published.get_absolute_url()), "Manage this alert")

    def test_henri_cannot_write_an_alert_for_kenya_and_nothing_is_saved(self) -> None:
        henri = self.client_for(self.world.henri)
        response = henri.post("/en/alerts/new/", form_data(countries=["KE"]))
        assert response.status_code == 400
        self.assertContains(response, "Select a valid choice", status_code=400)
        assert not Alert.objects.exists()
        assert henri.post("/en/alerts/new/", form_data(countries=["FR"])).status_code == 302
        assert Alert.objects.get().organisation == self.world.france_helpline

    def test_an_analyst_cannot_move_an_alert_to_a_country_outside_their_own(self) -> None:
        alert = make_alert(self.world.hana, self.world.kenya_hotline, publish=False)
        response = self.client_for(self.world.hana).post(
            f"/en/alerts/{alert.pk}/edit/", form_data(countries=["KE", "FR"])
        )
        assert response.status_code == 400
        assert [c.iso2 for c in alert.countries.all()] == ["KE"]

    def test_kofi_the_focal_point_can_neither_write_nor_publish(self) -> None:
        draft = make_alert(self.world.hana, self.world.kenya_hotline, publish=False)
        kofi = self.client_for(self.world.kofi)
        assert kofi.get("/en/alerts/new/").status_code == 403
        assert kofi.post("/en/alerts/new/", form_data()).status_code == 403
        assert kofi.post(f"/en/alerts/{draft.pk}/publish/").status_code == 404
        published = make_alert(self.world.hana, self.world.kenya_hotline)
        assert kofi.post(f"/en/alerts/{published.pk}/withdraw/", {"reason": "No."}).status_code == 403
        assert kofi.get("/en/alerts/manage/").status_code == 403
        draft.refresh_from_db()
        assert draft.status == Status.DRAFT and Alert.objects.count() == 2

    def test_a_partner_cannot_write_alerts(self) -> None:
        assert self.client_for(self.world.pablo).post("/en/alerts/new/", form_data()).status_code == 403

    def test_visitors_are_sent_to_sign_in(self) -> None:
        response = self.client.get("/en/alerts/new/")
        assert response.status_code == 302 and "/account/login/" in response["Location"]
        assert not Alert.objects.exists()

    def test_the_secretariat_acts_anywhere_and_alone_writes_worldwide_alerts(self) -> None:
        kenyan = make_alert(self.world.hana, self.world.kenya_hotline, publish=False)
        alice = self.client_for(self.world.alice)
        assert alice.post(f"/en/alerts/{kenyan.pk}/publish/").status_code == 302
        response = alice.post("/en/alerts/new/", form_data(countries=[], title="Worldwide one"))
        assert response.status_code == 302
        worldwide = Alert.objects.get(texts__title="Worldwide one")
        assert worldwide.is_worldwide and worldwide.organisation == self.world.secretariat
        # An analyst must name their country: a worldwide alert is not theirs to write.
        refused = self.client_for(self.world.hana).post("/en/alerts/new/", form_data(countries=[]))
        assert refused.status_code == 400
        # Nor are its drafts hers to see, nor, once published, to edit.
        assert self.client_for(self.world.hana).get(f"/en/alerts/{worldwide.pk}/edit/").status_code == 404
        alice.post(f"/en/alerts/{worldwide.pk}/publish/")
        assert self.client_for(self.world.hana).get(f"/en/alerts/{worldwide.pk}/edit/").status_code == 403

    def test_the_list_of_alerts_to_edit_holds_only_the_analysts_countries(self) -> None:
        make_alert(self.world.hana, self.world.kenya_hotline, title="Kenyan alert")
        make_alert(self.world.henri, self.world.france_helpline, countries=["FR"], title="French alert")
        make_alert(self.world.alice, self.world.secretariat, countries=["FR", "KE"], title="Both countries")
        page = self.client_for(self.world.hana).get("/en/alerts/manage/")
        self.assertContains(page, "Kenyan alert")
        self.assertNotContains(page, "French alert")
        self.assertNotContains(page, "Both countries")
        everything = self.client_for(self.world.alice).get("/en/alerts/manage/")
        for title in ("Kenyan alert", "French alert", "Both countries"):
            self.assertContains(everything, title)
