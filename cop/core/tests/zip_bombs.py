"""Archives for the tests, written byte by byte so that a member's header can say anything.

A bomb is made in the test that uses it, never stored: zeros deflate about a thousand to one, and
after a full flush the compressor forgets what came before, so one compressed megabyte of zeros
repeated is a valid deflate stream of as many megabytes, built in a fraction of a second.
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

MIB = 1024 * 1024
DEFLATED = 8
STORED = 0
BZIP2 = 12


@dataclass(frozen=True)
class Member:
    name: str
    data: bytes  # as stored in the archive (compressed already unless `method` is STORED)
    crc: int
    size: int  # what the headers claim it unpacks to
    method: int = STORED


def stored(name: str, text: bytes) -> Member:
    return Member(name, text, zlib.crc32(text), len(text))


def deflated_zeros(name: str, mebibytes: int) -> Member:
    """A member that inflates to `mebibytes` MiB of zeros, with its true size and checksum."""
    zeros = bytes(MIB)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    piece = compressor.compress(zeros) + compressor.flush(zlib.Z_FULL_FLUSH)
    data = piece * mebibytes + compressor.flush()
    crc = 0
    for _n in range(mebibytes):
        crc = zlib.crc32(zeros, crc)
    return Member(name, data, crc, mebibytes * MIB, DEFLATED)


def archive(*members: Member) -> bytes:
    """A ZIP file of `members`: local headers and data, then the central directory."""
    body = b""
    directory = b""
    for member in members:
        name = member.name.encode()
        fields = (20, 0, member.method, 0, 0x21, member.crc, len(member.data), member.size, len(name), 0)
        directory += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, *fields, 0, 0, 0, 0, len(body)) + name
        body += struct.pack("<IHHHHHIIIHH", 0x04034B50, *fields) + name + member.data
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), len(body), 0)
    return body + directory + end


def docx_bomb(mebibytes: int = 512) -> bytes:
    """A Word document whose `mimetype` member inflates to `mebibytes` MiB."""
    return archive(
        stored("[Content_Types].xml", b"<Types/>"),
        stored("word/document.xml", b"<document/>"),
        deflated_zeros("mimetype", mebibytes),
    )
