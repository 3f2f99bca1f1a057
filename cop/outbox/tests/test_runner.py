"""Running due jobs: claims, the delivery log, retries with backoff, leases and failures."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections
from django.test import TestCase, override_settings
from django.utils import timezone

from cop.outbox.models import Attempt, Job
from cop.outbox.queue import enqueue
from cop.outbox.runner import INTERRUPTED_ERROR, backoff, run_due
from cop.outbox.tests import handlers

SCRIPTED = "outbox-test.scripted"


def seconds(delta: datetime.timedelta) -> float:
    return delta.total_seconds()


@override_settings(OUTBOX_MAX_ATTEMPTS=3, OUTBOX_BACKOFF_SECONDS=60, OUTBOX_BACKOFF_MAX_SECONDS=3600)
class RunDueTestCase(TestCase):
    def setUp(self) -> None:
        handlers.calls.clear()

    def test_a_due_job_runs_once_is_done_and_its_attempt_is_logged(self) -> None:
        job = enqueue(SCRIPTED)
        assert run_due(10) == 1
        assert run_due(10) == 0
        job.refresh_from_db()
        assert job.status == Job.Status.DONE and job.attempts == 1 and job.finished_at is not None
        assert job.lease_token == "" and job.last_error == ""
        [attempt] = job.log.all()
        assert (attempt.number, attempt.outcome, attempt.status_code) == (1, Attempt.Outcome.SUCCEEDED, 200)
        assert attempt.duration_ms is not None and attempt.started_at <= job.finished_at
        assert handlers.calls == [job.pk]

    def test_due_jobs_run_oldest_first_and_no_more_than_the_limit(self) -> None:
        jobs = [enqueue(SCRIPTED, {"n": n}) for n in range(3)]
        assert run_due(2) == 2
        assert handlers.calls == [jobs[0].pk, jobs[1].pk]
        assert run_due(2) == 1
        assert handlers.calls[-1] == jobs[2].pk

    def test_a_job_that_fails_twice_is_retried_with_growing_jittered_delays_and_then_succeeds(self) -> None:
        job = enqueue(SCRIPTED, {"failures": 2})
        start = timezone.now()
        assert run_due(10, now=start) == 1
        job.refresh_from_db()
        first_wait = seconds(job.next_attempt_at - start)
        assert job.status == Job.Status.PENDING and job.last_error == "the service said no"
        assert 30 <= first_wait <= 61, first_wait
        # Not due before its time: the worker passes it over.
        assert run_due(10, now=start + datetime.timedelta(seconds=29)) == 0

        second_start = job.next_attempt_at
        assert run_due(10, now=second_start) == 1
        job.refresh_from_db()
        second_wait = seconds(job.next_attempt_at - second_start)
        assert job.status == Job.Status.PENDING and 60 <= second_wait <= 121, second_wait

        assert run_due(10, now=job.next_attempt_at) == 1
        job.refresh_from_db()
        assert job.status == Job.Status.DONE and job.attempts == 3 and job.last_error == ""
        log = list(job.log.values_list("number", "outcome", "status_code"))
        assert log == [(1, "failed", 503), (2, "failed", 503), (3, "succeeded", 200)]

    def test_a_job_that_keeps_failing_is_marked_failed_after_the_maximum_attempts(self) -> None:
        job = enqueue(SCRIPTED, {"failures": 99})
        now = timezone.now()
        for _ in range(3):
            assert run_due(10, now=now) == 1
            job.refresh_from_db()
            now = job.next_attempt_at
        assert job.status == Job.Status.FAILED and job.attempts == 3 and job.finished_at is not None
        assert job.last_error == "the service said no"
        assert run_due(10, now=now + datetime.timedelta(days=30)) == 0
        assert list(job.log.values_list("outcome", flat=True)) == ["failed"] * 3

    def test_a_permanent_failure_is_not_retried(self) -> None:
        job = enqueue(SCRIPTED, {"failures": 1, "permanent": True})
        assert run_due(10) == 1
        job.refresh_from_db()
        assert job.status == Job.Status.FAILED and job.attempts == 1

    def test_a_bug_in_a_handler_is_logged_with_its_type_and_retried(self) -> None:
        job = enqueue(SCRIPTED, {"failures": 1, "bug": True})
        with self.assertLogs("cop.outbox.runner", "ERROR") as logs:
            assert run_due(10) == 1
        assert "Traceback" in logs.output[0]
        job.refresh_from_db()
        assert job.status == Job.Status.PENDING and job.last_error == "KeyError: 'a bug in the handler'"
        assert run_due(10, now=job.next_attempt_at) == 1
        job.refresh_from_db()
        assert job.status == Job.Status.DONE

    def test_jobs_of_a_kind_this_worker_cannot_run_are_left_for_one_that_can(self) -> None:
        job = Job.objects.create(kind="some-other-app.job")
        assert run_due(10) == 0
        job.refresh_from_db()
        assert job.status == Job.Status.PENDING and job.attempts == 0

    def test_a_job_whose_worker_died_is_taken_up_when_the_lease_runs_out(self) -> None:
        now = timezone.now()
        # The state a worker leaves behind when it is killed in the middle of a job.
        job = Job.objects.create(
            kind=SCRIPTED,
            attempts=1,
            lease_token="dead-worker",
            next_attempt_at=now + datetime.timedelta(minutes=5),
        )
        Attempt.objects.create(job=job, number=1, started_at=now)
        assert run_due(10, now=now + datetime.timedelta(minutes=4)) == 0
        assert run_due(10, now=now + datetime.timedelta(minutes=5)) == 1
        job.refresh_from_db()
        assert job.status == Job.Status.DONE and job.attempts == 2
        log = list(job.log.values_list("number", "outcome", "error"))
        assert log == [(1, "interrupted", INTERRUPTED_ERROR), (2, "succeeded", "")]

    def test_a_result_that_comes_after_the_job_was_cancelled_is_logged_but_changes_nothing(self) -> None:
        job = enqueue("outbox-test.cancel-itself")
        with self.assertLogs("cop.outbox.runner", "WARNING"):
            assert run_due(10) == 1
        job.refresh_from_db()
        assert job.status == Job.Status.FAILED and job.last_error == "cancelled while running"
        assert job.log.get().outcome == Attempt.Outcome.SUCCEEDED


class BackoffTestCase(TestCase):
    @override_settings(OUTBOX_BACKOFF_SECONDS=10, OUTBOX_BACKOFF_MAX_SECONDS=100)
    def test_the_delay_doubles_after_each_failure_up_to_the_cap_with_jitter(self) -> None:
        for failures, ceiling in [(1, 10), (2, 20), (3, 40), (4, 80), (5, 100), (50, 100)]:
            delays = [seconds(backoff(failures)) for _ in range(200)]
            assert all(ceiling / 2 <= d <= ceiling for d in delays), (failures, min(delays), max(delays))
            # Jitter: retries of jobs that failed together spread out.
            assert len({round(d, 3) for d in delays}) > 100

    @override_settings(OUTBOX_MAX_ATTEMPTS="many")
    def test_a_setting_that_is_not_a_number_is_named_in_the_error(self) -> None:
        enqueue(SCRIPTED, {"failures": 1})
        with pytest.raises(ValueError, match="OUTBOX_MAX_ATTEMPTS"):
            run_due(1)


@pytest.mark.django_db(transaction=True)
def test_a_job_another_worker_is_claiming_is_passed_over_for_the_next_one() -> None:
    handlers.calls.clear()
    first, second = enqueue(SCRIPTED, {"n": 1}), enqueue(SCRIPTED, {"n": 2})
    if connection.features.has_select_for_update_skip_locked:
        # PostgreSQL: the other worker holds the row lock of the first job, on its own connection.
        other = connections.create_connection("default")
        try:
            other.set_autocommit(False)
            with other.cursor() as cursor:
                cursor.execute("SELECT id FROM outbox_job WHERE id = %s FOR UPDATE", [first.pk])
            assert run_due(1) == 1
        finally:
            other.rollback()
            other.close()
        first.refresh_from_db()
        assert first.attempts == 0 and first.status == Job.Status.PENDING
    else:
        # SQLite: the other worker claims the first job between this worker's look and its UPDATE
        # (the first UPDATE of a job this worker makes is its claim of the oldest due job).
        fired: list[bool] = []

        def other_worker_claims_first(execute: Callable[..., Any], sql: str, params: Any, *args: Any) -> Any:
            if not fired and sql.startswith('UPDATE "outbox_job"'):
                fired.append(True)
                with connection.cursor() as cursor:
                    cursor.execute(
                        "UPDATE outbox_job SET lease_token = 'other', attempts = 1, next_attempt_at = %s"
                        " WHERE id = %s",
                        [timezone.now() + datetime.timedelta(minutes=5), first.pk],
                    )
            return execute(sql, params, *args)

        with connection.execute_wrapper(other_worker_claims_first):
            assert run_due(1) == 1
        assert fired
        first.refresh_from_db()
        assert first.lease_token == "other" and first.log.count() == 0
    assert handlers.calls == [second.pk]
    second.refresh_from_db()
    assert second.status == Job.Status.DONE
