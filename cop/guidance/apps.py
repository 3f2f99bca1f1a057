from django.apps import AppConfig


class GuidanceConfig(AppConfig):
    name = "cop.guidance"
    label = "guidance"
    verbose_name = "Guidance"

    def ready(self) -> None:
        from cop.core import audit
        from cop.guidance import (
            permissions,  # noqa: F401 - registers the app's permissions
            queues,
        )

        queues.register()
        from cop.guidance.models import Guideline, GuidelineText, Resource, ResourceText

        audit.track(Guideline)
        # The body is kept whole in the revision history; the audit log only notes that it changed.
        audit.track(GuidelineText, redact={"body"})
        audit.track(Resource)
        audit.track(ResourceText)
