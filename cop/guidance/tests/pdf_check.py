"""Reading back a rendered PDF: its text, and whether every character was drawn with a real glyph."""

from __future__ import annotations

import ctypes
import subprocess
import unicodedata
from functools import cache

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from fontTools.ttLib import TTCollection, TTFont

STYLE_WORDS = {
    "Regular",
    "Bold",
    "Italic",
    "Oblique",
    "Light",
    "Medium",
    "SemiBold",
    "ExtraBold",
    "Black",
    "Thin",
}


def _font_files(name: str) -> list[str]:
    """Installed font files whose full name is `name`, else those of the family it names."""

    def listing(pattern: str) -> list[str]:
        result = subprocess.run(["fc-list", pattern, "file"], capture_output=True, text=True, check=True)
        return [line.split(":", 1)[0].strip() for line in result.stdout.splitlines() if line.strip()]

    files = listing(f":fullname={name}")
    if not files:
        words = name.split()
        while words and words[-1] in STYLE_WORDS:
            words.pop()
        files = listing(f"{' '.join(words)}:")
    return files


@cache
def family_codepoints(family: str) -> frozenset[int]:
    """Every character the installed font of this name (or its family) has a glyph for."""
    listing = _font_files(family)
    codepoints: set[int] = set()
    for path in listing:
        fonts = TTCollection(path).fonts if path.endswith((".ttc", ".otc")) else [TTFont(path, lazy=True)]
        for font in fonts:
            codepoints.update(font.getBestCmap() or {})
    return frozenset(codepoints)


def _family_of(pdf_font_name: str) -> str:
    # Embedded subsets are named "ABCDEF+Noto-Naskh-Arabic".
    return pdf_font_name.split("+", 1)[-1].replace("-", " ")


def ink_share(data: bytes, page_number: int = 0) -> float:
    """The share of pixels that are not white on a rendered page: a blank page gives 0."""
    page = pdfium.PdfDocument(data)[page_number]
    image = page.render(scale=0.5, grayscale=True).to_pil()
    histogram: list[int] = image.histogram()
    return sum(histogram[:200]) / sum(histogram)


def read_pdf(data: bytes) -> tuple[str, list[str]]:
    """The document's text, and the characters drawn with a font that lacks them."""
    document = pdfium.PdfDocument(data)
    texts, missing = [], []
    buffer = ctypes.create_string_buffer(256)
    flags = ctypes.c_int()
    for page in document:
        textpage = page.get_textpage()
        texts.append(textpage.get_text_range())
        for index in range(textpage.count_chars()):
            codepoint = pdfium_c.FPDFText_GetUnicode(textpage.raw, index)
            character = chr(codepoint) if codepoint < 0x110000 else "?"
            if unicodedata.category(character) in ("Zs", "Zl", "Zp", "Cc", "Cf"):
                continue
            pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, buffer, 256, ctypes.byref(flags))
            family = _family_of(buffer.value.decode("utf-8", "replace"))
            if codepoint not in family_codepoints(family):
                missing.append(f"U+{codepoint:04X} in {family or 'no font'}")
    return "\n".join(texts), missing


def squeeze(text: str) -> str:
    """Text compared without spacing or line breaks, in its compatibility form (Arabic ligatures unfolded)."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def structure(data: bytes) -> dict[str, object]:
    """What makes a PDF a tagged one: its language, title, MarkInfo and the tags of its structure tree
    (in reading order, e.g. ["Document", "H1", "P", ...]); no tags when it has no structure tree."""
    import io

    import pypdf
    from pypdf.generic import ArrayObject, DictionaryObject

    reader = pypdf.PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"].get_object()
    assert isinstance(root, DictionaryObject)
    tags: list[str] = []

    def walk(node: object) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, ArrayObject):
            for kid in node:
                walk(kid)
        elif isinstance(node, DictionaryObject):
            if "/S" in node:
                tags.append(str(node["/S"]).lstrip("/"))
            if "/K" in node:
                walk(node["/K"])

    if "/StructTreeRoot" in root:
        walk(root["/StructTreeRoot"])
    mark_info = root.get("/MarkInfo")
    preferences = root.get("/ViewerPreferences")
    metadata = reader.metadata
    return {
        "lang": str(root.get("/Lang", "")),
        "title": str(metadata.get("/Title", "")) if metadata else "",
        "marked": bool(mark_info.get_object().get("/Marked")) if mark_info else False,
        "display_title": bool(preferences.get_object().get("/DisplayDocTitle")) if preferences else False,
        "tags": tags,
    }
