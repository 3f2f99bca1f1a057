"""Who may edit guidance and moderate or submit library resources."""

from __future__ import annotations

from cop.core.models import Role
from cop.core.permissions import Scope, holding, register, register_page

register("guidance.edit_guideline", {Role.SECRETARIAT: Scope.ANYWHERE})
register("guidance.moderate_resource", {Role.SECRETARIAT: Scope.ANYWHERE})
# Any registered member may propose a resource on behalf of their organisation.
register("guidance.submit_resource", {role: Scope.OWN_ORGANISATION for role in Role.values})

register_page("guidance:moderation", holding("guidance.moderate_resource"))
register_page("guidance:resource-submit", holding("guidance.submit_resource"))
