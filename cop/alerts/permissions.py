"""Who may write, publish and withdraw alerts, and who may manage webhooks.

The secretariat acts anywhere; hotline analysts and helpline counsellors for
their own country. An alert's countries decide: acting on it needs the
permission in every country it concerns, and a worldwide alert (no country)
needs the permission anywhere.
"""

from __future__ import annotations

from collections.abc import Collection

from django.db.models import Exists, OuterRef, QuerySet

from cop.alerts.models import Alert, AlertCountry
from cop.core import permissions
from cop.core.collation import sort_by_name
from cop.core.models import Membership, Organisation, Role, User
from cop.core.permissions import Actor, Scope, holding, register, register_page

WRITE = "alerts.write_alert"
PUBLISH = "alerts.publish_alert"
MANAGE_WEBHOOKS = "alerts.manage_webhooks"

_ANALYSTS: dict[str, Scope] = {
    Role.SECRETARIAT: Scope.ANYWHERE,
    Role.HOTLINE_ANALYST: Scope.OWN_COUNTRY,
    Role.HELPLINE_COUNSELLOR: Scope.OWN_COUNTRY,
}
# Writing drafts and translations, and editing.
register(WRITE, _ANALYSTS)
# Publishing and withdrawing: the same people today, kept apart so that a
# review step can be added without touching the views.
register(PUBLISH, _ANALYSTS)
# Any member may have alerts sent to their own organisation's systems.
register(MANAGE_WEBHOOKS, {role: Scope.OWN_ORGANISATION for role in Role.values})
register_page("alerts:manage", holding(WRITE))
register_page("alerts:create", holding(WRITE))
register_page("alerts:webhooks", holding(MANAGE_WEBHOOKS))


def allows_in(actor: Actor, permission: str, country_ids: Collection[str]) -> bool:
    """Whether `actor` holds `permission` in all these countries (none: worldwide)."""
    if not country_ids:
        # No country given: only a grant that covers anywhere passes.
        return permissions.allows(actor, permission)
    return all(permissions.allows(actor, permission, country_id=c) for c in country_ids)


def alerts_within_reach(actor: Actor, permission: str) -> QuerySet[Alert]:
    """The alerts `actor` may act on with `permission`."""
    reach = permissions.reach(actor, permission)
    if reach.everywhere:
        return Alert.objects.all()
    if not reach.countries:
        return Alert.objects.none()
    inside = AlertCountry.objects.filter(alert=OuterRef("pk"), country_id__in=reach.countries)
    outside = AlertCountry.objects.filter(alert=OuterRef("pk")).exclude(country_id__in=reach.countries)
    return Alert.objects.filter(Exists(inside)).exclude(Exists(outside))


def organisations_for(user: User, permission: str) -> list[Organisation]:
    """The organisations `user` can act for with `permission`, by name."""
    roles = list(permissions.rules(permission))
    memberships = Membership.objects.filter(user=user, role__in=roles).select_related("organisation")
    found = {m.organisation_id: m.organisation for m in memberships}
    return sort_by_name(sorted(found.values(), key=lambda o: o.pk), lambda o: o.name)
