"""Checks on what members submit: plain text only, web links only, real documents only."""

from __future__ import annotations

import re
import unicodedata
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

from cop.core.archives import ArchiveRefused, open_zip

_MARKUP = re.compile(r"<\s*[a-zA-Z!/?]")

# Document types the library accepts, recognised by their content, not their name.
DOCUMENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "odt": "application/vnd.oasis.opendocument.text",
    "odp": "application/vnd.oasis.opendocument.presentation",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
    "epub": "application/epub+zip",
}
_OOXML_PARTS = {"docx": "word/document.xml", "pptx": "ppt/presentation.xml", "xlsx": "xl/workbook.xml"}
_ZIP_MIMETYPES = {DOCUMENT_TYPES[k]: k for k in ("odt", "odp", "ods", "epub")}
# The `mimetype` member of OpenDocument and EPUB files holds one short line.
_MIMETYPE_MAX_BYTES = 1024

web_url = URLValidator(
    schemes=["http", "https"], message=_("Enter a web link that starts with https:// or http://.")
)


def plain_text(value: str) -> None:
    """Refuse markup and invisible control characters in a text field."""
    if _MARKUP.search(value):
        raise ValidationError(_("HTML is not allowed here; write plain text."), code="markup")
    for character in value:
        category = unicodedata.category(character)
        if category in ("Cc", "Cs", "Co", "Cn") and character not in "\n\r\t":
            raise ValidationError(_("The text contains characters that are not allowed."), code="control")


def detect_document_type(handle: IO[bytes]) -> str | None:
    """The kind of document a file holds (a key of DOCUMENT_TYPES), or None.

    Raises ArchiveRefused when the file is an archive that would unpack beyond the limits of
    cop.core.archives (a "zip bomb"), so that the person is told why, not only that it is refused.
    """
    handle.seek(0)
    head = handle.read(8)
    handle.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with open_zip(handle) as archive:
            names = archive.names()
            if "mimetype" in names:
                mimetype = archive.read("mimetype", _MIMETYPE_MAX_BYTES).decode("ascii", "replace").strip()
                return _ZIP_MIMETYPES.get(mimetype)
            if "[Content_Types].xml" in names:
                return next((kind for kind, part in _OOXML_PARTS.items() if part in names), None)
    except ArchiveRefused as refused:
        if refused.code in ("damaged", "missing"):
            return None
        raise
    finally:
        handle.seek(0)
    return None


def max_upload_bytes() -> int:
    megabytes: int | None = settings.LIBRARY_MAX_UPLOAD_MB
    return (megabytes or 20) * 1024 * 1024
