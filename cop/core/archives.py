"""The platform's one way to look inside an uploaded archive, within bounds.

Office and OpenDocument files (DOCX, XLSX, PPTX, ODT, ODS, ODP) and EPUB books are ZIP archives.
A ZIP member can unpack to a thousand times its packed size with deflate, and to millions of times
with bzip2, so an upload of a few hundred bytes could make a web worker write gigabytes into memory.
Everything that opens an uploaded archive goes through `open_zip`, which:

- refuses, before reading any member, an archive with too many members, a member that claims to
  unpack to more than `max_ratio` times its packed size (above a small floor: short text compresses
  well), or members that together claim more than `max_total_bytes`;
- accepts only the two methods documents use, stored and deflate: the standard library decompresses
  bzip2 and LZMA members in one unbounded step, which no later check could stop;
- reads a member in small pieces and stops as soon as it passes the caller's limit, so what a
  member's header claims is never trusted alone.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import IO

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

READ_SIZE = 64 * 1024
# Methods real documents use; anything else is refused rather than decompressed.
METHODS = frozenset({zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED})


class ArchiveRefused(Exception):
    """An archive refused or unreadable: `code` for programs, the message (translated) for people.

    Codes: damaged, members, method, ratio, too-large, missing.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int = 10_000
    # Every member together, as their headers claim.
    max_total_bytes: int = 1024 * 1024 * 1024
    # Unpacked size over packed size; real documents stay far below it (XML packs about 10 to 1).
    max_ratio: int = 100
    # Members smaller than this unpacked are not held to the ratio.
    ratio_floor_bytes: int = 1024 * 1024


def _too_large(name: str, limit: int) -> ArchiveRefused:
    return ArchiveRefused(
        "too-large",
        _("The file is refused: its part %(name)s unpacks to more than %(limit)s.")
        % {"name": name, "limit": filesizeformat(limit)},
    )


class Archive:
    """An open ZIP archive whose members can be listed and read within limits."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive

    def names(self) -> set[str]:
        return set(self._archive.namelist())

    def read(self, name: str, max_bytes: int) -> bytes:
        """The member `name` unpacked, or ArchiveRefused as soon as it passes `max_bytes`."""
        try:
            info = self._archive.getinfo(name)
        except KeyError:
            raise ArchiveRefused(
                "missing", _("The file is damaged: its part %(name)s is missing.") % {"name": name}
            ) from None
        if info.file_size > max_bytes:
            raise _too_large(name, max_bytes)
        pieces: list[bytes] = []
        size = 0
        try:
            with self._archive.open(info) as member:
                while piece := member.read(READ_SIZE):
                    size += len(piece)
                    if size > max_bytes:
                        raise _too_large(name, max_bytes)
                    pieces.append(piece)
        # RuntimeError: an encrypted member, which no document needs.
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError, RuntimeError):
            raise _damaged() from None
        return b"".join(pieces)


def _damaged() -> ArchiveRefused:
    return ArchiveRefused("damaged", _("The file is damaged and cannot be read as a document."))


def _check(archive: zipfile.ZipFile, limits: ArchiveLimits) -> None:
    members = archive.infolist()
    if len(members) > limits.max_members:
        raise ArchiveRefused(
            "members",
            _("The file is refused: it holds more than %(count)s parts.") % {"count": limits.max_members},
        )
    total = 0
    for info in members:
        if info.compress_type not in METHODS:
            raise ArchiveRefused(
                "method",
                _("The file is refused: its part %(name)s is packed in a way documents do not use.")
                % {"name": info.filename},
            )
        if info.file_size > limits.ratio_floor_bytes and info.file_size > limits.max_ratio * max(
            info.compress_size, 1
        ):
            raise ArchiveRefused(
                "ratio",
                _(
                    "The file is refused: its part %(name)s would unpack from %(packed)s to "
                    "%(unpacked)s, far more than any document."
                )
                % {
                    "name": info.filename,
                    "packed": filesizeformat(info.compress_size),
                    "unpacked": filesizeformat(info.file_size),
                },
            )
        total += info.file_size
        if total > limits.max_total_bytes:
            raise ArchiveRefused(
                "too-large",
                _("The file is refused: it unpacks to more than %(limit)s.")
                % {"limit": filesizeformat(limits.max_total_bytes)},
            )


@contextmanager
def open_zip(handle: IO[bytes], limits: ArchiveLimits | None = None) -> Iterator[Archive]:
    """Open the ZIP archive in `handle` once its table of contents passes `limits`.

    Raises ArchiveRefused when it does not, or when the file is not a readable ZIP archive.
    """
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError):
        raise _damaged() from None
    with archive:
        _check(archive, limits or ArchiveLimits())
        yield Archive(archive)
