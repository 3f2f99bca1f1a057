"""Queuing jobs: only with the caller's write, once per dedupe key, and cancelling them."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import TestCase

from cop.outbox.models import Job
from cop.outbox.queue import cancel, enqueue
from cop.outbox.runner import run_due
from cop.outbox.tests import handlers


class Boom(Exception):
    pass


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_transaction_enqueues_nothing() -> None:
    with pytest.raises(Boom), transaction.atomic():
        enqueue("outbox-test.scripted", {"n": 1})
        assert Job.objects.count() == 1
        raise Boom
    assert Job.objects.count() == 0
    assert run_due(10) == 0


class QueueTestCase(TestCase):
    def test_the_same_dedupe_key_gives_back_the_job_already_queued(self) -> None:
        first = enqueue("outbox-test.scripted", {"n": 1}, dedupe_key="alert-1-sub-2")
        again = enqueue("outbox-test.scripted", {"n": 1}, dedupe_key="alert-1-sub-2")
        other = enqueue("outbox-test.scripted", {"n": 1}, dedupe_key="alert-1-sub-3")
        assert again.pk == first.pk and other.pk != first.pk
        assert Job.objects.count() == 2

    def test_a_duplicate_dedupe_key_leaves_the_callers_transaction_usable(self) -> None:
        with transaction.atomic():
            enqueue("outbox-test.scripted", dedupe_key="once")
            enqueue("outbox-test.scripted", dedupe_key="once")
            enqueue("outbox-test.scripted", {"after": True})
        assert Job.objects.count() == 2

    def test_jobs_without_a_dedupe_key_are_never_merged(self) -> None:
        enqueue("outbox-test.scripted")
        enqueue("outbox-test.scripted", dedupe_key=None)
        enqueue("outbox-test.scripted", dedupe_key="")
        assert Job.objects.count() == 3

    def test_a_dedupe_key_taken_by_another_kind_is_refused(self) -> None:
        enqueue("outbox-test.scripted", dedupe_key="shared")
        with pytest.raises(ValueError, match="taken by a job of kind"):
            enqueue("outbox-test.cancel-itself", dedupe_key="shared")

    def test_a_kind_without_a_handler_is_refused_at_once(self) -> None:
        with pytest.raises(ValueError, match="no handler"):
            enqueue("outbox-test.nobody-handles-this")
        assert not Job.objects.exists()

    def test_a_payload_that_is_not_json_is_refused_at_once(self) -> None:
        with pytest.raises(TypeError):
            enqueue("outbox-test.scripted", {"when": object()})
        assert not Job.objects.exists()

    def test_a_cancelled_job_is_marked_failed_with_the_reason_and_never_runs(self) -> None:
        job = enqueue("outbox-test.scripted")
        done = enqueue("outbox-test.scripted")
        Job.objects.filter(pk=done.pk).update(status=Job.Status.DONE)
        assert cancel([job.pk, done.pk], "the subscription was removed") == 1
        job.refresh_from_db()
        assert job.status == Job.Status.FAILED and job.last_error == "the subscription was removed"
        assert job.finished_at is not None
        handlers.calls.clear()
        assert run_due(10) == 0 and handlers.calls == []
        assert Job.objects.get(pk=done.pk).status == Job.Status.DONE
