"""Charts of published counts, drawn on the server: Vega-Lite specifications rendered by vl-convert.

A chart never replaces its table: the page shows both, the table being the accessible, exact form
of the same figures. Charts take only counts that came out of cop/core/disclosure.py (`None` for a
withheld one) and show a withheld count as the word "withheld" where its bar would be, never as a
bar of zero, which would state a number that was not published.

Pages inline the SVG (`bar_chart`), with a title and a description that screen readers announce;
the drawing itself is hidden from them, as the table beside it gives the same figures. A PDF takes
the PNG (`bar_chart_png`). Rendered charts are kept in the `rendered` cache (shared by every web
worker, see settings.py) by a digest of their specification,
as the first rendering in a process starts the Vega engine (seconds) and later ones take
tens of milliseconds.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

WIDTH = 260  # CSS pixels of the plotting area; the SVG scales down with its box (320 px screens)
BAR_HEIGHT = 22
INK = "#0b3a6e"


@dataclass(frozen=True)
class Bar:
    label: str
    count: int | None  # None: withheld by disclosure control


def specification(bars: Sequence[Bar], *, count_title: str) -> dict[str, Any]:
    """The Vega-Lite specification: horizontal bars in the given order, each count written at its
    bar's end, and the word for a withheld count in place of its bar."""
    withheld = _("withheld")
    rows = [
        {
            "position": index,
            "label": bar.label,
            "count": bar.count,
            "text": withheld if bar.count is None else str(bar.count),
        }
        for index, bar in enumerate(bars)
    ]
    y = {
        "field": "label",
        "type": "nominal",
        "sort": [bar.label for bar in bars],
        "title": None,
        "axis": {"labelLimit": 140, "labelFontSize": 12},
    }
    return {
        "$schema": "https://vega.github.io/schema/vega-lite/v5.json",
        "width": WIDTH,
        "height": {"step": BAR_HEIGHT},
        "data": {"values": rows},
        "config": {"aria": False, "view": {"stroke": None}, "font": "sans-serif"},
        "encoding": {"y": y},
        "layer": [
            {
                "transform": [{"filter": "datum.count != null"}],
                "mark": {"type": "bar", "color": INK},
                "encoding": {"x": {"field": "count", "type": "quantitative", "title": count_title}},
            },
            {
                # A withheld count's word stands at the start of the axis, where no bar is drawn.
                "transform": [{"calculate": "datum.count == null ? 0 : datum.count", "as": "at"}],
                "mark": {"type": "text", "align": "left", "dx": 4, "fontSize": 12, "color": "#1b1b1b"},
                "encoding": {
                    "x": {"field": "at", "type": "quantitative"},
                    "text": {"field": "text"},
                },
            },
        ],
    }


def _rendered(spec: dict[str, Any], kind: str) -> Any:
    import vl_convert

    digest = hashlib.sha256(json.dumps(spec, sort_keys=True).encode()).hexdigest()
    key = f"cop-chart:{kind}:{vl_convert.__version__ if hasattr(vl_convert, '__version__') else ''}:{digest}"
    cache = caches[settings.RENDERED_CACHE]
    found = cache.get(key)
    if found is None:
        found = (
            vl_convert.vegalite_to_svg(spec) if kind == "svg" else vl_convert.vegalite_to_png(spec, scale=2)
        )
        cache.set(key, found)
    return found


_SVG_START = re.compile(r"<svg\b([^>]*)>")


def bar_chart(
    bars: Sequence[Bar], *, chart_id: str, title: str, count_title: str, description: str | None = None
) -> SafeString:
    """An inline SVG bar chart, announced by its title and description (the table beside it gives the
    figures); empty when there is nothing to draw."""
    if description is None:
        description = _(
            "Bar chart of the figures in the table below it; a withheld count is written as such."
        )
    if not bars:
        return mark_safe("")
    svg = str(_rendered(specification(bars, count_title=count_title), "svg"))
    # Drop the fixed size so CSS can scale the chart to its box; keep the viewBox for the ratio.
    match = _SVG_START.search(svg)
    if match is None:
        raise ValueError("the chart renderer returned no SVG")
    attributes = re.sub(r'\s(width|height|class)="[^"]*"', "", match.group(1))
    head = (
        f'<svg{attributes} role="img" class="chart" aria-labelledby="{chart_id}-title {chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>'
    )
    body = svg[match.end() :]
    return mark_safe(f'<figure class="chart-figure">{head}{body}</figure>')  # noqa: S308 - rendered by Vega, text escaped


def bar_chart_png(bars: Sequence[Bar], *, count_title: str) -> bytes:
    """The same chart as a PNG, for PDFs (as a data: image with the title as its alternative text)."""
    return bytes(_rendered(specification(bars, count_title=count_title), "png"))


def chart_text(svg: str) -> list[str]:
    """The words and numbers written in a chart's SVG, in order (tests compare them with the table)."""
    return [re.sub(r"<[^>]+>", "", text) for text in re.findall(r"<text\b[^>]*>(.*?)</text>", svg, re.S)]
