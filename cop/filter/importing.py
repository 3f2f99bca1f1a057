"""Importing a block list from a file or an address into a new version of a FilterList.

Good lines are kept and bad ones reported with their line numbers. A version in which nothing
could be understood (an HTML error page, a wrong file) is rejected and the previous version stays
in force; otherwise the new version replaces it and a snapshot is compiled.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import os
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import IO

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy

from cop.core.errors import stored_message
from cop.core.fetch import FetchError, Limits, fetch
from cop.filter import compiler
from cop.filter.categories import ILLEGAL
from cop.filter.lists import ParsedList, parse
from cop.filter.models import FilterList, ListVersion

MAX_DOWNLOAD = 256 * 1024 * 1024
MAX_PROBLEMS_KEPT = 1000
HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
Progress = Callable[[int, int], None]  # (bytes read, bytes in all or 0 when unknown)


class _Counting(io.RawIOBase):
    """Counts the bytes read from a binary stream so progress can be shown as a share of the size."""

    def __init__(self, raw: IO[bytes], report: Callable[[int], None]) -> None:
        self._raw = raw
        self._report = report
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        chunk = self._raw.read(len(buffer))
        buffer[: len(chunk)] = chunk
        self.read_bytes += len(chunk)
        self._report(self.read_bytes)
        return len(chunk)


def _lines(binary: io.RawIOBase) -> Iterator[str]:
    # Lists are ASCII or UTF-8 (IDN written as Unicode); a stray byte spoils one line, not the import.
    yield from io.TextIOWrapper(io.BufferedReader(binary, 1 << 16), encoding="utf-8", errors="replace")


def new_version(filter_list: FilterList, origin: str) -> ListVersion:
    with transaction.atomic():
        top = ListVersion.objects.filter(filter_list=filter_list).aggregate(top=Max("number"))["top"] or 0
        return ListVersion.objects.create(filter_list=filter_list, number=top + 1, origin=origin[:500])


def _parse(version: ListVersion, lines: Iterable[str]) -> ParsedList:
    """Read a version's lines; an illegal-content list accepts no exception (each is a reported problem)."""
    return parse(lines, exceptions=version.filter_list.category != ILLEGAL)


def _store(version: ListVersion, parsed: ParsedList) -> str:
    """Write the rules, one line each (`rules.Rule.line`), sorted, and return the digest of the lines."""
    path = compiler.version_file(version)
    partial = path.with_suffix(".partial")
    digest = hashlib.sha256()
    with gzip.open(partial, "wt", encoding="ascii", compresslevel=3) as out:
        for text in parsed.lines_to_store():
            line = text + "\n"
            digest.update(line.encode("ascii"))
            out.write(line)
    os.replace(partial, path)
    return digest.hexdigest()


def _finish(version: ListVersion, parsed: ParsedList) -> ListVersion:
    version.lines = parsed.lines
    version.blocked = parsed.blocked
    version.allowed = parsed.allowed
    version.not_dns = parsed.not_dns
    version.problem_count = len(parsed.problems)
    version.problems = [
        {"line": p.line, "text": p.text, "reason": p.reason, "params": p.params}
        for p in parsed.problems[:MAX_PROBLEMS_KEPT]
    ]
    version.finished_at = timezone.now()
    if not parsed.usable:
        version.status = ListVersion.Status.REJECTED
        version.error = stored_message(
            gettext_lazy(
                "Nothing in this file could be read as a block list; the previous version stays in force."
            )
        )
        version.save()
        return version
    version.sha256 = _store(version, parsed)
    with transaction.atomic():
        ListVersion.objects.filter(filter_list=version.filter_list, status=ListVersion.Status.ACTIVE).update(
            status=ListVersion.Status.SUPERSEDED
        )
        version.status = ListVersion.Status.ACTIVE
        version.save()  # compiles a snapshot on commit (signals.py)
    return version


def _progress_saver(version: ListVersion, total: int, progress: Progress | None) -> Callable[[int], None]:
    last = [0.0]

    def report(read: int) -> None:
        if progress is not None:
            progress(read, total)
        now = timezone.now().timestamp()
        if now - last[0] >= 0.5:  # the page polls; a database write per block would slow the import
            last[0] = now
            # update(), not save(): progress is not a policy change and must not compile a snapshot.
            ListVersion.objects.filter(pk=version.pk).update(bytes_read=read, bytes_total=total)

    return report


def import_file(filter_list: FilterList, path: Path, progress: Progress | None = None) -> ListVersion:
    return read_file(new_version(filter_list, path.name), path, progress)


def read_file(version: ListVersion, path: Path, progress: Progress | None = None) -> ListVersion:
    """Fill `version` from a file: the import proper, also run by the background job of an upload."""
    total = path.stat().st_size
    with open(path, "rb") as raw:
        counting = _Counting(raw, _progress_saver(version, total, progress))
        parsed = _parse(version, _lines(counting))
    version.bytes_read = version.bytes_total = total
    return _finish(version, parsed)


def download_limits() -> Limits:
    return Limits(max_bytes=MAX_DOWNLOAD, deadline_seconds=settings.FILTER_DOWNLOAD_SECONDS)


def import_url(
    filter_list: FilterList, url: str, progress: Progress | None = None, limits: Limits | None = None
) -> ListVersion:
    return read_url(new_version(filter_list, url), url, progress, limits)


def read_url(
    version: ListVersion, url: str, progress: Progress | None = None, limits: Limits | None = None
) -> ListVersion:
    """Fill `version` from an address; a failed download fails the version, never the active one.

    The download goes through cop.core.fetch: public addresses only, every redirect checked, one
    deadline and a size limit counted after decompression. Progress counts the bytes as they
    arrive against the declared length, both as sent (compressed or not).
    """
    read = total = 0
    try:
        with fetch(url, limits or download_limits(), headers={"Accept": "text/plain, */*;q=0.5"}) as download:
            if download.content_type in HTML_TYPES:
                # An error or sign-in page served with 200 must not replace a list, even if a line of it
                # happens to read as a name.
                raise FetchError("html", gettext_lazy("The address gave a web page, not a list."))
            total = download.declared_length or 0
            report = _progress_saver(version, total, progress)

            def lines() -> Iterator[str]:
                nonlocal read
                pending = b""
                for chunk in download.chunks():
                    read = download.wire_bytes
                    report(read)
                    pending += chunk
                    *complete, pending = pending.split(b"\n")
                    for line in complete:
                        yield line.decode("utf-8", errors="replace")
                if pending:
                    yield pending.decode("utf-8", errors="replace")

            parsed = _parse(version, lines())
    except FetchError as problem:
        version.status = ListVersion.Status.FAILED
        version.error = problem.stored()
        version.finished_at = timezone.now()
        version.save()
        return version
    version.bytes_read, version.bytes_total = read, total or read
    return _finish(version, parsed)
