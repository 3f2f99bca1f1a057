"""Who may see and act on cases. A case belongs to one organisation; only its people act on it."""

from __future__ import annotations

from cop.core.models import Role
from cop.core.permissions import Scope, holding, register, register_page

# Analysts of the competent hotline handle its cases; a helpline's counsellors handle referrals to it.
register(
    "reports.handle_case",
    {Role.HOTLINE_ANALYST: Scope.OWN_ORGANISATION, Role.HELPLINE_COUNSELLOR: Scope.OWN_ORGANISATION},
)
# Reporter contact details: the analysts of the competent hotline, nobody else.
register("reports.view_contact", {Role.HOTLINE_ANALYST: Scope.OWN_ORGANISATION})
# Cases without a competent hotline wait for the secretariat to route them.
register("reports.route_case", {Role.SECRETARIAT: Scope.ANYWHERE})

# The case queue: the analysts and counsellors of their cases, the secretariat for routing.
register_page("reports:queue", holding("reports.handle_case", "reports.route_case"))
