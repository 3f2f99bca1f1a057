"""Who manages the block lists.

The secretariat (or the operator's administrators, who hold that role) manages every list. The
illegal-content list is maintained by the national hotline named on it: its analysts may import
new versions of that list, and of no other.
"""

from __future__ import annotations

from cop.core import permissions
from cop.core.models import Role
from cop.core.permissions import Actor, Scope, holding, register, register_page
from cop.filter.categories import ILLEGAL
from cop.filter.models import FilterList

MANAGE_LISTS = "filter.manage_lists"
MAINTAIN_ILLEGAL_LIST = "filter.maintain_illegal_list"

register(MANAGE_LISTS, {Role.SECRETARIAT: Scope.ANYWHERE})
register(
    MAINTAIN_ILLEGAL_LIST, {Role.SECRETARIAT: Scope.ANYWHERE, Role.HOTLINE_ANALYST: Scope.OWN_ORGANISATION}
)


def may_manage(actor: Actor) -> bool:
    return permissions.allows(actor, MANAGE_LISTS)


def may_import(actor: Actor, filter_list: FilterList) -> bool:
    if may_manage(actor):
        return True
    if filter_list.category != ILLEGAL or filter_list.maintainer_id is None:
        return False
    return permissions.allows(actor, MAINTAIN_ILLEGAL_LIST, organisation_id=filter_list.maintainer_id)


def lists_for(actor: Actor) -> list[FilterList]:
    """The lists this person may see and import into."""
    return [
        filter_list
        for filter_list in FilterList.objects.select_related("maintainer")
        if may_import(actor, filter_list)
    ]


def may_see_lists(actor: Actor) -> bool:
    """The lists page: who manages lists, and a hotline's analysts once their organisation maintains one."""
    if may_manage(actor):
        return True
    reach = permissions.reach(actor, MAINTAIN_ILLEGAL_LIST)
    return FilterList.objects.filter(category=ILLEGAL, maintainer_id__in=reach.organisations).exists()


register_page("filter:lists", may_see_lists)
register_page("filter:local-records", holding(MANAGE_LISTS))
