"""Opening, closing and extending campaigns, pre-filling from the last approved response, inviting and
reminding focal points: the actions of cop/survey/campaigns.py, on both databases."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.test import override_settings
from django.utils import formats, timezone, translation

from cop.core.errors import Conflict, Invalid
from cop.core.models import AuditEvent, Country, Membership, NotificationSettings, Role, UNStatus, User
from cop.core.permissions import Actor
from cop.core.tests.mailbox import deliver
from cop.outbox.models import Job
from cop.survey import campaigns
from cop.survey.models import (
    Answer,
    AnswerRevision,
    Campaign,
    CampaignStatus,
    QuestionKind,
    Reminder,
    Response,
    ResponseState,
)
from cop.survey.tests.helpers import (
    QUESTIONS,
    YES_NO,
    CampaignTestCase,
    answer,
    make_campaign,
    make_version,
    set_state,
    tomorrow,
)

SITE = "https://cop.example"


def _mails() -> int:
    return Job.objects.filter(kind="core.email").count()


@override_settings(SITE_URL=SITE)
class OpeningTestCase(CampaignTestCase):
    def setUp(self) -> None:
        self.alice = Actor(user=self.world.alice)

    def open(
        self, name: str = "Survey 2027", countries: list[str] | None = None, **kwargs: object
    ) -> Campaign:
        options: dict[str, object] = {
            "version": self.version,
            "name": name,
            "year": 2027,
            "deadline": tomorrow(60),
        }
        options.update(kwargs)
        return campaigns.open_campaign(self.alice, countries=countries, **options)  # type: ignore[arg-type]

    def test_opening_without_a_list_asks_every_un_member_state_once_each_with_a_draft(self) -> None:
        campaign = self.open()
        members = set(Country.objects.filter(un_status=UNStatus.MEMBER).values_list("iso2", flat=True))
        assert len(members) == 193
        responses = Response.objects.filter(campaign=campaign)
        assert sorted(responses.values_list("country_id", flat=True)) == sorted(members)
        assert set(responses.values_list("state", flat=True)) == {ResponseState.DRAFT}
        assert set(campaign.countries.values_list("iso2", flat=True)) == members
        assert campaign.opened_by == self.world.alice and campaign.status == CampaignStatus.OPEN
        # Written in bulk, still audited one by one.
        assert AuditEvent.objects.filter(model="survey.Response", action="create").count() == 193
        assert AuditEvent.objects.filter(model="survey.Campaign", object_id=str(campaign.pk)).exists()

    def test_opening_with_a_list_asks_those_countries_only_in_either_case(self) -> None:
        campaign = self.open(countries=["ke", "FR", "KE"])
        assert sorted(campaign.responses.values_list("country_id", flat=True)) == ["FR", "KE"]

    def test_invitations_go_to_the_focal_points_only_in_their_language_with_their_countrys_link(self) -> None:
        NotificationSettings.objects.create(user=self.world.claire, language="ru")
        campaign = self.open(countries=["KE", "FR", "DE"])
        kenya = campaign.responses.get(country_id="KE")
        france = campaign.responses.get(country_id="FR")
        sent = deliver()
        # Germany has no focal point; Kenya's hotline analyst and the secretariat are not invited.
        assert sorted(m.to[0] for m in sent) == ["claire@example.org", "kofi@example.org"]
        [to_kofi] = [m for m in sent if m.to == ["kofi@example.org"]]
        [to_claire] = [m for m in sent if m.to == ["claire@example.org"]]
        assert to_kofi.subject == "Kenya is invited to answer Survey 2027"
        assert f"{SITE}/en/survey/responses/{kenya.pk}/" in str(to_kofi.body)
        # Written in Russian for Claire: the link, the country's name and the deadline too.
        assert f"{SITE}/ru/survey/responses/{france.pk}/" in str(to_claire.body)
        assert "Франция" in to_claire.subject and "Survey 2027" in to_claire.subject
        with translation.override("ru"):
            deadline = formats.date_format(campaign.deadline, "DATE_FORMAT")
        assert deadline in str(to_claire.body) and "Kenya" not in str(to_claire.body)

    def test_a_focal_point_without_a_confirmed_address_is_not_written_to(self) -> None:
        User.objects.filter(pk=self.world.kofi.pk).update(confirmed_email="")
        self.open(countries=["KE"])
        assert deliver() == []

    def test_opening_prefills_from_the_countrys_last_approved_response_with_the_keys_that_still_fit(
        self,
    ) -> None:
        old = make_version("0", [*QUESTIONS, ("dropped", QuestionKind.TEXT, {})])
        first = make_campaign(old, "Survey 2023", 2023, ["KE", "FR"], opened_days_ago=400)
        last = make_campaign(old, "Survey 2025", 2025, ["KE", "FR"], opened_days_ago=40)
        unfinished = make_campaign(old, "Survey 2026", 2026, ["KE"], opened_days_ago=5)
        kenya_2023 = first.responses.get(country_id="KE")
        answer(kenya_2023, "has_strategy", "no", by=self.world.kofi)
        set_state(kenya_2023, ResponseState.APPROVED)
        kenya = last.responses.get(country_id="KE")
        answer(kenya, "has_strategy", "yes", by=self.world.kofi)
        answer(kenya, "bodies", ["ministry", "police"], by=self.world.kofi)
        answer(kenya, "hotlines", 2, by=self.world.hana)
        answer(kenya, "budget_share", 1.5, by=self.world.hana)
        answer(kenya, "strategy_name", "Example strategy", by=self.world.kofi)
        answer(kenya, "adopted_on", "2024-02-29", by=self.world.kofi)
        answer(kenya, "programme", "First programme", instance=1, by=self.world.kofi)
        answer(kenya, "programme", "Second programme", instance=2, by=self.world.kofi)
        answer(kenya, "dropped", "a question the new version no longer has", by=self.world.kofi)
        answer(kenya, "score", 4)  # a stored calculation would be recomputed, never copied
        set_state(kenya, ResponseState.APPROVED)
        # A later response not approved, and France's approved one without answers, give nothing.
        answer(unfinished.responses.get(country_id="KE"), "hotlines", 99)
        set_state(last.responses.get(country_id="FR"), ResponseState.APPROVED)

        campaign = self.open(countries=["KE", "FR"])

        new_kenya = campaign.responses.get(country_id="KE")
        assert new_kenya.prefilled_from == kenya and new_kenya.revision == 1
        copied = {(a.key, a.instance): a.value for a in new_kenya.answers.all()}
        assert copied == {
            ("has_strategy", 0): "yes",
            ("bodies", 0): ["ministry", "police"],
            ("hotlines", 0): 2,
            ("budget_share", 0): 1.5,
            ("strategy_name", 0): "Example strategy",
            ("adopted_on", 0): "2024-02-29",
            ("programme", 1): "First programme",
            ("programme", 2): "Second programme",
        }
        revisions = AnswerRevision.objects.filter(answer__response=new_kenya)
        assert revisions.count() == 8
        assert set(revisions.values_list("source", "response_revision", "by")) == {
            ("prefill", 1, self.world.alice.pk)
        }
        assert AuditEvent.objects.filter(model="survey.Answer", action="create", country="KE").count() >= 8
        new_france = campaign.responses.get(country_id="FR")
        assert new_france.prefilled_from is None and new_france.revision == 0
        assert not new_france.answers.exists()

    def test_an_answer_that_no_longer_fits_its_question_is_not_copied(self) -> None:
        old = make_version("0")
        earlier = make_campaign(old, "Survey 2025", 2025, ["KE"], opened_days_ago=40)
        kenya = earlier.responses.get(country_id="KE")
        answer(kenya, "has_strategy", "partly")  # a choice the new version does not offer
        answer(kenya, "hotlines", "two")  # text where a whole number is asked now
        answer(kenya, "adopted_on", "2024-02-30")
        answer(kenya, "bodies", ["ministry", "army"])
        answer(kenya, "programme", "Outside the repeat")  # instance 0 of a question now in a repeat
        answer(kenya, "strategy_name", None)
        answer(kenya, "budget_share", True)
        set_state(kenya, ResponseState.APPROVED)
        campaign = self.open(countries=["KE"])
        assert not Answer.objects.filter(response__campaign=campaign).exists()
        assert campaign.responses.get().prefilled_from is None

    def test_bad_requests_are_refused_and_change_nothing(self) -> None:
        self.open("Survey 2027", countries=["KE"])
        campaigns_before, responses_before, mails = (
            Campaign.objects.count(),
            Response.objects.count(),
            _mails(),
        )
        refusals: list[tuple[type[Exception], dict[str, object]]] = [
            (Conflict, {"name": "survey 2027"}),
            (Conflict, {"deadline": timezone.localdate()}),
            (Conflict, {"deadline": timezone.localdate() - datetime.timedelta(days=1)}),
            (Invalid, {"countries": ["KE", "XX"]}),
            (Invalid, {"countries": []}),
            (Invalid, {"year": 1999}),
            (Invalid, {"name": "   "}),
            (Invalid, {"name": "Survey\u202e 2028"}),
            (Invalid, {"version": make_version("notes", [("intro", QuestionKind.NOTE, {})])}),
        ]
        for kind, change in refusals:
            options: dict[str, object] = {"name": "Survey 2028", "countries": ["KE"], **change}
            with self.subTest(change=change), pytest.raises(kind):
                self.open(**options)  # type: ignore[arg-type]
        assert (Campaign.objects.count(), Response.objects.count(), _mails()) == (
            campaigns_before,
            responses_before,
            mails,
        )

    def test_only_the_secretariat_opens_a_campaign(self) -> None:
        for user in (self.world.kofi, self.world.hana, self.world.ines):
            with self.subTest(user=user.username), pytest.raises(PermissionDenied):
                campaigns.open_campaign(
                    Actor(user=user), version=self.version, name="Mine", year=2027, deadline=tomorrow()
                )
        assert not Campaign.objects.exists()


class ClosingTestCase(CampaignTestCase):
    def setUp(self) -> None:
        self.alice = Actor(user=self.world.alice)
        self.campaign = make_campaign(self.version, "Survey 2027", 2027, ["KE"])

    def test_a_deadline_moves_only_later_and_only_while_open(self) -> None:
        later = self.campaign.deadline + datetime.timedelta(days=14)
        campaigns.extend_deadline(self.alice, self.campaign, later)
        self.campaign.refresh_from_db()
        assert self.campaign.deadline == later
        assert AuditEvent.objects.filter(model="survey.Campaign", action="update").count() == 1
        with pytest.raises(Invalid):
            campaigns.extend_deadline(self.alice, self.campaign, later)
        campaigns.close_campaign(self.alice, self.campaign)
        self.campaign.refresh_from_db()
        assert self.campaign.status == CampaignStatus.CLOSED
        with pytest.raises(Conflict):
            campaigns.extend_deadline(self.alice, self.campaign, later + datetime.timedelta(days=1))
        with pytest.raises(Conflict):
            campaigns.close_campaign(self.alice, self.campaign)
        with pytest.raises(PermissionDenied):
            campaigns.extend_deadline(Actor(user=self.world.kofi), self.campaign, later)


@override_settings(SITE_URL=SITE)
class ReminderTestCase(CampaignTestCase):
    def setUp(self) -> None:
        self.alice = Actor(user=self.world.alice)
        self.campaign = make_campaign(self.version, "Survey 2027", 2027, ["KE", "FR", "DE", "JP"])
        set_state(self.campaign.responses.get(country_id="JP"), ResponseState.RECEIVED)

    def countries(self, responses: list[Response]) -> list[str]:
        return sorted(r.country_id for r in responses)

    def test_reminding_all_late_countries_writes_to_their_focal_points_once_a_day(self) -> None:
        result = campaigns.remind(self.alice, self.campaign)
        # Japan has submitted; Germany has no focal point to write to.
        assert self.countries(result.reminded) == ["FR", "KE"]
        assert self.countries(result.unreachable) == ["DE"]
        sent = deliver()
        assert sorted(m.to[0] for m in sent) == ["claire@example.org", "kofi@example.org"]
        kenya = self.campaign.responses.get(country_id="KE")
        [to_kofi] = [m for m in sent if m.to == ["kofi@example.org"]]
        assert to_kofi.subject.startswith("Reminder: Survey 2027 is due on")
        assert f"{SITE}/en/survey/responses/{kenya.pk}/" in str(to_kofi.body)
        reminder = Reminder.objects.get(country_id="KE")
        assert (reminder.recipients, reminder.by, reminder.day) == (1, self.world.alice, timezone.localdate())
        assert AuditEvent.objects.filter(model="survey.Reminder", action="create").count() == 2

        # The same day again: refused, saying so, and nothing is sent.
        with pytest.raises(Conflict) as refused:
            campaigns.remind(self.alice, self.campaign, ["KE", "FR"])
        assert "one reminder a day at most" in refused.value.text()
        assert "France, Kenya" in refused.value.text()
        assert deliver() == []

        # The next day, Kenya can be reminded again.
        Reminder.objects.update(day=timezone.localdate() - datetime.timedelta(days=1))
        result = campaigns.remind(self.alice, self.campaign, ["KE"])
        assert self.countries(result.reminded) == ["KE"] and len(deliver()) == 1

    def test_countries_already_reminded_are_left_out_and_the_others_reminded(self) -> None:
        campaigns.remind(self.alice, self.campaign, ["KE"])
        result = campaigns.remind(self.alice, self.campaign)
        assert self.countries(result.already) == ["KE"]
        assert self.countries(result.reminded) == ["FR"]

    def test_one_reminder_a_country_a_day_whichever_campaign(self) -> None:
        other = make_campaign(self.version, "Follow-up 2027", 2027, ["KE"])
        campaigns.remind(self.alice, self.campaign, ["KE"])
        with pytest.raises(Conflict):
            campaigns.remind(self.alice, other, ["KE"])

    def test_a_country_that_submitted_or_was_not_asked_is_refused_and_nobody_is_reminded(self) -> None:
        for chosen in (["KE", "JP"], ["KE", "GB"], []):
            with self.subTest(chosen=chosen), pytest.raises(Invalid):
                campaigns.remind(self.alice, self.campaign, chosen)
        assert not Reminder.objects.exists() and deliver() == []

    def test_a_closed_campaign_reminds_nobody_and_only_the_secretariat_reminds(self) -> None:
        with pytest.raises(PermissionDenied):
            campaigns.remind(Actor(user=self.world.kofi), self.campaign)
        campaigns.close_campaign(self.alice, self.campaign)
        with pytest.raises(Conflict):
            campaigns.remind(self.alice, self.campaign)
        assert not Reminder.objects.exists()

    def test_a_focal_point_who_turned_reminders_off_gets_none(self) -> None:
        NotificationSettings.objects.create(user=self.world.kofi, off=[campaigns.REMINDER])
        second = User.objects.create_user(
            "amani", "amani@example.org", "x", confirmed_email="amani@example.org"
        )
        Membership.objects.create(user=second, organisation=self.world.kenya_ministry, role=Role.FOCAL_POINT)
        result = campaigns.remind(self.alice, self.campaign, ["KE"])
        assert self.countries(result.reminded) == ["KE"]
        assert [m.to for m in deliver()] == [["amani@example.org"]]


def test_a_select_question_keeps_only_answers_among_its_choices() -> None:
    from cop.survey.models import Question

    question = Question(key="q", kind=QuestionKind.SELECT_ONE, choices=YES_NO)
    assert campaigns.fits(question, 0, "yes")
    assert not campaigns.fits(question, 0, "maybe") and not campaigns.fits(question, 1, "yes")


@pytest.mark.django_db
def test_a_questionnaire_version_is_audited_with_its_workbook_redacted() -> None:
    # Saving a version failed: the audit log could not write the workbook's bytes as JSON.
    version = make_version("audited")
    event = AuditEvent.objects.get(model="survey.QuestionnaireVersion", object_id=str(version.pk))
    assert event.after["workbook"] == "[redacted]" and event.after["form"] == "[redacted]"
