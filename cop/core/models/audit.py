"""The audit log: one row for every privileged write."""

from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Who: a user, a user acting through an API token, or the system
    # (a command such as the reference-data loader).
    actor = models.ForeignKey("core.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    token = models.ForeignKey(
        "core.ApiToken", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_label = models.CharField(max_length=200)
    # Kept for accounts and tokens only, never for somebody anonymous (`audit._kept_address`).
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # What
    action = models.CharField(max_length=10, choices=Action.choices)
    model = models.CharField(max_length=100, db_index=True)
    object_id = models.CharField(max_length=100, db_index=True)
    object_repr = models.CharField(max_length=200)
    # Field values before and after the write (only the fields that changed
    # for an update); secrets are recorded as changed but never as values.
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    # Countries the object belongs to, so a country's focal point can read the
    # audit trail of their own country only.
    country = models.CharField(max_length=2, blank=True, db_index=True)
    # The record the event is about in the end ("filter.Family:12", "reports.Report:7"; see
    # `audit.track`): a family's events are private to its guardians, and retention erases a
    # report's events with the report.
    subject = models.CharField(max_length=120, blank=True, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.model} {self.object_id}"
