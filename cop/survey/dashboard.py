"""What the secretariat reads about a campaign: response rates, each country's state and last activity;
what a country reads about its response: progress and contributors; and the queue of responses
waiting for review. Reading only: every write is in cop/survey/campaigns.py.
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from cop.core import permissions, queues
from cop.core.collation import sort_by_name
from cop.core.models import DevelopmentLevel, Membership, Region, User
from cop.core.permissions import Actor
from cop.survey.campaigns import PREFILL, answerable_questions
from cop.survey.models import (
    AnswerRevision,
    Campaign,
    CampaignStatus,
    QuestionnaireVersion,
    Reminder,
    Response,
    ResponseEvent,
    ResponseState,
)

READ = "survey.read_response"
ANSWER = "survey.answer"
REVIEW = "survey.review"
# Submitted and waiting for the secretariat: first received, or edited after a query.
WAITING = (ResponseState.RECEIVED, ResponseState.EDITED)
STATES = list(ResponseState)


@dataclass
class Rates:
    """One row of the response-rate tables: how many countries are in each state."""

    label: str
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def asked(self) -> int:
        return sum(self.counts.values())

    @property
    def submitted(self) -> int:
        return self.asked - self.counts.get(ResponseState.DRAFT, 0)

    @property
    def rate(self) -> int | None:
        """Per cent of the countries asked that have submitted, rounded; None when none was asked."""
        return round(100 * self.submitted / self.asked) if self.asked else None

    def in_order(self) -> list[int]:
        return [self.counts.get(state, 0) for state in STATES]


@dataclass
class CampaignRates:
    by_region: list[Rates]
    by_level: list[Rates]
    total: Rates


def rates(campaign: Campaign) -> CampaignRates:
    """Countries per state, by ITU region and by development level, and over all."""
    rows = Response.objects.filter(campaign=campaign).values_list(
        "country__region_id", "country__development_level", "state"
    )
    region_counts: dict[str, Counter[str]] = {}
    level_counts: dict[str, Counter[str]] = {}
    total: Counter[str] = Counter()
    for region, level, state in rows:
        region_counts.setdefault(region, Counter())[state] += 1
        level_counts.setdefault(level, Counter())[state] += 1
        total[state] += 1
    by_region = [
        Rates(region.name, dict(region_counts[region.code]))
        for region in Region.objects.order_by("position", "code")
        if region.code in region_counts
    ]
    by_level = [
        Rates(str(label), dict(level_counts[level]))
        for level, label in DevelopmentLevel.choices
        if level in level_counts
    ]
    return CampaignRates(by_region, by_level, Rates(str(_("All countries asked")), dict(total)))


@dataclass(frozen=True)
class CountryRow:
    response: Response
    name: str
    last_activity: datetime.datetime | None
    last_reminder: datetime.datetime | None


def _latest(*moments: datetime.datetime | None) -> datetime.datetime | None:
    known = [m for m in moments if m is not None]
    return max(known) if known else None


def with_activity(responses: QuerySet[Response]) -> QuerySet[Response]:
    """Responses with the moments of their last change by a person and of their last reminder.

    Activity is what the country's people and the reviewers did: a saved answer (not a pre-fill) or a
    change of state. Subqueries, one row each, rather than joins that would multiply the rows.
    """
    answered = (
        AnswerRevision.objects.filter(answer__response=OuterRef("pk"))
        .exclude(source=PREFILL)
        .order_by("-at")
        .values("at")[:1]
    )
    moved = ResponseEvent.objects.filter(response=OuterRef("pk")).order_by("-at").values("at")[:1]
    reminded = Reminder.objects.filter(response=OuterRef("pk")).order_by("-sent_at").values("sent_at")[:1]
    return responses.annotate(
        last_answer=Subquery(answered), last_event=Subquery(moved), last_reminder=Subquery(reminded)
    )


def country_rows(campaign: Campaign, states: set[str] | None = None) -> list[CountryRow]:
    """The campaign's countries (those in `states`, or all) by name, with their state and activity."""
    responses = Response.objects.filter(campaign=campaign).select_related("country", "country__region")
    if states:
        responses = responses.filter(state__in=states)
    rows = [
        CountryRow(
            response,
            response.country.name,
            _latest(response.last_answer, response.last_event),  # type: ignore[attr-defined]
            response.last_reminder,  # type: ignore[attr-defined]
        )
        for response in with_activity(responses)
    ]
    return sort_by_name(rows, lambda row: row.name)


def campaigns_with_counts() -> list[tuple[Campaign, Rates, int]]:
    """Every campaign, newest first, with its countries per state and how many wait for review."""
    counts: dict[int, Counter[str]] = {}
    for campaign_id, state in Response.objects.values_list("campaign_id", "state"):
        counts.setdefault(campaign_id, Counter())[state] += 1
    found = []
    for campaign in Campaign.objects.select_related("version", "version__questionnaire"):
        row = Rates(campaign.name, dict(counts.get(campaign.pk, Counter())))
        found.append((campaign, row, sum(row.counts.get(state, 0) for state in WAITING)))
    return found


# --- A country's response ----------------------------------------------------------------------


def readable_response(actor: Actor, response: Response) -> bool:
    """Whether `actor` may read this response: its country's people, and the secretariat."""
    return permissions.allows(actor, READ, country_id=response.country_id)


@dataclass(frozen=True)
class Progress:
    answered: int
    questions: int


def progress(response: Response) -> Progress:
    """Questions of the version answered (at least one instance with a value), of those that take one."""
    keys = set(answerable_questions(response.campaign.version))
    answered = set(
        response.answers.filter(key__in=keys, value__isnull=False).values_list("key", flat=True).distinct()
    )
    return Progress(len(answered), len(keys))


@dataclass(frozen=True)
class Contributor:
    username: str
    organisations: list[str]


def contributors(response: Response) -> list[Contributor]:
    """Who saved answers or moved the response, with their organisations in the response's country.

    A pre-fill is nobody's contribution. The secretariat's people appear when they moved the response
    (reviewing it); their organisation has no country, so it is shown by name as well.
    """
    ids = set(
        AnswerRevision.objects.filter(answer__response=response, by__isnull=False)
        .exclude(source=PREFILL)
        .values_list("by_id", flat=True)
    )
    ids |= set(response.events.filter(by__isnull=False).values_list("by_id", flat=True))
    people = {user.pk: user for user in User.objects.filter(pk__in=ids)}
    organisations: dict[int, list[str]] = {pk: [] for pk in people}
    memberships = Membership.objects.filter(user_id__in=ids).select_related("organisation")
    for membership in memberships:
        organisation = membership.organisation
        if organisation.country_id in (response.country_id, None):
            names = organisations[membership.user_id]
            if organisation.name not in names:
                names.append(organisation.name)
    found = [Contributor(user.get_username(), sorted(organisations[pk])) for pk, user in people.items()]
    return sort_by_name(found, lambda c: c.username)


def open_responses_for(actor: Actor) -> list[Response]:
    """Responses of open campaigns for the countries where `actor` contributes answers."""
    reach = permissions.reach(actor, ANSWER)
    if reach.everywhere:
        # Nobody contributes everywhere; were a role to, its list would be every country's.
        return []
    if not reach.countries:
        return []
    return list(
        Response.objects.filter(campaign__status=CampaignStatus.OPEN, country_id__in=reach.countries)
        .select_related("campaign", "country")
        .order_by("campaign__deadline", "country_id")
    )


# --- The secretariat's queue ---------------------------------------------------------------------


def waiting_for_review(actor: Actor) -> int:
    if not permissions.holds(actor, REVIEW):
        return 0
    return Response.objects.filter(state__in=WAITING).count()


def register_queue() -> None:
    queues.register(
        queues.Queue(
            "survey.waiting-for-review",
            _("Survey responses to review"),
            "survey-campaigns",
            waiting_for_review,
        )
    )


def version_title(version: QuestionnaireVersion) -> tuple[str, str]:
    """A version's title in the page's language where it has one, else in its default language, with
    the language it is in (for `in_language`)."""
    language = get_language() or "en"
    for code in (language, version.default_language, *sorted(version.title)):
        text = version.title.get(code)
        if text:
            return str(text), code
    return version.questionnaire.slug, version.default_language
