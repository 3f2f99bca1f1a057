from django.apps import AppConfig


class ThreatsConfig(AppConfig):
    name = "cop.threats"
    label = "threats"
    verbose_name = "Threats"

    def ready(self) -> None:
        from cop.core import audit
        from cop.threats.models import Classification, Risk

        audit.track(Classification)
        audit.track(Risk)
