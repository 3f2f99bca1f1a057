"""The secretariat's campaign pages, the dashboard's counts, the review queue, a country's response page
and "My account", with who may open each."""

from __future__ import annotations

import datetime

from django.test import override_settings
from django.utils import timezone

from cop.core import queues
from cop.core.permissions import Actor
from cop.core.tests.mailbox import LINK, deliver
from cop.survey import campaigns, dashboard
from cop.survey.models import Campaign, CampaignStatus, Reminder, Response, ResponseEvent, ResponseState
from cop.survey.tests.helpers import CampaignTestCase, answer, make_campaign, set_state, tomorrow


class DashboardTestCase(CampaignTestCase):
    def setUp(self) -> None:
        # Kenya and Nigeria (Africa, developing), France and Germany (Europe, developed), Japan
        # (Asia-Pacific, developed).
        self.campaign = make_campaign(self.version, "Survey 2027", 2027, ["KE", "NG", "FR", "DE", "JP"])
        self.kenya = self.campaign.responses.get(country_id="KE")
        set_state(self.kenya, ResponseState.RECEIVED)
        set_state(self.campaign.responses.get(country_id="FR"), ResponseState.APPROVED)
        set_state(self.campaign.responses.get(country_id="DE"), ResponseState.EDITED)
        set_state(self.campaign.responses.get(country_id="JP"), ResponseState.HAS_ISSUES)

    def test_response_rates_count_each_state_by_region_and_development_level(self) -> None:
        rates = dashboard.rates(self.campaign)
        by_region = {row.label: row for row in rates.by_region}
        assert list(by_region) == ["Africa", "Asia-Pacific", "Europe"]
        africa, europe = by_region["Africa"], by_region["Europe"]
        assert africa.in_order() == [1, 1, 0, 0, 0] and (africa.asked, africa.submitted, africa.rate) == (
            2,
            1,
            50,
        )
        assert europe.in_order() == [0, 0, 0, 1, 1] and europe.rate == 100
        by_level = {row.label: row.in_order() for row in rates.by_level}
        assert by_level == {"Developed": [0, 0, 1, 1, 1], "Developing": [1, 1, 0, 0, 0]}
        assert rates.total.in_order() == [1, 1, 1, 1, 1] and rates.total.rate == 80

    def test_the_dashboard_shows_the_counts_and_each_countrys_state_and_last_activity(self) -> None:
        answer(self.kenya, "hotlines", 3, by=self.world.kofi)
        page = self.client_for(self.world.alice).get(f"/en/survey/campaigns/{self.campaign.pk}/")
        self.assertContains(page, "<caption>By ITU region</caption>", html=True)
        self.assertContains(page, "<td>4 (80 %)</td>", html=True)
        html = page.content.decode()
        assert html.index(">France<") < html.index(">Germany<") < html.index(">Kenya<")
        rows = {row.name: row for row in dashboard.country_rows(self.campaign)}
        assert rows["Kenya"].last_activity is not None and rows["Nigeria"].last_activity is None
        # Only a country that has not submitted can be ticked for a reminder.
        self.assertContains(page, 'name="countries" value="NG"')
        self.assertNotContains(page, 'name="countries" value="KE"')

    def test_the_country_list_can_show_the_responses_waiting_for_review(self) -> None:
        page = self.client_for(self.world.alice).get(f"/en/survey/campaigns/{self.campaign.pk}/?show=waiting")
        names = [row.name for row in page.context["rows"]]
        assert names == ["Germany", "Kenya"]

    def test_the_secretariat_has_a_queue_of_responses_waiting_for_review_linked_to_the_campaigns(
        self,
    ) -> None:
        waiting = {q.key: q for q in queues.waiting_for(Actor(user=self.world.alice))}
        assert waiting["survey.waiting-for-review"].count == 2
        assert waiting["survey.waiting-for-review"].url == "/en/survey/campaigns/"
        listing = self.client_for(self.world.alice).get("/en/survey/campaigns/")
        self.assertContains(
            listing, f'href="/en/survey/campaigns/{self.campaign.pk}/?show=waiting#countries"'
        )
        for user in (self.world.kofi, self.world.hana, self.world.ines):
            shown = {q.key for q in queues.waiting_for(Actor(user=user))}
            assert "survey.waiting-for-review" not in shown

    def test_a_reminder_from_the_dashboard_says_who_was_reminded_and_refuses_a_second_one_that_day(
        self,
    ) -> None:
        alice = self.client_for(self.world.alice)
        url = f"/en/survey/campaigns/{self.campaign.pk}/remind/"
        page = alice.post(url, {"scope": "late"}, follow=True)
        # Nigeria is the only country that has not submitted, and has no focal point to write to.
        self.assertContains(page, "Not reminded: Nigeria.")
        set_state(self.kenya, ResponseState.DRAFT)
        page = alice.post(url, {"scope": "chosen", "countries": ["KE"]}, follow=True)
        self.assertContains(page, "Reminded: Kenya.")
        assert len(deliver()) == 1
        page = alice.post(url, {"scope": "chosen", "countries": ["KE"]}, follow=True)
        self.assertContains(
            page, "Kenya had a reminder today already: a country gets one reminder a day at most."
        )
        assert Reminder.objects.count() == 1 and deliver() == []

    def test_the_secretariat_moves_the_deadline_and_closes_the_campaign_from_the_dashboard(self) -> None:
        alice = self.client_for(self.world.alice)
        base = f"/en/survey/campaigns/{self.campaign.pk}/"
        later = self.campaign.deadline + datetime.timedelta(days=7)
        alice.post(base + "deadline/", {"deadline": later.isoformat()})
        earlier = alice.post(base + "deadline/", {"deadline": timezone.localdate().isoformat()}, follow=True)
        self.assertContains(earlier, "The new deadline must be later than the current one")
        alice.post(base + "close/")
        self.campaign.refresh_from_db()
        assert (self.campaign.deadline, self.campaign.status) == (later, CampaignStatus.CLOSED)
        closed = alice.get(base)
        self.assertNotContains(closed, "Remind every country")
        self.assertNotContains(closed, "Close the campaign")

    def test_a_focal_point_opens_no_campaign_page(self) -> None:
        kofi = self.client_for(self.world.kofi)
        base = f"/en/survey/campaigns/{self.campaign.pk}/"
        for url in ("/en/survey/campaigns/", "/en/survey/campaigns/new/", base):
            with self.subTest(url=url):
                assert kofi.get(url).status_code == 403
        for url in (base + "remind/", base + "close/", base + "deadline/"):
            with self.subTest(url=url):
                assert kofi.post(url, {"scope": "late"}).status_code == 403
        assert Campaign.objects.get().status == CampaignStatus.OPEN and not Reminder.objects.exists()
        assert self.client.get(base).status_code == 302  # to the sign-in page


class OpenPageTestCase(CampaignTestCase):
    def test_the_secretariat_opens_a_campaign_with_the_form(self) -> None:
        alice = self.client_for(self.world.alice)
        form = alice.get("/en/survey/campaigns/new/")
        self.assertContains(form, "Example national survey · 1")
        answer_by = tomorrow(45).isoformat()
        page = alice.post(
            "/en/survey/campaigns/new/",
            {"version": self.version.pk, "name": "Survey 2027", "year": 2027, "deadline": answer_by,
             "countries": ["KE", "FR"]},
            follow=True,
        )  # fmt: skip
        campaign = Campaign.objects.get()
        self.assertRedirects(page, f"/en/survey/campaigns/{campaign.pk}/")
        self.assertContains(page, "Countries asked: 2.")
        assert sorted(campaign.responses.values_list("country_id", flat=True)) == ["FR", "KE"]

    def test_a_refused_campaign_is_shown_on_the_form_and_nothing_is_opened(self) -> None:
        alice = self.client_for(self.world.alice)
        page = alice.post(
            "/en/survey/campaigns/new/",
            {"version": self.version.pk, "name": "Survey 2027", "year": 2027,
             "deadline": timezone.localdate().isoformat()},
        )  # fmt: skip
        assert page.status_code == 400
        self.assertContains(page, "The deadline must be a day after today.", status_code=400)
        assert not Campaign.objects.exists() and not Response.objects.exists()

    def test_without_a_questionnaire_the_form_says_so(self) -> None:
        from cop.survey.models import QuestionnaireVersion

        QuestionnaireVersion.objects.all().delete()
        page = self.client_for(self.world.alice).get("/en/survey/campaigns/new/")
        self.assertContains(page, "No questionnaire has been imported yet.")


class ResponsePageTestCase(CampaignTestCase):
    def setUp(self) -> None:
        self.campaign = make_campaign(self.version, "Survey 2027", 2027, ["KE", "FR"])
        self.kenya = self.campaign.responses.get(country_id="KE")
        self.france = self.campaign.responses.get(country_id="FR")

    def test_a_countrys_people_see_its_state_deadline_progress_and_contributors(self) -> None:
        answer(self.kenya, "has_strategy", "yes", by=self.world.kofi)
        answer(self.kenya, "hotlines", 1, by=self.world.hana)
        answer(self.kenya, "programme", "First", instance=1, by=self.world.hana)
        answer(self.kenya, "programme", "Second", instance=2, by=self.world.hana)
        answer(self.kenya, "strategy_name", None, by=self.world.hana)  # saved empty: not answered
        ResponseEvent.objects.create(
            response=self.kenya, from_state=ResponseState.DRAFT, to_state=ResponseState.RECEIVED,
            by=self.world.kofi,
        )  # fmt: skip
        for user in (self.world.kofi, self.world.hana, self.world.alice):
            with self.subTest(user=user.username):
                page = self.client_for(user).get(f"/en/survey/responses/{self.kenya.pk}/")
                self.assertContains(page, "Kenya: response to Survey 2027")
                self.assertContains(page, "<dd>Draft</dd>", html=True)
                # Seven questions take an answer (a note and a calculation do not); three have one.
                self.assertContains(page, "3 of 7 questions answered")
                self.assertContains(page, "<li>hana · Kenya Hotline</li>", html=True)
                self.assertContains(page, "<li>kofi · Ministry of ICT</li>", html=True)

    def test_a_country_cannot_see_another_countrys_response(self) -> None:
        assert (
            self.client_for(self.world.kofi).get(f"/en/survey/responses/{self.france.pk}/").status_code == 404
        )
        assert (
            self.client_for(self.world.claire).get(f"/en/survey/responses/{self.kenya.pk}/").status_code
            == 404
        )
        assert (
            self.client_for(self.world.henri).get(f"/en/survey/responses/{self.kenya.pk}/").status_code == 404
        )
        # Nobody of an international company reads survey responses at all.
        assert (
            self.client_for(self.world.ines).get(f"/en/survey/responses/{self.kenya.pk}/").status_code == 403
        )

    def test_my_account_lists_my_countrys_open_responses_and_the_campaign_pages_for_the_secretariat(
        self,
    ) -> None:
        closed = make_campaign(self.version, "Survey 2025", 2025, ["KE"])
        Campaign.objects.filter(pk=closed.pk).update(status=CampaignStatus.CLOSED)
        kofi = self.client_for(self.world.kofi).get("/en/account/")
        self.assertContains(kofi, f'<a href="/en/survey/responses/{self.kenya.pk}/">Survey 2027 · Kenya</a>')
        self.assertNotContains(kofi, "Survey 2025")
        self.assertNotContains(kofi, f"/en/survey/responses/{self.france.pk}/")
        self.assertNotContains(kofi, "/en/survey/campaigns/")
        alice = self.client_for(self.world.alice).get("/en/account/")
        self.assertContains(alice, '<a href="/en/survey/campaigns/">Survey campaigns</a>')
        self.assertNotContains(alice, "/en/survey/responses/")

    @override_settings(SITE_URL="http://testserver")
    def test_the_invitation_link_leads_the_focal_point_to_the_response_page(self) -> None:
        campaign = campaigns.open_campaign(
            Actor(user=self.world.alice), version=self.version, name="Survey 2028", year=2028,
            deadline=tomorrow(), countries=["KE"],
        )  # fmt: skip
        [mail] = [m for m in deliver() if m.to == ["kofi@example.org"]]
        # The first link is the response's; the second, the notification settings every mail has.
        link = LINK.findall(str(mail.body))[0].removeprefix("http://testserver")
        page = self.client_for(self.world.kofi).get(link)
        self.assertContains(page, "Kenya: response to Survey 2028")
        assert page.context["response"] == campaign.responses.get()
