from django.apps import AppConfig


class HelplinesConfig(AppConfig):
    name = "cop.helplines"
    label = "helplines"
    verbose_name = "Helplines"

    def ready(self) -> None:
        from cop.core import audit
        from cop.helplines import permissions  # noqa: F401 - registers the app's permissions
        from cop.helplines.models import Channel, EmergencyNumber, Service

        audit.track(Service)
        audit.track(Channel)
        audit.track(EmergencyNumber)
