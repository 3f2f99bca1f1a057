from __future__ import annotations

import datetime

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def duration_words(value: datetime.timedelta | None) -> str:
    """A timer in days, hours and minutes, e.g. "1 d 3 h" or "25 min"."""
    if value is None:
        return "—"
    minutes = max(0, int(value.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}
    return _("%(minutes)s min") % {"minutes": minutes}
