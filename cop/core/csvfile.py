"""The one way the platform writes CSV: every export goes through `writer` or `response`.

A spreadsheet opening a CSV file runs a cell that starts with `=`, `+`, `-` or `@` as a formula
(and a leading tab or carriage return can hide one), so text that anyone could have typed (a
resource's title, a publisher's name) could make a reader's spreadsheet compute, fetch addresses
or, in older programs, run commands. As OWASP recommends ("CSV Injection"), such a text cell is
written with a single quote in front, which spreadsheets show as text. Numbers, dates and other
values the platform computes itself are written as they are, so a count of -1 stays a number.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping
from typing import Any, Protocol

from django.http import HttpResponse

# The first characters that make a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value as it may go into a cell: text that a spreadsheet would run gets a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class _Stream(Protocol):
    def write(self, text: str, /) -> Any: ...


class Writer:
    """`csv.writer` with every text cell neutralised; the only CSV writer the platform uses."""

    def __init__(self, stream: _Stream) -> None:
        self._writer = csv.writer(stream)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise(cell) for cell in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def writer(stream: _Stream) -> Writer:
    return Writer(stream)


def text(header: Iterable[Any], rows: Iterable[Iterable[Any]]) -> str:
    """A whole CSV file as text: the header line, then the rows."""
    buffer = io.StringIO()
    out = Writer(buffer)
    out.writerow(header)
    out.writerows(rows)
    return buffer.getvalue()


def response(
    filename: str,
    header: Iterable[Any],
    rows: Iterable[Iterable[Any]],
    headers: Mapping[str, str] | None = None,
) -> HttpResponse:
    """A CSV download named `filename`, with any further response headers (a licence link)."""
    result = HttpResponse(text(header, rows), content_type="text/csv; charset=utf-8")
    result.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    for name, value in (headers or {}).items():
        result.headers[name] = value
    return result
