"""Durable background work: jobs queued in the database and the log of every attempt to run them."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cop.core.errors import shown_message


class Job(models.Model):
    """One piece of background work, such as one webhook delivery."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    kind = models.CharField(max_length=100)
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    # Attempts started so far, counted when a worker claims the job, so that a
    # job which kills its worker still uses up its attempts.
    attempts = models.PositiveIntegerField(default=0)
    # When the job is next due. While a worker runs it, this is the end of that
    # worker's lease: if the worker dies, the job becomes due again by itself.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Set by the worker holding the lease; its result only counts while it still holds it.
    lease_token = models.CharField(max_length=32, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Empty for none; unique when set.
    dedupe_key = models.CharField(max_length=200, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="outbox_job_unique_dedupe_key",
            ),
        ]
        indexes = [
            # Workers only ever look for due pending jobs; done and failed ones stay out of the index.
            models.Index(
                fields=["next_attempt_at"], condition=Q(status="pending"), name="outbox_job_due_pending"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"


class Attempt(models.Model):
    """One run of a job: the delivery log that people read."""

    class Outcome(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")
        # The worker stopped (crash, kill) before it could record the result.
        INTERRUPTED = "interrupted", _("Interrupted")

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.RUNNING)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    # In English, for operators and logs; `error_message` is what people read, in their language.
    error = models.TextField(blank=True)
    error_message = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["job", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="outbox_attempt_unique_number"),
        ]

    def __str__(self) -> str:
        return f"{self.job} attempt {self.number}: {self.outcome}"

    @property
    def error_text(self) -> str:
        """Why the attempt failed, in the active language where the handler said it for people."""
        return shown_message(self.error_message) or self.error
