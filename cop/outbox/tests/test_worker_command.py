"""The `cop run_worker` command: --once for cron and tests (the loop, its threads and SIGTERM are
tested on real processes in test_worker_process.py)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import TestCase

from cop.outbox.models import Job
from cop.outbox.queue import enqueue
from cop.outbox.tests import handlers


class RunWorkerTestCase(TestCase):
    def setUp(self) -> None:
        handlers.calls.clear()

    def test_run_worker_once_runs_the_due_jobs_says_how_many_and_exits(self) -> None:
        jobs = [enqueue("outbox-test.scripted", {"n": n}) for n in range(3)]
        failing = enqueue("outbox-test.scripted", {"failures": 5})
        out = StringIO()
        call_command("run_worker", "--once", stdout=out)
        assert out.getvalue().strip() == "Ran 4 job(s)."
        assert set(Job.objects.filter(status=Job.Status.DONE).values_list("pk", flat=True)) == {
            j.pk for j in jobs
        }
        failing.refresh_from_db()
        # Each job runs at most once per pass: the failed one waits for its retry time.
        assert failing.status == Job.Status.PENDING and failing.attempts == 1
        call_command("run_worker", "--once", stdout=out)
        assert out.getvalue().strip().endswith("Ran 0 job(s).")

    def test_run_worker_once_respects_its_limit(self) -> None:
        for n in range(3):
            enqueue("outbox-test.scripted", {"n": n})
        out = StringIO()
        call_command("run_worker", "--once", "--limit", "2", stdout=out)
        assert "Ran 2 job(s)." in out.getvalue()
        assert Job.objects.filter(status=Job.Status.PENDING).count() == 1

    def test_bad_arguments_are_refused_with_a_message(self) -> None:
        with pytest.raises(CommandError, match="--interval"):
            call_command("run_worker", "--once", "--interval", "0")
        with pytest.raises(CommandError, match="--limit"):
            call_command("run_worker", "--once", "--limit", "0")
