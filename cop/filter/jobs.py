"""Background work of the filter, run by `cop run_worker`: list imports and scheduled refreshes."""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cop.core.errors import stored_message
from cop.filter.importing import new_version, read_file, read_url
from cop.filter.models import FilterList, ListVersion
from cop.outbox.models import Job
from cop.outbox.queue import enqueue
from cop.outbox.registry import JobFailed, Result, handler

log = logging.getLogger(__name__)
IMPORT = "filter.import_list"
REFRESH = "filter.refresh_list"


def upload_path(version: ListVersion) -> Path:
    directory = settings.FILTER_DATA_DIR / "uploads"
    directory.mkdir(parents=True, exist_ok=True)
    return directory / f"{version.pk}.upload"


def queue_import(version: ListVersion, url: str = "") -> None:
    """Import into `version` in the background: from its uploaded file, or from `url`."""
    enqueue(IMPORT, {"version": version.pk, "url": url}, dedupe_key=f"{IMPORT}:{version.pk}")


def import_upload(filter_list: FilterList, name: str, chunks: Iterable[bytes]) -> ListVersion:
    """Keep an uploaded list file and queue its import: the version exists only if both do."""
    with transaction.atomic():
        version = new_version(filter_list, name)
        with open(upload_path(version), "wb") as out:
            for chunk in chunks:
                out.write(chunk)
        queue_import(version)
    return version


def import_from_address(filter_list: FilterList) -> ListVersion:
    with transaction.atomic():
        version = new_version(filter_list, filter_list.url)
        queue_import(version, url=filter_list.url)
    return version


def schedule_refresh(filter_list: FilterList, now: datetime.datetime | None = None) -> None:
    """Queue the next refresh of a list that has an address, `refresh_hours` from now."""
    if not filter_list.url or not filter_list.enabled:
        return
    due = (now or timezone.now()) + datetime.timedelta(hours=filter_list.refresh_hours or 24)
    key = f"{REFRESH}:{filter_list.pk}:{due:%Y%m%d%H}"
    with transaction.atomic():
        job = enqueue(REFRESH, {"list": filter_list.pk}, dedupe_key=key)
        Job.objects.filter(pk=job.pk, status=Job.Status.PENDING).update(next_attempt_at=due)


@handler(IMPORT)
def run_import(job: Job) -> Result:
    version = ListVersion.objects.select_related("filter_list").filter(pk=job.payload["version"]).first()
    if version is None:
        raise JobFailed("the list version no longer exists", permanent=True)
    if version.status != ListVersion.Status.IMPORTING:
        # Done by an earlier attempt whose worker stopped after the work, perhaps before this.
        upload_path(version).unlink(missing_ok=True)
        return Result()
    url = job.payload.get("url") or ""
    if url:
        read_url(version, url)
    else:
        path = upload_path(version)
        if not path.exists():
            version.status = ListVersion.Status.FAILED
            version.error = stored_message(gettext_lazy("The uploaded file is missing."))
            version.save()
            raise JobFailed("the uploaded file is missing", permanent=True)
        read_file(version, path)
        path.unlink()
    return Result()


@handler(REFRESH)
def run_refresh(job: Job) -> Result:
    filter_list = FilterList.objects.filter(pk=job.payload["list"]).first()
    if filter_list is None or not filter_list.url or not filter_list.enabled:
        return Result()
    # A job run again after its worker stopped (the outbox re-runs it when the lease ends) goes on
    # with the version its first attempt began, rather than leave that one importing for ever.
    version = ListVersion.objects.filter(pk=job.payload.get("version"), filter_list=filter_list).first()
    if version is None:
        with transaction.atomic():
            version = new_version(filter_list, filter_list.url)
            Job.objects.filter(pk=job.pk).update(payload={**job.payload, "version": version.pk})
    if version.status == ListVersion.Status.IMPORTING:
        version = read_url(version, filter_list.url)
    log.info("list %s refreshed: version %s %s", filter_list.name, version.number, version.status)
    # Counted on the runner's clock when it is ahead of this machine's (the attempt's lease was set from
    # it, as when tests move time forward): the next refresh then falls after this one, in a new slot,
    # rather than in this job's own hour where the deduplication would take it for this job.
    schedule_refresh(filter_list, max(timezone.now(), job.next_attempt_at))
    return Result()
