"""The health endpoint shows the outbox: queue depth and how long the oldest due job has waited."""

from __future__ import annotations

import datetime

from django.test import TestCase
from django.utils import timezone

from cop.outbox.models import Job
from cop.outbox.queue import enqueue
from cop.outbox.tests import handlers  # noqa: F401 - registers the test job kinds

SCRIPTED = "outbox-test.scripted"


class HealthTestCase(TestCase):
    def queued(self, seconds_from_now: float, token: str = "") -> Job:
        job = enqueue(SCRIPTED)
        moment = timezone.now() + datetime.timedelta(seconds=seconds_from_now)
        Job.objects.filter(pk=job.pk).update(next_attempt_at=moment, lease_token=token)
        return job

    def test_the_health_endpoint_shows_waiting_running_and_scheduled_jobs_and_the_oldest_wait(self) -> None:
        assert self.client.get("/health/").json()["outbox"] == {
            "waiting": 0,
            "running": 0,
            "scheduled": 0,
            "oldest_waiting_seconds": None,
        }
        self.queued(-120)  # due two minutes ago, and no worker has taken it
        self.queued(-10)
        self.queued(-5, token="a" * 32)  # its worker's lease ran out: it waits again
        self.queued(20, token="b" * 32)  # a worker holds it
        self.queued(3600)  # a retry, or a refresh, due in an hour
        done = self.queued(-600)
        Job.objects.filter(pk=done.pk).update(status=Job.Status.DONE)
        outbox = self.client.get("/health/").json()["outbox"]
        assert (outbox["waiting"], outbox["running"], outbox["scheduled"]) == (3, 1, 1)
        assert 120 <= outbox["oldest_waiting_seconds"] < 130
