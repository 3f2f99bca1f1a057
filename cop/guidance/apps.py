from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "cop.guidance"
    label = "guidance"
    verbose_name = "Guidance"

    def ready(self) -> None:
        from django.db.models.signals import post_save, pre_save

        from cop.core import audit
        from cop.guidance import (
            notifications,
            permissions,  # noqa: F401 - registers the app's permissions
            queues,
        )
        from cop.guidance.models import Guideline, GuidelineText, Resource, ResourceText

        queues.register()
        notifications.register()
        # A new proposal and a decision are notified whichever door they came through.
        pre_save.connect(
            notifications.remember_status, sender=Resource, dispatch_uid="cop-guidance-notify-before"
        )
        post_save.connect(notifications.notify_change, sender=Resource, dispatch_uid="cop-guidance-notify")

        audit.track(Guideline)
        # The body is kept whole in the revision history; the audit log only notes that it changed.
        audit.track(GuidelineText, redact={"body"})
        audit.track(Resource)
        audit.track(ResourceText)
