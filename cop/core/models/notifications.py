"""What a person wants to be told by e-mail, and in which language."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class NotificationSettings(models.Model):
    """One row per person who signed in or saved their settings; without one, every notification is on.

    `language` is the language of the pages when they last signed in, or the one they chose; the
    mails are written in it. `off` lists the kinds of notification they turned off.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="notification_settings",
    )
    language = models.CharField(
        _("language of the e-mails"), max_length=10, choices=settings.LANGUAGES, blank=True
    )
    off = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"notification settings of user {self.user_id}"
