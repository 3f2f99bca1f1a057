"""Campaigns: the secretariat opens one for a questionnaire version, every country asked gets a draft
response (pre-filled from its last approved one) and its focal points an invitation; the secretariat
closes a campaign, extends its deadline and reminds the countries that have not submitted.

Every write of a campaign happens in one of the action functions below: each checks the permission,
runs in one transaction and is audited (tracked models record themselves; rows written in bulk are
recorded with `audit.record_created`). Refusals are the platform's domain errors.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from cop.core import audit, notifications, permissions
from cop.core.collation import sort_by_name
from cop.core.errors import Conflict, Invalid, NotFound
from cop.core.models import Country, Membership, UNStatus, User
from cop.core.permissions import Actor
from cop.core.visible import check_name
from cop.survey.models import (
    Answer,
    AnswerRevision,
    Campaign,
    CampaignStatus,
    Question,
    QuestionKind,
    QuestionnaireVersion,
    Reminder,
    Response,
    ResponseState,
)

MANAGE = "survey.manage_campaign"
# Who signs off for a country is who is invited and reminded: its focal points.
SUBMIT = "survey.submit"
INVITATION = "survey.invitation"
REMINDER = "survey.reminder"
# How an answer copied from the country's last approved response is marked in its history.
PREFILL = "prefill"
# Notes and calculations take no answer (a calculation is recomputed, never stored).
UNANSWERED_KINDS = frozenset({QuestionKind.NOTE, QuestionKind.CALCULATE})
MIN_YEAR, MAX_YEAR = 2000, 2100
NAME_MAX = 200


def register_notifications() -> None:
    concerns = notifications.holding(SUBMIT)
    notifications.register(
        notifications.Kind(INVITATION, _("my country is invited to answer the national survey"), concerns)
    )
    notifications.register(
        notifications.Kind(REMINDER, _("a reminder that my country's survey response is due"), concerns)
    )


def person(actor: Actor) -> User | None:
    """The person behind an actor: the signed-in user, or whoever created the token."""
    if actor.user is not None:
        return actor.user
    return actor.token.created_by if actor.token is not None else None


def answerable_questions(version: QuestionnaireVersion) -> dict[str, Question]:
    """The version's questions that take an answer, by key."""
    return {q.key: q for q in version.questions.exclude(kind__in=UNANSWERED_KINDS)}


# --- Opening -----------------------------------------------------------------------------------


def _clean_name(name: str) -> str:
    name = unicodedata.normalize("NFC", name).strip()
    if not name:
        raise Invalid(_("Give the campaign a name."))
    if len(name) > NAME_MAX:
        raise Invalid(_("A campaign's name has at most %(count)s characters."), count=NAME_MAX)
    try:
        check_name(name)
    except ValidationError as error:
        raise Invalid(" ".join(error.messages)) from None
    return name


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Invalid(_("The year must be between %(first)s and %(last)s."), first=MIN_YEAR, last=MAX_YEAR)


def _check_future(deadline: datetime.date) -> None:
    # A date compared with today's, which no schema can state: a conflict with the clock, not a malformed
    # request.
    if deadline <= timezone.localdate():
        raise Conflict(_("The deadline must be a day after today."))


def _countries(codes: Collection[str] | None) -> list[Country]:
    """The countries asked: the ones named, or every UN Member State."""
    if codes is None:
        return list(Country.objects.filter(un_status=UNStatus.MEMBER).order_by("iso2"))
    wanted = {code.strip().upper() for code in codes}
    if not wanted:
        raise Invalid(_("Choose at least one country, or all UN Member States."))
    found = list(Country.objects.filter(iso2__in=wanted).order_by("iso2"))
    unknown = wanted - {c.iso2 for c in found}
    if unknown:
        raise Invalid(_("No country has the code %(codes)s."), codes=", ".join(sorted(unknown)))
    return found


def open_campaign(
    actor: Actor,
    *,
    version: QuestionnaireVersion,
    name: str,
    year: int,
    deadline: datetime.date,
    countries: Collection[str] | None = None,
) -> Campaign:
    """Open a campaign: one draft response per country asked, pre-filled, and its focal points invited.

    `countries` are ISO 3166 alpha-2 codes; None asks every UN Member State.
    """
    permissions.require(actor, MANAGE)
    name = _clean_name(name)
    _check_year(year)
    _check_future(deadline)
    questions = answerable_questions(version)
    if not questions:
        raise Invalid(_("This questionnaire version has no question to answer."))
    chosen = _countries(countries)
    by = person(actor)
    with transaction.atomic():
        if Campaign.objects.filter(name__iexact=name).exists():
            raise Conflict(_("A campaign named %(name)s exists already."), name=name)
        try:
            with transaction.atomic():
                campaign = Campaign.objects.create(
                    version=version, name=name, year=year, deadline=deadline, opened_by=by
                )
        except IntegrityError:
            raise Conflict(_("A campaign named %(name)s exists already."), name=name) from None
        campaign.countries.set(chosen)
        responses = Response.objects.bulk_create(
            [Response(campaign=campaign, country=country) for country in chosen], batch_size=500
        )
        audit.record_created(responses)
        _prefill(campaign, responses, questions, by)
        _invite(responses)
    return campaign


def _last_approved(campaign: Campaign, countries: Iterable[str]) -> dict[str, Response]:
    """Each country's approved response of the latest earlier campaign that has one."""
    found: dict[str, Response] = {}
    approved = (
        Response.objects.filter(country_id__in=list(countries), state=ResponseState.APPROVED)
        .exclude(campaign=campaign)
        .order_by("country_id", "-campaign__year", "-campaign__opened_at", "-pk")
    )
    for response in approved:
        found.setdefault(response.country_id, response)
    return found


def _is_date(value: Any) -> bool:
    try:
        return isinstance(value, str) and datetime.date.fromisoformat(value).isoformat() == value
    except ValueError:
        return False


def fits(question: Question, instance: int, value: Any) -> bool:
    """Whether an answer given to a question of an earlier version is a valid answer to `question`.

    The key says it is the same question; its kind, its choices or its place in a repeat may still have
    changed, and an answer that no longer fits is left for the country to give again, not copied.
    """
    if value is None or (instance > 0) != bool(question.repeat):
        return False
    names = {str(choice.get("name")) for choice in question.choices}
    kind = question.kind
    if kind == QuestionKind.SELECT_ONE:
        return isinstance(value, str) and value in names
    if kind == QuestionKind.SELECT_MULTIPLE:
        return isinstance(value, list) and all(isinstance(v, str) and v in names for v in value)
    if kind == QuestionKind.INTEGER:
        return isinstance(value, int) and not isinstance(value, bool)
    if kind == QuestionKind.DECIMAL:
        return isinstance(value, int | float) and not isinstance(value, bool)
    if kind == QuestionKind.TEXT:
        return isinstance(value, str)
    if kind == QuestionKind.DATE:
        return _is_date(value)
    return False


def _prefill(
    campaign: Campaign, responses: list[Response], questions: Mapping[str, Question], by: User | None
) -> None:
    """Copy each country's last approved answers whose question is in the new version, as revision 1."""
    by_country = {response.country_id: response for response in responses}
    sources = _last_approved(campaign, by_country)
    if not sources:
        return
    copied: list[Answer] = []
    filled: dict[str, Response] = {}
    earlier = Answer.objects.filter(response__in=list(sources.values())).select_related("response")
    for answer in earlier.order_by("response_id", "key", "instance"):
        question = questions.get(answer.key)
        if question is None or not fits(question, answer.instance, answer.value):
            continue
        country = answer.response.country_id
        copied.append(
            Answer(
                response=by_country[country],
                key=answer.key,
                instance=answer.instance,
                value=answer.value,
                comment=answer.comment,
            )
        )
        filled[country] = answer.response
    Answer.objects.bulk_create(copied, batch_size=500)
    AnswerRevision.objects.bulk_create(
        [
            AnswerRevision(
                answer=a, response_revision=1, value=a.value, comment=a.comment, source=PREFILL, by=by
            )
            for a in copied
        ],
        batch_size=500,
    )
    audit.record_created(copied)
    for country, source in filled.items():
        response = by_country[country]
        response.prefilled_from = source
        response.revision = 1
        response.save(update_fields=["prefilled_from", "revision", "updated_at"])


# --- Telling the focal points --------------------------------------------------------------------


def focal_points(countries: Iterable[str]) -> dict[str, list[User]]:
    """The people who sign off for each country (the focal points), by country."""
    roles = list(permissions.rules(SUBMIT))
    found: dict[str, list[User]] = defaultdict(list)
    memberships = Membership.objects.filter(
        role__in=roles, organisation__country_id__in=list(countries), user__is_active=True
    ).select_related("user", "organisation")
    for membership in memberships.order_by("user_id"):
        country = membership.organisation.country_id
        assert country is not None
        if membership.user not in found[country]:
            found[country].append(membership.user)
    return found


def _country_name(country: Country) -> str:
    # Evaluated when the message is written, in each recipient's language.
    return country.name


def _long_date(day: datetime.date) -> str:
    return formats.date_format(day, "DATE_FORMAT")


lazy_country_name = lazy(_country_name, str)
lazy_date = lazy(_long_date, str)


def _tell(response: Response, users: list[User], key: str) -> int:
    campaign = response.campaign
    context = {
        "country": lazy_country_name(response.country),
        "campaign": campaign.name,
        "deadline": lazy_date(campaign.deadline),
    }
    if key == INVITATION:
        subject = _("%(country)s is invited to answer %(campaign)s")
        message = _(
            "%(country)s is invited to answer the national survey %(campaign)s on the COP Platform, by "
            "%(deadline)s. Colleagues of your country can contribute to the same response; a focal point "
            "submits it."
        )
    else:
        subject = _("Reminder: %(campaign)s is due on %(deadline)s")
        message = _(
            "%(country)s has not submitted its response to the national survey %(campaign)s yet. The "
            "deadline is %(deadline)s."
        )
    return notifications.notify(
        users,
        key,
        subject=subject,
        message=message,
        context=context,
        link=lambda: reverse("survey-response", args=[response.pk]),
    )


def _invite(responses: list[Response]) -> None:
    people = focal_points(r.country_id for r in responses)
    for response in responses:
        _tell(response, people.get(response.country_id, []), INVITATION)


# --- Closing and the deadline ------------------------------------------------------------------


def _locked(campaign: Campaign) -> Campaign:
    """The campaign as stored, locked until the transaction ends, so two changes do not interleave."""
    found = Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    if found is None:
        raise NotFound(_("No such campaign."))
    return found


def _refuse_closed(campaign: Campaign) -> None:
    if campaign.status == CampaignStatus.CLOSED:
        raise Conflict(_("The campaign %(name)s is closed."), name=campaign.name)


def close_campaign(actor: Actor, campaign: Campaign) -> Campaign:
    """Close a campaign: countries can no longer change their responses; reviewing goes on."""
    permissions.require(actor, MANAGE)
    with transaction.atomic():
        stored = _locked(campaign)
        _refuse_closed(stored)
        stored.status = CampaignStatus.CLOSED
        stored.save(update_fields=["status"])
    return stored


def extend_deadline(actor: Actor, campaign: Campaign, deadline: datetime.date) -> Campaign:
    """Move an open campaign's deadline to a later day."""
    permissions.require(actor, MANAGE)
    with transaction.atomic():
        stored = _locked(campaign)
        _refuse_closed(stored)
        if deadline <= stored.deadline:
            raise Invalid(
                _("The new deadline must be later than the current one, %(deadline)s."),
                deadline=lazy_date(stored.deadline),
            )
        _check_future(deadline)
        stored.deadline = deadline
        stored.save(update_fields=["deadline"])
    return stored


# --- Reminders ---------------------------------------------------------------------------------


@dataclass
class Reminded:
    """What a reminder did, country by country."""

    reminded: list[Response] = field(default_factory=list)
    # Reminded today already (one reminder a country a day).
    already: list[Response] = field(default_factory=list)
    # No focal point could be written to: none with a confirmed address who takes reminders.
    unreachable: list[Response] = field(default_factory=list)


def names_of(responses: Iterable[Response]) -> str:
    """The responses' country names in the active language, sorted for reading, as one list."""
    return ", ".join(sort_by_name([r.country.name for r in responses], lambda name: name))


class _NobodyToTell(Exception):
    pass


def remind(actor: Actor, campaign: Campaign, countries: Collection[str] | None = None) -> Reminded:
    """Remind the focal points of the countries that have not submitted: all of them (None) or these.

    A country gets one reminder a day at most; naming a country that has submitted, or that the
    campaign did not ask, is refused and reminds nobody. When every country named was reminded today
    already, that is refused too, saying so.
    """
    permissions.require(actor, MANAGE)
    by = person(actor)
    result = Reminded()
    with transaction.atomic():
        stored = _locked(campaign)
        _refuse_closed(stored)
        responses = Response.objects.filter(campaign=stored).select_related("country", "campaign")
        if countries is None:
            chosen = list(responses.filter(state=ResponseState.DRAFT))
        else:
            chosen = _chosen(responses, countries)
        today = timezone.localdate()
        done = set(
            Reminder.objects.filter(country_id__in=[r.country_id for r in chosen], day=today).values_list(
                "country_id", flat=True
            )
        )
        people = focal_points(r.country_id for r in chosen)
        for response in chosen:
            if response.country_id in done:
                result.already.append(response)
                continue
            try:
                # One savepoint a country: a country reminded meanwhile (the unique day) takes back
                # the messages just queued for it, and nothing else.
                with transaction.atomic():
                    sent = _tell(response, people.get(response.country_id, []), REMINDER)
                    if not sent:
                        raise _NobodyToTell
                    Reminder.objects.create(
                        response=response, country_id=response.country_id, day=today, by=by, recipients=sent
                    )
            except IntegrityError:
                result.already.append(response)
            except _NobodyToTell:
                result.unreachable.append(response)
            else:
                result.reminded.append(response)
    if result.already and not result.reminded and not result.unreachable:
        raise Conflict(
            _("%(countries)s had a reminder today already: a country gets one reminder a day at most."),
            countries=names_of(result.already),
        )
    return result


def _chosen(responses: QuerySet[Response], countries: Collection[str]) -> list[Response]:
    codes = {code.strip().upper() for code in countries}
    if not codes:
        raise Invalid(_("Choose at least one country to remind."))
    chosen: list[Response] = list(responses.filter(country_id__in=codes))
    missing = codes - {r.country_id for r in chosen}
    if missing:
        raise Invalid(
            _("This campaign did not ask %(codes)s; nobody was reminded."), codes=", ".join(sorted(missing))
        )
    submitted = [r for r in chosen if r.state != ResponseState.DRAFT]
    if submitted:
        raise Invalid(
            _("%(countries)s submitted already, so nobody was reminded. Choose countries that have not."),
            countries=names_of(submitted),
        )
    return chosen
