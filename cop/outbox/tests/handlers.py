"""Job handlers used by the outbox tests; each does real work on its payload, nothing is faked."""

from __future__ import annotations

import os
import signal

from cop.outbox.models import Job
from cop.outbox.queue import cancel
from cop.outbox.registry import JobFailed, Result, handler

# Job ids in the order their handler ran.
calls: list[int] = []


@handler("outbox-test.scripted")
def scripted(job: Job) -> Result:
    """Fails the first `failures` attempts (a bug if `bug`, for good if `permanent`), then succeeds."""
    calls.append(job.pk)
    if job.attempts <= job.payload.get("failures", 0):
        if job.payload.get("bug"):
            raise KeyError("a bug in the handler")
        raise JobFailed("the service said no", status_code=503, permanent=job.payload.get("permanent", False))
    return Result(status_code=200)


@handler("outbox-test.cancel-itself")
def cancel_itself(job: Job) -> None:
    calls.append(job.pk)
    cancel([job.pk], "cancelled while running")


@handler("outbox-test.stop-worker")
def stop_worker(job: Job) -> None:
    """Asks its own worker process to stop, as an operator's `kill` would, in the middle of the job."""
    calls.append(job.pk)
    os.kill(os.getpid(), signal.SIGTERM)
