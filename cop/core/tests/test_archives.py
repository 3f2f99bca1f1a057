"""Reading uploaded archives within bounds: bombs are refused quickly, in little memory, with a reason."""

from __future__ import annotations

import io
import time
import tracemalloc
import zipfile

import pytest

from cop.core.archives import ArchiveLimits, ArchiveRefused, open_zip
from cop.core.tests.zip_bombs import BZIP2, MIB, Member, archive, deflated_zeros, docx_bomb, stored
from cop.guidance.validators import detect_document_type


def refusal(
    data: bytes, limits: ArchiveLimits | None = None, read: str = "", cap: int = MIB
) -> ArchiveRefused:
    with pytest.raises(ArchiveRefused) as caught:
        with open_zip(io.BytesIO(data), limits) as opened:
            if read:
                opened.read(read, cap)
    return caught.value


def test_a_small_docx_whose_member_inflates_to_512_mb_is_refused_at_once_in_little_memory() -> None:
    bomb = docx_bomb(512)
    assert len(bomb) < MIB  # half a megabyte on the wire
    tracemalloc.start()
    try:
        started = time.monotonic()
        with pytest.raises(ArchiveRefused) as caught:
            detect_document_type(io.BytesIO(bomb))
        elapsed = time.monotonic() - started
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Inflating it takes seconds and half a gigabyte; the refusal reads the table of contents only.
    assert elapsed < 1, elapsed
    assert peak < 8 * MIB, peak
    assert caught.value.code == "ratio"
    assert "mimetype" in caught.value.message and "512.0" in caught.value.message


def test_a_member_is_never_read_past_the_callers_limit() -> None:
    # 3 MiB of text that packs well within the ratio, asked for with a 1 MiB limit.
    text = b"".join(b"line %d of a spreadsheet\n" % n for n in range(120_000))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as writer:
        writer.writestr("xl/sharedStrings.xml", text)
    error = refusal(buffer.getvalue(), read="xl/sharedStrings.xml", cap=MIB)
    assert error.code == "too-large" and "1.0" in error.message
    with open_zip(io.BytesIO(buffer.getvalue())) as opened:
        assert opened.read("xl/sharedStrings.xml", 4 * MIB) == text


def test_a_member_whose_header_understates_its_size_is_stopped_at_the_size_it_claims() -> None:
    honest = deflated_zeros("content.xml", 64)
    lying = Member(honest.name, honest.data, honest.crc, size=100, method=honest.method)
    tracemalloc.start()
    try:
        error = refusal(archive(lying), read="content.xml", cap=MIB)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert error.code == "damaged"
    assert peak < 8 * MIB, peak


def test_bzip2_and_other_methods_documents_never_use_are_refused_before_any_decompression() -> None:
    # The standard library would inflate a bzip2 member in one step, beyond any limit.
    packed = Member("mimetype", b"BZh9\x17rE8P\x90\x00\x00\x00\x00", 0, 0, BZIP2)
    error = refusal(archive(stored("[Content_Types].xml", b"<Types/>"), packed))
    assert error.code == "method" and "mimetype" in error.message


def test_too_many_members_or_too_much_in_all_are_refused() -> None:
    many = archive(*[stored(f"part{n}.xml", b"<p/>") for n in range(20)])
    assert refusal(many, ArchiveLimits(max_members=10)).code == "members"
    two = archive(deflated_zeros("a.xml", 2), deflated_zeros("b.xml", 2))
    assert refusal(two, ArchiveLimits(max_total_bytes=3 * MIB, max_ratio=10_000)).code == "too-large"


def test_real_documents_and_broken_files_are_told_apart() -> None:
    mimetype = stored("mimetype", b"application/vnd.oasis.opendocument.text")
    odt = archive(mimetype, stored("content.xml", b"<x/>"))
    assert detect_document_type(io.BytesIO(odt)) == "odt"
    # A broken archive is simply not a document; only limits get their own message.
    assert detect_document_type(io.BytesIO(b"PK\x03\x04 and nothing else")) is None
    assert refusal(b"PK\x03\x04 and nothing else").code == "damaged"
