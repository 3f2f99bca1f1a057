from __future__ import annotations

from typing import Any

from django import template

from cop.filter.names import describe

register = template.Library()


@register.filter
def problem_reason(problem: dict[str, Any]) -> str:
    """Why a list line was not understood, in the reader's language."""
    return describe(str(problem.get("reason", "")), problem.get("params") or None)
