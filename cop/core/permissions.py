"""The one place that decides who may do what, and where.

A permission names an action ("core.change_organisation"). Each role either
lacks it or holds it with a scope: anywhere, in its organisation's country, or
in its own organisation only. Apps register their permissions here at import
time; views and API endpoints only ever ask `allows` / `require` /
`country_filter`, never inspect roles themselves.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from cop.core.models import ApiToken, Membership, Role, User


class Scope(enum.Enum):
    ANYWHERE = "anywhere"
    OWN_COUNTRY = "own-country"
    OWN_ORGANISATION = "own-organisation"


_rules: dict[str, dict[str, Scope]] = {}


def register(permission: str, grants: dict[str, Scope]) -> None:
    unknown = set(grants) - set(Role.values)
    if unknown:
        raise ValueError(f"unknown roles for {permission}: {sorted(unknown)}")
    _rules[permission] = dict(grants)


def rules(permission: str) -> dict[str, Scope]:
    try:
        return _rules[permission]
    except KeyError:
        raise KeyError(f"permission {permission!r} is not registered") from None


@dataclass(frozen=True)
class Grant:
    role: str
    organisation_id: int
    country_id: str | None


@dataclass
class Actor:
    """Someone acting on the platform: a signed-in user or an API token."""

    user: User | None = None
    token: ApiToken | None = None
    _grants: tuple[Grant, ...] | None = field(default=None, repr=False)

    @cached_property
    def grants(self) -> tuple[Grant, ...]:
        if self._grants is not None:
            return self._grants
        if self.token is not None:
            org = self.token.organisation
            return (Grant(self.token.role, org.pk, org.country_id),)
        if self.user is None or not self.user.is_authenticated or not self.user.is_active:
            return ()
        memberships = Membership.objects.filter(user=self.user).select_related("organisation")
        return tuple(Grant(m.role, m.organisation_id, m.organisation.country_id) for m in memberships)

    @property
    def is_anonymous(self) -> bool:
        return self.user is None and self.token is None

    def has_role(self, *roles: str) -> bool:
        return any(g.role in roles for g in self.grants)


def actor_for(user: User | None) -> Actor:
    if user is None or not user.is_authenticated:
        return Actor()
    return Actor(user=user)


def actor_of(request: HttpRequest) -> Actor:
    """The actor behind a web request: its signed-in user, or nobody."""
    user = request.user
    return actor_for(user if isinstance(user, User) and user.is_authenticated else None)


def _grant_covers(grant: Grant, scope: Scope, country_id: str | None, organisation_id: int | None) -> bool:
    if scope is Scope.ANYWHERE:
        return True
    if scope is Scope.OWN_COUNTRY:
        return grant.country_id is not None and grant.country_id == country_id
    return organisation_id is not None and grant.organisation_id == organisation_id


def allows(
    actor: Actor,
    permission: str,
    *,
    country_id: str | None = None,
    organisation_id: int | None = None,
) -> bool:
    """Whether `actor` may do `permission` on something in this country/organisation.

    Pass the country (and organisation, where there is one) of the object acted
    on, or of the object about to be created.
    """
    table = rules(permission)
    return any(
        g.role in table and _grant_covers(g, table[g.role], country_id, organisation_id) for g in actor.grants
    )


def require(
    actor: Actor,
    permission: str,
    *,
    country_id: str | None = None,
    organisation_id: int | None = None,
) -> None:
    if not allows(actor, permission, country_id=country_id, organisation_id=organisation_id):
        raise PermissionDenied(permission)


@dataclass(frozen=True)
class Reach:
    """Where an actor holds a permission: everywhere, or these countries and organisations."""

    everywhere: bool
    countries: frozenset[str]
    organisations: frozenset[int]

    @property
    def nowhere(self) -> bool:
        return not self.everywhere and not self.countries and not self.organisations


def reach(actor: Actor, permission: str) -> Reach:
    """Where `actor` holds `permission`, for filtering lists down to what they may see."""
    table = rules(permission)
    countries: set[str] = set()
    organisations: set[int] = set()
    for g in actor.grants:
        scope = table.get(g.role)
        if scope is Scope.ANYWHERE:
            return Reach(True, frozenset(), frozenset())
        if scope is Scope.OWN_COUNTRY and g.country_id:
            countries.add(g.country_id)
        elif scope is Scope.OWN_ORGANISATION:
            organisations.add(g.organisation_id)
    return Reach(False, frozenset(countries), frozenset(organisations))


def holds(actor: Actor, permission: str) -> bool:
    """Whether `actor` holds `permission` anywhere at all, with any scope."""
    return not reach(actor, permission).nowhere


# Pages that not everyone may open, by URL name, with the rule the page applies. The page asks
# `require_page` and every link to it asks `may_open` (the template filter `may_open` in
# cop/core/templatetags/access.py), so nobody is shown a link that would refuse them.
PageRule = Callable[[Actor], bool]
_pages: dict[str, PageRule] = {}


def register_page(url_name: str, rule: PageRule) -> None:
    _pages[url_name] = rule


def holding(*permissions: str) -> PageRule:
    """The rule of a page open to whoever holds any of `permissions` somewhere."""
    for permission in permissions:
        rules(permission)  # an unknown name fails at start-up, not on a page
    return lambda actor: any(holds(actor, permission) for permission in permissions)


def may_open(actor: Actor, url_name: str) -> bool:
    try:
        rule = _pages[url_name]
    except KeyError:
        raise KeyError(f"page {url_name!r} has no registered rule") from None
    return rule(actor)


def require_page(actor: Actor, url_name: str) -> None:
    if not may_open(actor, url_name):
        raise PermissionDenied(url_name)


# The core app's own permissions.
register(
    "core.add_organisation",
    {Role.SECRETARIAT: Scope.ANYWHERE, Role.FOCAL_POINT: Scope.OWN_COUNTRY},
)
register(
    "core.change_organisation",
    {Role.SECRETARIAT: Scope.ANYWHERE, Role.FOCAL_POINT: Scope.OWN_COUNTRY},
)
# An organisation's kind decides where reports go (a country's hotline receives them) and which roles
# it can hold, so only the secretariat changes it; focal points edit everything else of their country's.
register("core.change_organisation_kind", {Role.SECRETARIAT: Scope.ANYWHERE})
# Issuing API tokens: any member may act for their own organisation by machine.
register(
    "core.manage_tokens",
    {
        Role.SECRETARIAT: Scope.OWN_ORGANISATION,
        Role.FOCAL_POINT: Scope.OWN_ORGANISATION,
        Role.HOTLINE_ANALYST: Scope.OWN_ORGANISATION,
        Role.HELPLINE_COUNSELLOR: Scope.OWN_ORGANISATION,
        Role.INDUSTRY_MEMBER: Scope.OWN_ORGANISATION,
        Role.PARTNER: Scope.OWN_ORGANISATION,
    },
)
register(
    "core.view_audit",
    {Role.SECRETARIAT: Scope.ANYWHERE, Role.FOCAL_POINT: Scope.OWN_COUNTRY},
)


def _reads_audit(actor: Actor) -> bool:
    from cop.core import audit  # audit imports this module

    return not audit.Reader(actor.user).nothing


register_page("core:audit", _reads_audit)
