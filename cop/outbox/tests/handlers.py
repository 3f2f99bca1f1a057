"""Job handlers used by the outbox tests; each does real work on its payload, nothing is faked."""

from __future__ import annotations

import os
import time
from pathlib import Path

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


@handler("outbox-test.hold")
def hold(job: Job) -> None:
    """Marks its start and end in the folder `marks`, holding `first` seconds on its first attempt
    and `seconds` on later ones: what the worker-process tests watch from outside."""
    marks = Path(job.payload["marks"])
    seconds = job.payload.get("first", 0) if job.attempts == 1 else job.payload.get("seconds", 0)
    name = f"job{job.pk}-attempt{job.attempts}-pid{os.getpid()}"
    (marks / f"{name}.start").write_text(repr(time.time()))
    time.sleep(seconds)
    (marks / f"{name}.end").write_text(repr(time.time()))
