"""Checks on what members submit: plain text only, web links only, real documents only."""

from __future__ import annotations

import re
import unicodedata
import zipfile
from typing import IO

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext_lazy as _

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
    """The kind of document a file holds (a key of DOCUMENT_TYPES), or None."""
    handle.seek(0)
    head = handle.read(8)
    handle.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if not head.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(handle) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                return _ZIP_MIMETYPES.get(mimetype)
            if "[Content_Types].xml" in names:
                return next((kind for kind, part in _OOXML_PARTS.items() if part in names), None)
    except (zipfile.BadZipFile, OSError, KeyError):
        return None
    finally:
        handle.seek(0)
    return None


def max_upload_bytes() -> int:
    megabytes: int | None = settings.LIBRARY_MAX_UPLOAD_MB
    return (megabytes or 20) * 1024 * 1024
