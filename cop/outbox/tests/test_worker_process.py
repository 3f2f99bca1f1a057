"""`cop run_worker` as real processes sharing the test database: several jobs at once, leases
renewed while a job runs, a quick stop on SIGTERM, and a killed worker's job taken up again.

On SQLite the test database (in memory) is copied to a file the workers open, with the platform's
own SQLite settings (WAL, busy timeout); on PostgreSQL they connect to the test database itself.
The jobs mark their start and end in files, with the process id, so overlaps can be measured.
"""

from __future__ import annotations

import datetime
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from cop.outbox.models import Job
from cop.outbox.queue import enqueue
from cop.outbox.tests import handlers  # noqa: F401 - registers the test job kinds

ROOT = Path(settings.BASE_DIR)
LEASE_SECONDS = 1
LATER = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)


@dataclass
class SharedOutbox:
    """The database the worker processes and the test share."""

    directory: Path

    @property
    def sqlite_file(self) -> Path:
        return self.directory / "cop.sqlite3"

    def share(self) -> None:
        """Make what the test wrote so far visible to worker processes."""
        if connection.vendor == "sqlite":
            connection.ensure_connection()
            target = sqlite3.connect(self.sqlite_file)
            connection.connection.backup(target)
            target.close()

    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "COP_DATA_DIR": str(self.directory),
            "COP_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
        }
        if connection.vendor == "sqlite":
            env.pop("COP_DATABASE_URL", None)
        else:
            db = connection.settings_dict
            env["COP_DATABASE_URL"] = (
                f"postgres://{quote(db['USER'])}:{quote(str(db['PASSWORD']))}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
            )
        return env

    def execute(self, sql: str, parameters: list[Any]) -> list[tuple[Any, ...]]:
        if connection.vendor == "sqlite":
            with sqlite3.connect(self.sqlite_file, timeout=20) as db:
                return db.execute(sql.replace("%s", "?"), parameters).fetchall()
        with connection.cursor() as cursor:
            cursor.execute(sql, parameters)
            return cursor.fetchall() if cursor.description else []

    def make_due(self, pk: int | None = None) -> None:
        """Make one job, or all, due now (they were queued for later, so no worker took them early)."""
        now = timezone.now()
        # Django keeps SQLite's times as UTC text in this form.
        value = now.strftime("%Y-%m-%d %H:%M:%S.%f") if connection.vendor == "sqlite" else now
        which = "" if pk is None else f" WHERE id = {int(pk)}"
        self.execute(f"UPDATE outbox_job SET next_attempt_at = %s{which}", [value])  # noqa: S608 - a number

    def job(self, pk: int) -> tuple[str, int]:
        [(status, attempts)] = self.execute("SELECT status, attempts FROM outbox_job WHERE id = %s", [pk])
        return status, attempts

    def log(self, pk: int) -> list[str]:
        rows = self.execute("SELECT outcome FROM outbox_attempt WHERE job_id = %s ORDER BY number", [pk])
        return [outcome for (outcome,) in rows]


@dataclass(frozen=True)
class Mark:
    job: int
    attempt: int
    pid: int
    start: float
    end: float | None


def marks(directory: Path) -> list[Mark]:
    found = []
    for path in directory.glob("*.start"):
        job, attempt, pid = (int(number) for number in re.findall(r"\d+", path.stem))
        end = path.with_suffix(".end")
        found.append(
            Mark(job, attempt, pid, float(path.read_text()), float(end.read_text()) if end.exists() else None)
        )
    return found


def wait_for(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.05)


@pytest.fixture
def shared(transactional_db: None, tmp_path: Path) -> SharedOutbox:
    return SharedOutbox(tmp_path)


@pytest.fixture
def start_workers(shared: SharedOutbox) -> Iterator[Callable[..., list[subprocess.Popen[str]]]]:
    started: list[subprocess.Popen[str]] = []

    def start(count: int, *arguments: str) -> list[subprocess.Popen[str]]:
        processes = [
            subprocess.Popen(  # noqa: S603 - this interpreter, a module of the tests
                [sys.executable, "-m", "cop.outbox.tests.worker_process", "--interval", "0.1", *arguments],
                cwd=ROOT,
                env=shared.env(),
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            for _n in range(count)
        ]
        started.extend(processes)
        for process in processes:
            assert process.stdout is not None
            line = process.stdout.readline()  # Django starts in a second or two; the first line says so
            assert line.startswith("Worker started"), line + process.stdout.read()
        return processes

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.wait()
        if process.stdout is not None:
            process.stdout.close()


def most_at_once(spans: list[Mark]) -> int:
    events = sorted([(m.start, 1) for m in spans] + [(m.end or m.start, -1) for m in spans])
    running = most = 0
    for _moment, change in events:
        running += change
        most = max(most, running)
    return most


def test_a_worker_runs_as_many_jobs_at_once_as_its_concurrency_and_no_more(
    shared: SharedOutbox, start_workers: Callable[..., list[subprocess.Popen[str]]], tmp_path: Path
) -> None:
    jobs = [enqueue("outbox-test.hold", {"marks": str(tmp_path), "first": 1}) for _n in range(3)]
    shared.share()
    start_workers(1, "--concurrency", "2")
    wait_for(lambda: all(shared.job(job.pk) == ("done", 1) for job in jobs), 20, "all jobs done")
    # Two ran side by side; the third waited for a free slot.
    assert most_at_once(marks(tmp_path)) == 2


def test_leases_are_renewed_sigterm_stops_a_worker_at_once_and_a_killed_workers_job_runs_again(
    shared: SharedOutbox, start_workers: Callable[..., list[subprocess.Popen[str]]], tmp_path: Path
) -> None:
    # Each job would hold its worker for a minute on its first attempt, and ends at once on the next.
    stopped = enqueue("outbox-test.hold", {"marks": str(tmp_path), "first": 60})
    killed = enqueue("outbox-test.hold", {"marks": str(tmp_path), "first": 60})
    Job.objects.update(next_attempt_at=LATER)
    shared.share()
    workers = {worker.pid: worker for worker in start_workers(3, "--concurrency", "1")}

    def run_first_attempt(job: Job, hold: float = 0) -> subprocess.Popen[str]:
        """Make `job` due, and return the worker that took it once it has run `hold` seconds."""
        shared.make_due(job.pk)
        wait_for(lambda: any(m.job == job.pk for m in marks(tmp_path)), 10, f"job {job.pk} started")
        time.sleep(hold)
        [first] = [m for m in marks(tmp_path) if m.job == job.pk]
        assert shared.job(job.pk) == ("pending", 1)
        return workers.pop(first.pid)

    # Held for three leases, renewed all along: the two idle workers never take it over.
    holder = run_first_attempt(stopped, hold=3 * LEASE_SECONDS)
    signalled = time.monotonic()
    holder.send_signal(signal.SIGTERM)
    holder.wait(timeout=10)
    # It stopped within seconds, though its job had a minute to go; it said what it left.
    assert time.monotonic() - signalled < 5
    assert holder.returncode == 0
    assert holder.stdout is not None and "left to run again" in holder.stdout.read()
    wait_for(lambda: shared.job(stopped.pk) == ("done", 2), LEASE_SECONDS + 5, "the stopped job re-run")
    assert shared.log(stopped.pk) == ["interrupted", "succeeded"]

    holder = run_first_attempt(killed)
    holder.kill()
    killed_at = time.monotonic()
    wait_for(lambda: shared.job(killed.pk) == ("done", 2), LEASE_SECONDS + 5, "the killed job re-run")
    assert time.monotonic() - killed_at < LEASE_SECONDS + 2
    assert shared.log(killed.pk) == ["interrupted", "succeeded"]
