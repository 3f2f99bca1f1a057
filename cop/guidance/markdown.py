"""Rendering of guideline texts: a small, safe Markdown subset.

Raw HTML, links and images are switched off, so whatever a file or an editor
writes is shown as text; the pages add their own links.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.token import Token

CHECKBOX = "[ ] "


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False}).disable(["link", "image", "autolink", "html_inline"])


def _mark_checklists(tokens: list[Token]) -> None:
    for index, token in enumerate(tokens):
        if token.type == "inline" and token.content.startswith(CHECKBOX):
            item = next((t for t in reversed(tokens[:index]) if t.type == "list_item_open"), None)
            if item is None:
                continue
            item.attrSet("class", "check")
            token.content = token.content[len(CHECKBOX) :]
            if token.children and token.children[0].type == "text":
                token.children[0].content = token.children[0].content.removeprefix(CHECKBOX)


def render(body: str, heading_offset: int = 0) -> SafeString:
    """HTML of a body; `heading_offset` moves ## down, e.g. to h3 when an item is a section of a PDF."""
    parser = _parser()
    tokens = parser.parse(body)
    _mark_checklists(tokens)
    if heading_offset:
        for token in tokens:
            if token.type in ("heading_open", "heading_close"):
                level = min(6, int(token.tag[1]) + heading_offset)
                token.tag = f"h{level}"
    # Safe: raw HTML is switched off, so the renderer escapes every character of the input.
    html: str = parser.renderer.render(tokens, parser.options, {})
    return mark_safe(html)  # noqa: S308


@dataclass(frozen=True)
class Section:
    heading: str
    body: str


def sections(body: str) -> list[Section]:
    """Split a body at its `## ` headings; text before the first heading becomes an untitled section."""
    result: list[Section] = []
    heading, lines = "", list[str]()
    for line in body.splitlines():
        if line.startswith("## "):
            if heading or "".join(lines).strip():
                result.append(Section(heading, "\n".join(lines).strip()))
            heading, lines = line[3:].strip(), []
        else:
            lines.append(line)
    if heading or "".join(lines).strip():
        result.append(Section(heading, "\n".join(lines).strip()))
    return result


def plain_text(body: str) -> str:
    """The words of a body without Markdown marks, one block per line."""
    tokens = _parser().parse(body)
    _mark_checklists(tokens)
    blocks = []
    for token in tokens:
        if token.type != "inline":
            continue
        words = []
        for child in token.children or []:
            if child.type in ("text", "code_inline"):
                words.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                words.append(" ")
        blocks.append("".join(words))
    return "\n".join(blocks)


@dataclass(frozen=True)
class Structure:
    headings: int
    bullets: int
    checks: int


def structure(body: str) -> Structure:
    tokens = _parser().parse(body)
    headings = sum(1 for t in tokens if t.type == "heading_open")
    bullets = sum(1 for t in tokens if t.type == "list_item_open")
    checks = sum(1 for t in tokens if t.type == "inline" and t.content.startswith(CHECKBOX))
    return Structure(headings, bullets, checks)


def has_raw_markup(body: str) -> bool:
    """Whether a body tries HTML or links, which the subset does not allow."""
    tokens = _parser().parse(body)
    for token in tokens:
        for child in token.children or []:
            if child.type == "text" and ("<" in child.content and ">" in child.content):
                return True
            if child.type == "text" and "](" in child.content:
                return True
        if token.type == "html_block":
            return True
    return False
