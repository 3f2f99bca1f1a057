from django.apps import AppConfig


class FilterConfig(AppConfig):
    name = "cop.filter"
    label = "filter"
    verbose_name = "Family filter"

    def ready(self) -> None:
        from cop.core import audit, deletion
        from cop.filter import (
            jobs,  # noqa: F401 - registers the list import and refresh jobs
            leaving,
            permissions,  # noqa: F401 - registers who manages lists
            signals,  # noqa: F401 - compiles a snapshot after every policy change
        )
        from cop.filter.models import (
            AssignedRange,
            Device,
            DeviceNetwork,
            Entry,
            Family,
            Guardian,
            Invitation,
            Profile,
            Schedule,
            UnblockRequest,
        )

        # Who changed a child's rules, and when, is on record whichever door the change came through.
        audit.track(Family)
        audit.track(Guardian)
        audit.track(Profile)
        audit.track(Entry)
        audit.track(Schedule)
        # The token lets a device be filtered (and ask) as the child: the log notes it, never its value.
        # The resolver's "last seen" bookkeeping alone is not worth a record.
        audit.track(Device, redact={"token", "ask_token"}, ignore={"last_seen_at"})
        audit.track(DeviceNetwork)
        audit.track(AssignedRange)
        audit.track(UnblockRequest)
        # The nonce is half of an invitation's link.
        audit.track(Invitation, redact={"nonce"})
        # A parent deleting their account takes the families only they manage with them.
        deletion.register("filter", leaving.describe, leaving.erase)
