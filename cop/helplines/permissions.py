"""Who maintains the help directory."""

from __future__ import annotations

from cop.core.models import Role
from cop.core.permissions import Scope, register

# The secretariat anywhere; a national focal point for their own country.
register("helplines.change_service", {Role.SECRETARIAT: Scope.ANYWHERE, Role.FOCAL_POINT: Scope.OWN_COUNTRY})
