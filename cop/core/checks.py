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


@register(Tags.security, deploy=True)
def site_url_configured(app_configs: Any, **kwargs: Any) -> list[CheckMessage]:
    # Notifications are written without a request, so their links take the site's address from
    # COP_SITE_URL; left at the development default they point at the reader's own computer.
    if settings.DEBUG or not settings.SITE_URL.startswith("http://127.0.0.1"):
        return []
    return [
        CheckWarning(
            "COP_SITE_URL is the development address: links in notification e-mails lead nowhere.",
            hint="Set COP_SITE_URL to the public address of the site, e.g. https://cop.example.org.",
            id="cop.W002",
        )
    ]
