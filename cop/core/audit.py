"""Records every write to a tracked model as an AuditEvent, and decides who reads what of it.

Tracking hangs off model signals rather than off views, so a write is recorded
whichever door it came through: a page, the API, or a command. Whoever is
acting is kept in a context variable set by the web middleware, the API's
token authentication, or `acting_as` in commands.

Privacy rules, each decided here and nowhere else:
- Somebody acting without an account or token (a reporter, a child asking to
  unblock a site, a visitor signing up) leaves no client address in the log:
  it would be the one thing that identifies them (`_kept_address`).
- An event belongs to a subject, the record it is about in the end (a report,
  a family). A subject kind declared `private` (families) shows its events'
  values only to that subject's readers (the family's guardians); anyone else
  who may read the log sees that an event happened (action, time, object type),
  not who made it or its values (`Reader`).
- `erase_details` forgets the values of a subject's events and keeps the facts,
  for retention (reports) and deletion (families).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.db.models.signals import post_delete, post_save, pre_save

if TYPE_CHECKING:
    from cop.core.models import ApiToken, AuditEvent, User

REDACTED = "[redacted]"
# What stands for a value, an object's name or an actor after their owner had them erased (a
# report past its retention period, a deleted family or account).
ERASED = "[erased]"
ANONYMOUS = "anonymous"
# The subject key of an event whose subject could not be found: still private, to nobody.
UNKNOWN_SUBJECT = "?"


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


def anonymous_actor() -> AuditActor:
    """Somebody without an account: a reporter, a child on their ask page, a visitor signing up."""
    return AuditActor(label=ANONYMOUS)


def _kept_address(actor: AuditActor) -> str | None:
    # An account or a token answers for what it does, so its address is kept as evidence. Somebody
    # anonymous is anonymous: their address would identify them, and nobody may ask for it later.
    if actor.user is None and actor.token is None:
        return None
    return actor.ip_address


@dataclass(frozen=True)
class _Tracking:
    redact: frozenset[str]
    ignore: frozenset[str]
    # The subject's model label and the attribute path from an instance to the subject's key.
    subject: tuple[str, str] | None


_tracked: dict[type[models.Model], _Tracking] = {}


def _plain(value: Any) -> Any:
    # A file is recorded by its stored name, not its content.
    if isinstance(value, FieldFile):
        return value.name or ""
    # Bytes (a BinaryField: an imported workbook) are recorded by their size, never copied, and JSON
    # could not hold them anyway.
    if isinstance(value, bytes | bytearray | memoryview):
        return f"[{len(value)} bytes]"
    return value


def _snapshot(instance: models.Model) -> dict[str, Any]:
    values = {f.attname: _plain(f.value_from_object(instance)) for f in instance._meta.concrete_fields}
    # Round-trip through JSON so dates, decimals and UUIDs compare and store
    # the same way on SQLite and PostgreSQL.
    result: dict[str, Any] = json.loads(json.dumps(values, cls=DjangoJSONEncoder))
    return result


def subject_key(model: type[models.Model] | str, pk: Any) -> str:
    """How an event names its subject: "<app label>.<Model>:<primary key>"."""
    label = model if isinstance(model, str) else model._meta.label
    return f"{label}:{pk}"


def _subject_of(instance: models.Model, tracking: _Tracking) -> str:
    if tracking.subject is None:
        return ""
    label, path = tracking.subject
    value: Any = instance
    try:
        for part in path.split("."):
            value = getattr(value, part)
    except ObjectDoesNotExist:
        value = None
    # An event of a private kind whose subject is lost stays private rather than becoming public.
    return subject_key(label, UNKNOWN_SUBJECT if value is None else value)


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


def _event(
    instance: models.Model,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    object_repr: str | None = None,
) -> AuditEvent:
    from cop.core.models import AuditEvent

    tracking = _tracked[type(instance)]
    for name in tracking.redact:
        for side in (before, after):
            if name in side:
                side[name] = REDACTED
    actor = current_actor()
    return AuditEvent(
        actor=actor.user,
        token=actor.token,
        actor_label=actor.label[:200],
        ip_address=_kept_address(actor),
        action=action,
        model=instance._meta.label,
        object_id=str(instance.pk),
        object_repr=(str(instance) if object_repr is None else object_repr)[:200],
        before=before,
        after=after,
        country=_country_of(instance),
        subject=_subject_of(instance, tracking),
    )


def _record(
    instance: models.Model,
    action: str,
    before: dict[str, Any],
    after: dict[str, Any],
    object_repr: str | None = None,
) -> None:
    _event(instance, action, before, after, object_repr).save()


def record_created(instances: Sequence[models.Model]) -> None:
    """Record rows saved with `bulk_create`, which sends no signals, as their saves would have been.

    For writes of thousands of rows at once (a campaign's pre-filled answers for every country): one
    event per row still, written in batches. The rows must have their primary keys (bulk_create sets
    them on PostgreSQL and SQLite).
    """
    from cop.core.models import AuditEvent

    events = [_event(instance, "create", {}, _snapshot(instance)) for instance in instances]
    AuditEvent.objects.bulk_create(events, batch_size=500)


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
    subject: tuple[type[models.Model], str] | None = None,
) -> None:
    """Audit every save and delete of `model`.

    `redact` names fields whose values are secret: a change is recorded, the
    value is not. `ignore` names fields whose change alone is not worth a
    record (a user's last login time). `subject` is the record the events are
    about in the end, as its model and the attribute path from an instance to
    its key, e.g. `(Family, "profile.family_id")` for a child's list entry: who
    reads the values (`private`) and what retention erases follow from it.
    """
    # Timestamps that Django sets on every save say nothing a reader needs.
    automatic = {f.attname for f in model._meta.concrete_fields if getattr(f, "auto_now", False)}
    _tracked[model] = _Tracking(
        frozenset(redact or ()),
        frozenset((ignore or set()) | automatic),
        (subject[0]._meta.label, subject[1]) if subject else None,
    )
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


# Subject kinds whose events show their values only to the subject's readers: label -> readers.
_private: dict[str, Callable[[User], Iterable[Any]]] = {}


def private(model: type[models.Model], *, readers: Callable[[User], Iterable[Any]]) -> None:
    """Events whose subject is a `model` record are private to it: `readers(user)` gives the keys of
    the records whose events `user` reads in full (a family's guardians, for families)."""
    _private[model._meta.label] = readers


@dataclass(frozen=True)
class Shown:
    """One event as a reader sees it: everything, or only that it happened."""

    at: Any
    action: str
    model: str
    full: bool
    actor_label: str = ""
    object_id: str = ""
    object_repr: str = ""
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None


class Reader:
    """What of the audit log `user` may read: the one rule every page and API endpoint asks.

    The events of their reach (`core.view_audit`: everywhere, or their country) and those of the
    private subjects they read (their families). Of a private subject they do not read, an event
    shows its action, time and object type only.
    """

    def __init__(self, user: User | None) -> None:
        from cop.core import permissions

        self.user = user
        self.reach = permissions.reach(permissions.actor_for(user), "core.view_audit")
        self.own: frozenset[str] = frozenset()
        if user is not None and user.is_authenticated:
            self.own = frozenset(
                subject_key(label, pk) for label, readers in _private.items() for pk in readers(user)
            )

    @property
    def nothing(self) -> bool:
        return self.reach.nowhere and not self.own

    def events(self) -> models.QuerySet[AuditEvent]:
        from cop.core.models import AuditEvent

        if self.reach.everywhere:
            return AuditEvent.objects.all()
        if self.nothing:
            return AuditEvent.objects.none()
        condition = Q(subject__in=self.own)
        if self.reach.countries:
            condition |= Q(country__in=self.reach.countries)
        return AuditEvent.objects.filter(condition)

    def reads_values(self, event: AuditEvent) -> bool:
        label = event.subject.rsplit(":", 1)[0]
        return label not in _private or event.subject in self.own

    def show(self, event: AuditEvent) -> Shown:
        if not self.reads_values(event):
            return Shown(at=event.at, action=event.action, model=event.model, full=False)
        return Shown(
            at=event.at,
            action=event.action,
            model=event.model,
            full=True,
            actor_label=event.actor_label,
            object_id=event.object_id,
            object_repr=event.object_repr,
            before=event.before,
            after=event.after,
        )


def _erased(values: dict[str, Any]) -> dict[str, Any]:
    return {name: ERASED for name in values}


def erase_details(model: type[models.Model], pk: Any) -> int:
    """Forget the values of every event about this subject, keeping that each happened: who, when,
    which action on which object, and which fields changed. Returns how many events it changed."""
    from cop.core.models import AuditEvent

    events = list(AuditEvent.objects.filter(subject=subject_key(model, pk)).exclude(object_repr=ERASED))
    for event in events:
        event.before, event.after, event.object_repr = _erased(event.before), _erased(event.after), ERASED
    AuditEvent.objects.bulk_update(events, ["before", "after", "object_repr"], batch_size=500)
    return len(events)
