from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "cop.alerts"
    label = "alerts"
    verbose_name = "Alerts"

    def ready(self) -> None:
        from cop.alerts import (
            permissions,  # noqa: F401 - registers the app's permissions
            webhooks,  # noqa: F401 - registers the outbox handler of deliveries
        )
        from cop.alerts.models import Alert, AlertCountry, AlertRisk, AlertText, Subscription
        from cop.core import audit

        audit.track(Alert)
        audit.track(AlertText)
        audit.track(AlertCountry)
        audit.track(AlertRisk)
        audit.track(Subscription, redact={"secret_sealed"})
