"""Links shown only to whoever may open them: `{% if user|may_open:"reports:queue" %}`.

The rule is the page's own, registered in cop/core/permissions.py; templates never test roles.
"""

from __future__ import annotations

from django import template

from cop.core import permissions, queues
from cop.core.models import User

register = template.Library()


def actor_of_user(user: object) -> permissions.Actor:
    """The user's actor, worked out once per request: a page may ask about many links."""
    if not isinstance(user, User) or not user.is_authenticated:
        return permissions.Actor()
    actor: permissions.Actor | None = getattr(user, "_cop_actor", None)
    if actor is None:
        actor = permissions.actor_for(user)
        user._cop_actor = actor  # type: ignore[attr-defined]
    return actor


@register.filter
def may_open(user: object, url_name: str) -> bool:
    return permissions.may_open(actor_of_user(user), url_name)


@register.simple_tag
def waiting_for(user: object) -> list[queues.Waiting]:
    """The queues `user` may see, with their counts, worked out once per request."""
    found: list[queues.Waiting] | None = getattr(user, "_cop_waiting", None)
    if found is None:
        found = queues.waiting_for(actor_of_user(user))
        if isinstance(user, User):
            user._cop_waiting = found  # type: ignore[attr-defined]
    return found


@register.filter
def total(waiting: list[queues.Waiting]) -> int:
    return sum(item.count for item in waiting)
