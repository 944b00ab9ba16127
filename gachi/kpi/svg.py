"""The board's charts drawn on the server as SVG, for the PDF reports.

A PDF runs no JavaScript, so the numbers the page hands to Chart.js (charts.Chart) are
drawn here as plain SVG that WeasyPrint renders: a bar chart with a bar per label
(labels on the left, in Korean or English, the value at the end of each bar) and a
column chart for a series over weeks. No data (None) draws no bar and says "—". The
text is escaped; sizes are in SVG user units, scaled to the page's width by the
viewBox.
"""

import math
import unicodedata
from decimal import Decimal

from markupsafe import Markup, escape

FONT = "NanumGothic, 'Nanum Gothic', 'Noto Sans CJK KR', sans-serif"
WIDTH = 640
FONT_SIZE = 11
ROW = 20  # one bar's line
BAR = 12  # one bar's thickness
COLUMN_MAX = 48  # the widest a column's room gets when there are few (or its label's)
MAX_LABEL = 0.4  # of the width, at most, for the labels on the left
VALUE_ROOM = 64  # room after the longest bar for its value
BAR_COLOUR = "#2f6fad"
MISSING_COLOUR = "#777"
AXIS_COLOUR = "#999"
REFERENCE_COLOUR = "#c0392b"


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """About how wide `text` is drawn: Hangul and other wide characters take a full em,
    the rest a little over half of one. Enough to lay the labels out without a font."""
    return sum(
        size if unicodedata.east_asian_width(char) in ("W", "F") else size * 0.6 for char in text
    )


def fit(text: str, width: float, size: float = FONT_SIZE) -> str:
    """`text`, cut with "…" so that it fits in `width`."""
    if text_width(text, size) <= width:
        return text
    while text and text_width(text + "…", size) > width:
        text = text[:-1]
    return text + "…"


def number(value) -> str:
    """A figure as the tables write it: thousands grouped, no trailing zeros."""
    value = Decimal(value)
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.normalize():,f}"


def _text(x, y, content, anchor="start", size=FONT_SIZE, colour="#111"):
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{colour}">{escape(content)}</text>'
    )


def _line(x1, y1, x2, y2, colour=AXIS_COLOUR, dashed=False):
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{colour}" stroke-width="1"{dash}/>'
    )


def _svg(width, height, title, body):
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {width} {height:.0f}" width="100%" font-family="{FONT}" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>{"".join(body)}</svg>'
    )


def bar_chart(chart, title: str, reference=None, width: int = WIDTH) -> Markup:
    """One horizontal bar per label. `reference` (100 for an achievement rate) draws a
    dashed line across the bars at that value, labelled with it."""
    labels = [str(label) for label in chart.labels]
    label_room = min(max((text_width(label) for label in labels), default=0) + 8, width * MAX_LABEL)
    bars_room = width - label_room - VALUE_ROOM
    known = [Decimal(value) for value in chart.values if value is not None]
    largest = max([*known, Decimal(reference or 0)], default=Decimal(0)) or Decimal(1)
    scale = bars_room / float(largest)
    top = FONT_SIZE + 8 if reference is not None else 4
    height = top + ROW * len(labels) + 4
    body = [_line(label_room, top - 2, label_room, height - 2)]
    for index, (label, value) in enumerate(zip(labels, chart.values, strict=True)):
        y = top + ROW * index
        middle = y + ROW / 2 + FONT_SIZE * 0.35
        body.append(_text(label_room - 6, middle, fit(label, label_room - 8), anchor="end"))
        if value is None:
            body.append(_text(label_room + 4, middle, "—", colour=MISSING_COLOUR))
            continue
        length = max(float(value) * scale, 0)
        body.append(
            f'<rect x="{label_room:.1f}" y="{y + (ROW - BAR) / 2:.1f}" width="{length:.1f}" '
            f'height="{BAR}" fill="{BAR_COLOUR}"/>'
        )
        body.append(_text(label_room + length + 4, middle, number(value) + chart.unit))
    if reference is not None:
        x = label_room + float(reference) * scale
        body.append(_line(x, top - 2, x, height - 2, REFERENCE_COLOUR, dashed=True))
        body.append(
            _text(
                x,
                FONT_SIZE,
                number(reference) + chart.unit,
                anchor="middle",
                colour=REFERENCE_COLOUR,
            )
        )
    return _svg(width, height, title, body)


def column_chart(chart, title: str, width: int = WIDTH, height: int = 180) -> Markup:
    """One column per label, for a series over time (weeks): a label under every
    column, or every second, third … so that they fit (twelve at most), and the value
    above each column while it fits."""
    count = len(chart.labels)
    left, bottom, top = 8, FONT_SIZE + 10, FONT_SIZE + 6
    small = FONT_SIZE - 2
    widest = max((text_width(str(label), small) for label in chart.labels), default=0)
    room = min((width - 2 * left) / max(count, 1), max(COLUMN_MAX, widest + 6))
    largest = max((Decimal(value) for value in chart.values if value is not None), default=0)
    scale = (height - top - bottom) / float(largest or 1)
    every = max(1, math.ceil(count / 12), math.ceil((widest + 6) / room))
    base = height - bottom
    body = [_line(left, base, left + room * max(count, 1), base)]
    for index, (label, value) in enumerate(zip(chart.labels, chart.values, strict=True)):
        x = left + room * index
        centre = x + room / 2
        if value is not None:
            length = float(value) * scale
            body.append(
                f'<rect x="{x + room * 0.15:.1f}" y="{base - length:.1f}" '
                f'width="{room * 0.7:.1f}" height="{length:.1f}" fill="{BAR_COLOUR}"/>'
            )
            if text_width(number(value), small) <= room:
                body.append(_text(centre, base - length - 3, number(value), "middle", small))
        if index % every == 0:
            label = fit(str(label), room * every, small)
            half = text_width(label, small) / 2
            # Kept inside the drawing at either end.
            at = min(max(centre, left + half), width - left - half)
            body.append(_text(at, height - 4, label, "middle", small))
    return _svg(width, height, title, body)


def draw(chart, title: str, reference=None) -> Markup:
    """A board chart as SVG: a "bar" chart as bars, a "line" (a series over weeks) as
    columns, which print more plainly than a line."""
    if chart.kind == "line":
        return column_chart(chart, title)
    return bar_chart(chart, title, reference=reference)
