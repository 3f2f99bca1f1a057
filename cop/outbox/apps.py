from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Durable background work: jobs queued in the caller's transaction, run by `cop run_worker`."""

    name = "cop.outbox"
    label = "outbox"
    verbose_name = "Outbox"
