"""Compiling the database into a snapshot that resolvers load (format: `snapshot.py`).

The list table is rebuilt only when the set of active list versions changes; a parent's edit
writes a new small policy file that points at the same table. Saves do not compile: they queue
one outbox job (`compile_soon`) that `cop run_worker` runs, and retries if it fails. Compilations
are serialised by a file lock, so two workers (or a worker and a command) produce two versions in
order, not a torn one.
"""

from __future__ import annotations

import fcntl
import functools
import gzip
import hashlib
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from cop.filter import snapshot
from cop.filter.categories import CATEGORIES, CHOOSABLE_CODES, ILLEGAL
from cop.filter.marks import Source, compile_lists
from cop.filter.models import (
    Device,
    ListVersion,
    LocalRecord,
    PolicyVersion,
    Profile,
    YouTubeMode,
)
from cop.filter.rules import Rule
from cop.outbox.models import Job
from cop.outbox.queue import enqueue
from cop.outbox.registry import JobFailed, Result, handler

log = logging.getLogger(__name__)
ORDER = [category.code for category in CATEGORIES]
KEEP_VERSIONS = 5
TABLE_FORMAT = 2  # part of a table's name: a new format never reuses a table of the old one


def snapshot_dir() -> Path:
    path = settings.FILTER_DATA_DIR / "snapshots"
    path.mkdir(parents=True, exist_ok=True)
    return path


def list_dir() -> Path:
    path = settings.FILTER_DATA_DIR / "lists"
    path.mkdir(parents=True, exist_ok=True)
    return path


def version_file(version: ListVersion) -> Path:
    return list_dir() / f"{version.filter_list_id}-{version.number}.txt.gz"


def read_version(version: ListVersion) -> Iterator[Rule]:
    """The rules of an imported version; the first versions' `+name` and `-name` lines read as before."""
    with gzip.open(version_file(version), "rt", encoding="ascii") as source:
        for line in source:
            yield Rule.from_line(line.rstrip("\n"))


@contextmanager
def _locked() -> Iterator[None]:
    with open(snapshot_dir() / "compile.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _active_versions() -> list[ListVersion]:
    return list(
        ListVersion.objects.filter(status=ListVersion.Status.ACTIVE, filter_list__enabled=True)
        .select_related("filter_list")
        .order_by("filter_list_id")
    )


def _table(versions: list[ListVersion]) -> tuple[str, int]:
    """The table file for these list versions, built unless an identical one exists."""
    if not versions:
        return "", 0
    digest = hashlib.sha256(
        json.dumps(
            [TABLE_FORMAT]
            + [[v.filter_list_id, v.number, v.sha256, v.filter_list.category] for v in versions]
        ).encode()
    ).hexdigest()[:20]
    name = f"table-{digest}.bin"
    path = snapshot_dir() / name
    if path.exists():
        return name, sum(v.blocked + v.allowed for v in versions)
    sources = [
        Source(
            bit=1 << ORDER.index(version.filter_list.category),
            read=functools.partial(read_version, version),
            exceptions=version.filter_list.category != ILLEGAL,
            size=version.blocked + version.allowed,
        )
        for version in versions
    ]
    count = compile_lists(sources, path)
    log.info("filter table %s: %d keys from %d lists", name, count, len(versions))
    return name, count


def _epoch(moment: Any) -> float:
    return moment.timestamp() if moment else 0.0


def _profile_document(profile: Profile) -> dict[str, Any]:
    entries = list(profile.entries.all())
    return {
        "id": profile.pk,
        "categories": [code for code in profile.blocked_categories if code != ILLEGAL],
        "allow": [e.name for e in entries if e.action == "allow"],
        "block": [e.name for e in entries if e.action == "block"],
        "windows": [
            {
                "days": schedule.days,
                "start": schedule.start.hour * 60 + schedule.start.minute,
                "end": schedule.end.hour * 60 + schedule.end.minute,
                "everything": schedule.block_everything,
                "categories": schedule.categories,
                "allowed": schedule.allowed,
            }
            for schedule in profile.schedules.all()
        ],
        "paused_until": _epoch(profile.paused_until),
        "log_until": _epoch(profile.query_log_until),
        "nxdomain": profile.block_answer == "nxdomain",
        "safe_search": profile.safe_search,
        "youtube": profile.youtube if profile.youtube in YouTubeMode.values else "off",
        "time_zone": profile.family.time_zone,
    }


def _default_categories() -> list[str]:
    unknown = set(settings.FILTER_DEFAULT_CATEGORIES) - CHOOSABLE_CODES
    if unknown:
        raise ImproperlyConfigured(
            f"COP_FILTER_DEFAULT_CATEGORIES: unknown categories {', '.join(sorted(unknown))}; "
            f"choose from {', '.join(sorted(CHOOSABLE_CODES))}"
        )
    return list(settings.FILTER_DEFAULT_CATEGORIES)


def document(version: int, table_name: str) -> dict[str, Any]:
    profiles = Profile.objects.select_related("family").prefetch_related("entries", "schedules")
    return {
        "version": version,
        "created": timezone.now().isoformat(),
        "table": table_name,
        "categories": ORDER,
        "default": {"categories": _default_categories()},
        "profiles": [_profile_document(profile) for profile in profiles],
        "devices": [
            {"token": device.token, "profile": device.profile_id, "networks": device.networks}
            for device in Device.objects.all()
        ],
        "local": [[r.name, r.type, r.value, r.ttl] for r in LocalRecord.objects.all()],
    }


def _prune(directory: Path) -> None:
    """Keep the last few policy files and the tables they use; a resolver may still be loading one."""
    kept = PolicyVersion.objects.order_by("-number")[:KEEP_VERSIONS]
    keep = {version.file_name for version in kept} | {version.table_name for version in kept}
    keep |= {snapshot.CURRENT, "compile.lock"}
    for path in directory.iterdir():
        if (
            path.name not in keep
            and path.name.startswith(("policy-", "table-"))
            and not path.name.endswith(".partial")
        ):
            path.unlink(missing_ok=True)


def compile_policy() -> PolicyVersion:
    """Write a new snapshot version from the database and make it current."""
    directory = snapshot_dir()
    with _locked():
        table_name, entries = _table(_active_versions())
        with transaction.atomic():
            number = (PolicyVersion.objects.aggregate(top=Max("number"))["top"] or 0) + 1
            name = snapshot.publish(directory, document(number, table_name))
            version = PolicyVersion.objects.create(
                number=number, file_name=name, table_name=table_name, entries=entries
            )
        _prune(directory)
    return version


COMPILE = "filter.compile"
# Saves that fail to join a waiting compilation (it started at that very moment) queue a new one;
# a few tries are more than enough, since a started job never takes the key back.
_ENQUEUE_TRIES = 3


def compile_soon() -> None:
    """Have `cop run_worker` compile a snapshot once the current transaction commits.

    The job is an outbox row written in the caller's transaction: a rollback takes it away, and a
    worker sees it only after the commit, so a parent's save never waits for a compilation. While
    one is waiting, further saves join it (its dedupe key): many saves, one compilation.
    """
    for attempt in range(_ENQUEUE_TRIES):
        try:
            job = enqueue(COMPILE, dedupe_key=COMPILE)
        except IntegrityError:
            # The waiting job gave up its key between our insert and our look-up: it has started.
            if attempt == _ENQUEUE_TRIES - 1:
                raise
            continue
        if transaction.get_connection().in_atomic_block:
            # Hold the job until this transaction ends. A worker passes over a locked job (SKIP
            # LOCKED), and one that claimed it a moment ago waits here before it gives up the key
            # and reads the database, so the compilation this save joined sees the save. SQLite
            # needs no lock: its writers (this transaction, the job's first update) take turns.
            list(Job.objects.select_for_update().filter(pk=job.pk).values_list("pk", flat=True))
        return


@handler(COMPILE)
def run_compilation(job: Job) -> Result:
    # The key goes first, before anything is read: a save that commits from now on queues the next
    # compilation instead of joining this one, which might not see it.
    Job.objects.filter(pk=job.pk).update(dedupe_key="")
    try:
        compile_policy()
    except OSError as error:
        # An unwritable or full snapshot directory: retried with the outbox's backoff.
        raise JobFailed(f"the snapshot could not be written: {error}") from None
    return Result()
