"""The seven categories of the COP national survey, as the 2009 questionnaire had them.

A workbook names them by key in its `category` column (cop/survey/xlsform.py refuses any other); the
results group questions by them.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CATEGORIES: dict[str, Promise] = {
    "perceptions": _("Perceptions of online child-safety issues"),
    "advice": _("Advice and guidance available"),
    "awareness": _("Awareness-raising and training"),
    "focal_points": _("National focal points"),
    "legal": _("Legal frameworks and law enforcement"),
    "industry": _("Cooperation with the Internet industry"),
    "assistance": _("Requests for assistance"),
}
