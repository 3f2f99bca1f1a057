from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cop.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from cop.core import (
            audit,
            mail,  # noqa: F401 - registers the e-mail job
        )
        from cop.core.models import ApiToken, Country, Membership, Organisation, Region, User

        # Every write to these models is privileged and leaves an audit record.
        audit.track(Region)
        audit.track(Country)
        audit.track(Organisation)
        audit.track(Membership)
        audit.track(ApiToken, redact={"digest"})
        audit.track(User, redact={"password"}, ignore={"last_login"})
