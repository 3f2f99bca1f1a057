"""Deployment checks (`cop check --deploy`) for settings the platform cannot judge at start-up."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, register
from django.core.checks import Warning as CheckWarning

from cop.env import CONSOLE


@register(Tags.security, deploy=True)
def mail_server_configured(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    # Without a mail server, password-reset links go to the console (the logs): nobody receives
    # them, and whoever reads the logs could use them.
    if settings.DEBUG or settings.EMAIL_BACKEND != CONSOLE:
        return []
    return [
        CheckWarning(
            "Outgoing e-mail is printed to the console: password-reset links reach nobody.",
            hint="Set COP_EMAIL_URL (or COP_EMAIL_HOST and its companions) and COP_DEFAULT_FROM_EMAIL.",
            id="cop.W001",
        )
    ]
