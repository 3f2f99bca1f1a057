"""Records every write to a tracked model as an AuditEvent.

Tracking hangs off model signals rather than off views, so a write is recorded
whichever door it came through: a page, the API, or a command. Whoever is
acting is kept in a context variable set by the web middleware, the API's
token authentication, or `acting_as` in commands.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save

if TYPE_CHECKING:
    from cop.core.models import ApiToken, User

REDACTED = "[redacted]"
# What stands for a value, an object's name or an actor after their owner had them erased.
ERASED = "[erased]"


@dataclass(frozen=True)
class AuditActor:
    label: str
    user: User | None = None
    token: ApiToken | None = None
    ip_address: str | None = None


_current: ContextVar[AuditActor | None] = ContextVar("cop_audit_actor", default=None)
_erasing: ContextVar[bool] = ContextVar("cop_audit_erasing", default=False)


@contextmanager
def acting_as(actor: AuditActor) -> Iterator[AuditActor]:
    reset = _current.set(actor)
    try:
        yield actor
    finally:
        _current.reset(reset)


def current_actor() -> AuditActor:
    return _current.get() or AuditActor(label="system")


def user_actor(user: User, ip_address: str | None = None) -> AuditActor:
    return AuditActor(label=user.get_username(), user=user, ip_address=ip_address)


@dataclass(frozen=True)
class _Tracking:
    redact: frozenset[str]
    ignore: frozenset[str]


_tracked: dict[type[models.Model], _Tracking] = {}


def _plain(value: Any) -> Any:
    # A file is recorded by its stored name, not its content.
    if isinstance(value, FieldFile):
        return value.name or ""
    return value


def _snapshot(instance: models.Model) -> dict[str, Any]:
    values = {f.attname: _plain(f.value_from_object(instance)) for f in instance._meta.concrete_fields}
    # Round-trip through JSON so dates, decimals and UUIDs compare and store
    # the same way on SQLite and PostgreSQL.
    result: dict[str, Any] = json.loads(json.dumps(values, cls=DjangoJSONEncoder))
    return result


def _country_of(instance: models.Model) -> str:
    getter = getattr(instance, "audit_country", None)
    if callable(getter):
        return str(getter() or "")
    return ""


def _on_pre_save(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    before = None
    if instance.pk is not None:
        stored = sender._default_manager.filter(pk=instance.pk).first()
        if stored is not None:
            before = _snapshot(stored)
    instance._audit_before = before  # type: ignore[attr-defined]


def _record(
    instance: models.Model,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    object_repr: str | None = None,
) -> None:
    from cop.core.models import AuditEvent

    tracking = _tracked[type(instance)]
    for name in tracking.redact:
        for side in (before, after):
            if name in side:
                side[name] = REDACTED
    actor = current_actor()
    AuditEvent.objects.create(
        actor=actor.user,
        token=actor.token,
        actor_label=actor.label[:200],
        ip_address=actor.ip_address,
        action=action,
        model=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=(str(instance) if object_repr is None else object_repr)[:200],
        before=before,
        after=after,
        country=_country_of(instance),
    )


def _on_post_save(sender: type[models.Model], instance: models.Model, created: bool, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    tracking = _tracked[sender]
    after = _snapshot(instance)
    before = getattr(instance, "_audit_before", None)
    if before is None:
        _record(instance, "create", {}, after)
        return
    changed = [k for k in after if after[k] != before.get(k) and k not in tracking.ignore]
    if not changed:
        return
    _record(
        instance,
        "update",
        {k: before.get(k) for k in changed},
        {k: after[k] for k in changed},
    )


def _on_post_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if _erasing.get():
        forget(instance)
        _record(instance, "delete", {}, {}, object_repr=ERASED)
        return
    _record(instance, "delete", _snapshot(instance), {})


@contextmanager
def erasing() -> Iterator[None]:
    """Delete rows at their owner's request: the log keeps that they existed and went, not what they held.

    Inside, the deletion of a tracked row is recorded without its values or its name, and every
    earlier record of that row loses them too (action, time, kind and number stay). Used when a
    parent deletes their account (cop/core/deletion.py); set the actor to an erased one as well.
    """
    reset = _erasing.set(True)
    try:
        yield
    finally:
        _erasing.reset(reset)


def forget(instance: models.Model) -> int:
    """Blank the values and name in every record of `instance`; returns how many records."""
    from cop.core.models import AuditEvent

    return AuditEvent.objects.filter(model=instance._meta.label, object_id=str(instance.pk)).update(
        before={}, after={}, object_repr=ERASED
    )


def forget_actor(user: User) -> int:
    """Blank the name and address of `user` as the actor of records; returns how many records.

    What they did to rows that stay (a family kept by its other guardian) stays on record, by an
    erased actor.
    """
    from cop.core.models import AuditEvent

    return AuditEvent.objects.filter(actor=user).update(actor_label=ERASED, ip_address=None)


def track(
    model: type[models.Model],
    *,
    redact: set[str] | None = None,
    ignore: set[str] | None = None,
) -> None:
    """Audit every save and delete of `model`.

    `redact` names fields whose values are secret: a change is recorded, the
    value is not. `ignore` names fields whose change alone is not worth a
    record (a user's last login time).
    """
    # Timestamps that Django sets on every save say nothing a reader needs.
    automatic = {f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)}
    _tracked[model] = _Tracking(frozenset(redact or ()), frozenset((ignore or set()) | automatic))
    uid = f"cop-audit-{model._meta.label}"
    pre_save.connect(_on_pre_save, sender=model, dispatch_uid=uid + "-pre")
    post_save.connect(_on_post_save, sender=model, dispatch_uid=uid + "-post")
    post_delete.connect(_on_post_delete, sender=model, dispatch_uid=uid + "-delete")


def set_actor(actor: AuditActor) -> None:
    """Replace the actor for the rest of the current request or task.

    Used where the actor is only known part-way through a request (API token
    authentication); the middleware's `acting_as` restores the previous value
    when the request ends.
    """
    _current.set(actor)
