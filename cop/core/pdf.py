"""Every PDF the platform makes: tagged for assistive technology (PDF/UA-1), and kept once made.

A page's HTML goes in, a PDF comes out. WeasyPrint writes it as PDF/UA-1: a structure tree
(headings, paragraphs, lists, tables tagged as such), the document's language from `<html lang>`,
its title from `<title>` shown in place of the file name, and MarkInfo/Marked set, so that screen
readers and reflowing viewers read it as a document rather than as positioned glyphs.

Rendering takes about a second, so a made PDF is kept in the `rendered` cache (settings.py: files
under the data directory, shared by every web worker and kept across restarts). Its key is a digest of the
HTML it was made from plus the renderer's version: the HTML holds everything that changes the
output (the texts of their revision, the language, the translated labels, the template), so a
changed text, language or template makes a new key and the old PDF is simply never asked for
again; nothing has to be invalidated by hand. The HTML must therefore hold nothing that changes
on each request (no "generated at" clock time).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import caches

# Bump when the way PDFs are written changes (options below), so that kept PDFs are made again.
FORMAT_VERSION = "1"
PDF_VARIANT = "pdf/ua-1"


class PdfUnavailable(Exception):
    """The server lacks the Pango library that PDF rendering needs."""


def _no_external_fetch(url: str, timeout: int = 10, ssl_context: object = None) -> dict[str, object]:
    # Templates for PDFs are self-contained; refusing every fetch keeps rendering offline and safe.
    raise ValueError(f"external resource refused: {url}")


def _weasyprint_version() -> str:
    import weasyprint

    return str(weasyprint.__version__)


def cache_key(html: str) -> str:
    digest = hashlib.sha256(html.encode()).hexdigest()
    return f"cop-pdf:{FORMAT_VERSION}:{_weasyprint_version()}:{digest}"


def render(html: str) -> bytes:
    """The tagged PDF of this HTML document, from the cache when it was made before."""
    try:
        # Imported here: it needs Pango, which only PDF rendering requires.
        import weasyprint
    except OSError as error:
        raise PdfUnavailable(str(error)) from error
    cache = caches[settings.RENDERED_CACHE]
    key = cache_key(html)
    kept = cache.get(key)
    if isinstance(kept, bytes):
        return kept
    document = weasyprint.HTML(string=html, url_fetcher=_no_external_fetch)
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT)
    cache.set(key, pdf)
    return pdf
