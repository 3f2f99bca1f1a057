"""The survey's part of "My account": `{% open_survey_responses user as responses %}`, the responses
of open campaigns for the countries where the person contributes answers."""

from __future__ import annotations

from django import template

from cop.core.templatetags.access import actor_of_user
from cop.survey.dashboard import open_responses_for
from cop.survey.models import Response

register = template.Library()


@register.simple_tag
def open_survey_responses(user: object) -> list[Response]:
    return open_responses_for(actor_of_user(user))
