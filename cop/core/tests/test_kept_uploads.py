"""Files kept from a form that failed: for their owner only, one at a time, removed once used."""

from __future__ import annotations

from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from cop.core import kept_uploads


def test_a_kept_file_opens_for_its_owner_only_and_a_second_one_replaces_the_first(tmp_path: Path) -> None:
    with override_settings(KEPT_UPLOADS_DIR=tmp_path):
        first = kept_uploads.keep(SimpleUploadedFile("a.pdf", b"%PDF-1 first"), owner=7)
        other = kept_uploads.keep(SimpleUploadedFile("b.pdf", b"%PDF-1 other"), owner=8)
        assert (first.name, first.size) == ("a.pdf", 12)
        assert kept_uploads.restore(first.token, owner=8) is None
        assert kept_uploads.describe(first.token[:-2] + "xx", owner=7) is None
        restored = kept_uploads.restore(first.token, owner=7)
        assert restored is not None and restored.read() == b"%PDF-1 first" and restored.name == "a.pdf"
        restored.close()
        second = kept_uploads.keep(SimpleUploadedFile("c.pdf", b"%PDF-1 second"), owner=7)
        # One kept file per person: the first is gone, the other person's stays.
        assert kept_uploads.describe(first.token, owner=7) is None
        assert kept_uploads.describe(second.token, owner=7) is not None
        assert kept_uploads.describe(other.token, owner=8) is not None
        kept_uploads.discard(second.token, owner=7)
        assert kept_uploads.describe(second.token, owner=7) is None
        assert len(list(tmp_path.iterdir())) == 1
