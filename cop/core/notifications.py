"""Notifications by e-mail: each kind registered by its app, each one a person can turn off.

A notification is queued in the outbox (cop/core/mail.py) in the transaction of the change that
calls for it, never sent inside the request. It goes only to an active account with a confirmed
address, in the language that person reads the site in (their NotificationSettings), with a link
to the thing it is about. Who sees a switch on the settings page is who could receive that kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.functional import Promise

from cop.core import mail
from cop.core.models import NotificationSettings, User
from cop.core.permissions import Actor, actor_for

# Notifications of one kind one address may get in an hour: enough for a busy moderation day,
# few enough that nobody can fill a mailbox through the platform's forms.
LIMIT_PER_HOUR = 30


@dataclass(frozen=True)
class Kind:
    key: str
    label: str | Promise
    # Who could receive it, and so sees its switch.
    concerns: Callable[[Actor], bool]


_kinds: dict[str, Kind] = {}


def register(kind: Kind) -> None:
    if kind.key in _kinds:
        raise ValueError(f"notification {kind.key!r} is registered twice")
    _kinds[kind.key] = kind


def kinds_for(user: User) -> list[Kind]:
    actor = actor_for(user)
    return [kind for kind in _kinds.values() if kind.concerns(actor)]


def settings_of(user: User) -> NotificationSettings:
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


def wants(user: User, key: str) -> bool:
    return key not in settings_of(user).off


def language_of(user: User) -> str:
    return settings_of(user).language or settings.LANGUAGE_CODE


def remember_language(sender: object, request: HttpRequest, user: User, **kwargs: object) -> None:
    """On sign-in: the language of the pages is the one to write to this person in, until they choose."""
    language = translation.get_language() or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        return
    found = NotificationSettings.objects.filter(user=user).first()
    if found is None:
        NotificationSettings.objects.create(user=user, language=language)
    elif not found.language:
        found.language = language
        found.save(update_fields=["language"])


def notify(
    users: Iterable[User],
    key: str,
    *,
    subject: str | Promise,
    message: str | Promise,
    context: Mapping[str, Any],
    link: Callable[[], str],
) -> int:
    """Queue one message of kind `key` to each of `users` who may get it; returns how many were queued.

    `subject` and `message` are translatable texts with %(name)s placeholders from `context`; `link`
    reverses the address of the thing, and is called in each recipient's language.
    """
    if key not in _kinds:
        raise KeyError(f"notification {key!r} is not registered")
    queued = 0
    for user in {u.pk: u for u in users}.values():
        if not user.is_active or not user.has_confirmed_email or not wants(user, key):
            continue
        with translation.override(language_of(user)):
            values = {**context, "link": settings.SITE_URL + link(), "username": user.get_username()}
            text = str(subject) % values
            body = render_to_string(
                "core/mail/notification.txt",
                {
                    **values,
                    "message": str(message) % values,
                    "settings_link": settings.SITE_URL + reverse("core:notifications"),
                },
            )
        if mail.queue(user.email, text, body, purpose=f"notify:{key}", limit=LIMIT_PER_HOUR) is not None:
            queued += 1
    return queued


def members_holding(permission: str) -> list[User]:
    """Everyone who holds `permission` through one of their roles (its scope left to the caller)."""
    from cop.core import permissions

    roles = list(permissions.rules(permission))
    return list(User.objects.filter(memberships__role__in=roles, is_active=True).distinct())


def holding(permission: str) -> Callable[[Actor], bool]:
    from cop.core import permissions

    return lambda actor: permissions.holds(actor, permission)
