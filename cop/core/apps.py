from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "cop.core"
    label = "core"
    verbose_name = "Core"

    def ready(self) -> None:
        from cop.core import (  # noqa: F401 - registers the deployment checks and the e-mail job
            audit,
            checks,
            mail,
        )
        from cop.core.models import ApiToken, Country, Membership, Organisation, Region, User

        # Every write to these models is privileged and leaves an audit record.
        audit.track(Region)
        audit.track(Country)
        audit.track(Organisation)
        audit.track(Membership)
        audit.track(ApiToken, redact={"digest"})
        audit.track(User, redact={"password"}, ignore={"last_login"})

        from axes.signals import user_locked_out
        from django.contrib.auth.signals import user_logged_in

        from cop.core import lockout

        # After axes' own receiver of user_logged_in (axes comes first in INSTALLED_APPS), which
        # sets the request's client address that forget_pair reads.
        user_locked_out.connect(lockout.record_lockout, dispatch_uid="cop-lockout-record")
        user_logged_in.connect(lockout.forget_pair, dispatch_uid="cop-lockout-forget-pair")

        from cop.core import notifications

        user_logged_in.connect(notifications.remember_language, dispatch_uid="cop-notifications-language")
