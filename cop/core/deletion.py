"""Parents and guardians deleting their own account, and what goes with it.

Only an account that acts for no organisation deletes itself: a member of one (an analyst, a focal
point, the secretariat) is removed by their organisation, which answers for who acts in its name.

Apps built on core say what of theirs goes with an account (`register`): the family filter deletes
the families whose only guardian the account is, and leaves a family with another guardian to
them. The audit log keeps that the account and those rows were deleted, not what they held: the
records of every deleted row, and the account's name and address as the actor of earlier records,
are erased (`audit.erasing`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.db import transaction

from cop.core import audit
from cop.core.models import LoginLockout, User


@dataclass
class Consequences:
    """What deleting an account does, in sentences for its owner: what goes, and what stays with others."""

    goes: list[str] = field(default_factory=list)
    stays: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Part:
    describe: Callable[[User, Consequences], None]
    erase: Callable[[User], None]


_parts: dict[str, _Part] = {}


def register(
    name: str, describe: Callable[[User, Consequences], None], erase: Callable[[User], None]
) -> None:
    """Called from an app's ready(): `describe` adds to the sentences, `erase` deletes its rows."""
    _parts[name] = _Part(describe, erase)


def may_delete_itself(user: User) -> bool:
    """Whether `user` may delete their own account: not while they act for an organisation."""
    return not (user.is_staff or user.is_superuser or user.memberships.exists())


def consequences(user: User) -> Consequences:
    result = Consequences()
    for part in _parts.values():
        part.describe(user, result)
    return result


def delete_account(user: User) -> None:
    """Delete `user` and what goes with them, in one transaction; the caller checked the password."""
    if not may_delete_itself(user):
        raise PermissionError("members of an organisation are removed by it")
    username = user.get_username()
    with (
        transaction.atomic(),
        audit.acting_as(audit.AuditActor(label=audit.ERASED)),
        audit.erasing(),
    ):
        for part in _parts.values():
            part.erase(user)
        audit.forget_actor(user)
        # The sign-in records keep the username and the addresses it signed in from.
        for model in (AccessAttempt, AccessFailureLog, AccessLog, LoginLockout):
            model.objects.filter(username__iexact=username).delete()
        user.delete()
