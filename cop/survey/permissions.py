"""Who may do what in the national survey."""

from __future__ import annotations

from cop.core.models import Role
from cop.core.permissions import Scope, holding, register, register_page

# Questionnaires and campaigns are the secretariat's.
register("survey.import_questionnaire", {Role.SECRETARIAT: Scope.ANYWHERE})
register("survey.manage_campaign", {Role.SECRETARIAT: Scope.ANYWHERE})
# A country's response is written by its people: the focal point (ministry, regulator) and colleagues
# of the country's hotline, helpline and partner organisations; the secretariat reads every draft.
CONTRIBUTORS: dict[str, Scope] = {
    Role.FOCAL_POINT: Scope.OWN_COUNTRY,
    Role.HOTLINE_ANALYST: Scope.OWN_COUNTRY,
    Role.HELPLINE_COUNSELLOR: Scope.OWN_COUNTRY,
    Role.PARTNER: Scope.OWN_COUNTRY,
}
register("survey.read_response", {**CONTRIBUTORS, Role.SECRETARIAT: Scope.ANYWHERE})
register("survey.answer", CONTRIBUTORS)
# Only the focal point signs off and submits for the country.
register("survey.submit", {Role.FOCAL_POINT: Scope.OWN_COUNTRY})
# The secretariat reviews: accepts or queries answers, approves responses.
register("survey.review", {Role.SECRETARIAT: Scope.ANYWHERE})

# The secretariat's campaign pages; a response's page is open to whoever reads some country's
# responses, and then shows only those of their own country (cop/survey/dashboard.py).
register_page("survey-campaigns", holding("survey.manage_campaign"))
register_page("survey-campaign-open", holding("survey.manage_campaign"))
register_page("survey-campaign", holding("survey.manage_campaign"))
register_page("survey-response", holding("survey.read_response"))
# The secretariat's questionnaire pages: the list of questionnaires and versions, an import, a version.
for _page in (
    "survey:questionnaires",
    "survey:questionnaire-import",
    "survey:version",
    "survey:version-workbook",
):
    register_page(_page, holding("survey.import_questionnaire"))
