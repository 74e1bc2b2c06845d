"""Small charts drawn on the server as SVG, each with the same figures as a table beside it.

A ``Chart`` holds labels (the x axis: cycles, months) and one or more
``Series`` of integer values; ``svg()`` draws it as bars or a line. The SVG is
an image named by its ``<title>`` and described by its ``<desc>`` (``role="img"``,
``aria-labelledby``, ``aria-describedby``), text in the page's font, colours that keep a 3:1
contrast on white, and no script nor style attribute (the site's content
security policy allows neither). The table (``includes/chart.html``) is what
a screen reader reads and what a person copies; the CSV of a page gives the
same rows.

Values are integers (cents, counts): ``fmt`` turns one into the text of a tick
or a cell (``format_cents`` for money).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape

from django.utils.safestring import SafeString, mark_safe

# Dark enough on white (≥ 3:1) and told apart by more than hue (the line's markers differ too).
COLOURS = ("#1d5e8c", "#b3471d", "#2f6b2f", "#6b3f8c")
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 84, 12, 16, 56


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]


@dataclass(frozen=True)
class Chart:
    """``kind``: "bar" (series side by side per label) or "line" (one polyline per series)."""

    slug: str  # unique on the page: the ids of the title, the description and the table
    title: str
    desc: str
    labels: Sequence[str]
    series: Sequence[Series]
    kind: str = "bar"
    fmt: Callable[[int], str] = str
    label_title: str = ""  # the table's first column
    rows_title: list[str] = field(default_factory=list)

    @property
    def rows(self) -> list[tuple[str, list[str]]]:
        """The table beside the chart: one row per label, one cell per series."""
        return [
            (label, [self.fmt(series.values[index]) for series in self.series])
            for index, label in enumerate(self.labels)
        ]

    def svg(self) -> SafeString:
        return mark_safe(draw(self))  # every text in it is escaped by ``draw``


def _nice_step(span: int, ticks: int = 4) -> int:
    """A round step (1, 2 or 5 × a power of ten) that cuts ``span`` into about ``ticks`` parts."""
    if span <= 0:
        return 1
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    for factor in (1, 2, 5, 10):
        if power * factor >= raw:
            return max(int(power * factor), 1)
    return max(int(power * 10), 1)


def scale(values: Sequence[int]) -> tuple[int, int, int]:
    """(low, high, step) of the y axis: round figures that hold every value and zero."""
    low, high = min([0, *values]), max([0, *values])
    step = _nice_step(high - low or 1)
    low = math.floor(low / step) * step
    high = math.ceil(high / step) * step
    if high == low:
        high = low + step
    return low, high, step


def draw(chart: Chart) -> str:
    values = [v for series in chart.series for v in series.values]
    low, high, step = scale(values)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(value: int) -> float:
        return TOP + plot_h * (high - value) / (high - low)

    ident = escape(chart.slug)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" '
        f'role="img" aria-labelledby="{ident}-title" aria-describedby="{ident}-desc" font-size="12" '
        'font-family="inherit">',
        f'<title id="{ident}-title">{escape(chart.title)}</title>',
        f'<desc id="{ident}-desc">{escape(chart.desc)}</desc>',
    ]
    for tick in range(low, high + 1, step):
        ty = y(tick)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" '
            f'stroke="{"#555" if tick == 0 else "#ccc"}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end" fill="#333">'
            f"{escape(chart.fmt(tick))}</text>"
        )
    count = max(len(chart.labels), 1)
    slot = plot_w / count
    every = max(1, math.ceil(count / 12))  # at most a dozen labels under the axis
    for index, label in enumerate(chart.labels):
        if index % every == 0:
            lx = LEFT + slot * (index + 0.5)
            parts.append(
                f'<text x="{lx:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" fill="#333">'
                f"{escape(_short(label))}</text>"
            )
    if chart.kind == "line":
        for number, series in enumerate(chart.series):
            colour = COLOURS[number % len(COLOURS)]
            points = [(LEFT + slot * (i + 0.5), y(v)) for i, v in enumerate(series.values)]
            if points:
                path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"/>')
            if len(points) <= 40:
                for px, py in points:
                    parts.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{colour}"/>')
    else:
        bars = max(len(chart.series), 1)
        width = slot * 0.8 / bars
        for number, series in enumerate(chart.series):
            colour = COLOURS[number % len(COLOURS)]
            for index, value in enumerate(series.values):
                bx = LEFT + slot * index + slot * 0.1 + width * number
                top, bottom = sorted((y(value), y(0)))
                parts.append(
                    f'<rect x="{bx:.1f}" y="{top:.1f}" width="{max(width - 1, 1):.1f}" '
                    f'height="{max(bottom - top, 0):.1f}" fill="{colour}"/>'
                )
    # The legend, under the labels.
    lx = float(LEFT)
    for number, series in enumerate(chart.series):
        colour = COLOURS[number % len(COLOURS)]
        parts.append(f'<rect x="{lx:.1f}" y="{HEIGHT - 18}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{lx + 16:.1f}" y="{HEIGHT - 8}" fill="#333">{escape(series.label)}</text>')
        lx += 24 + 7 * len(series.label)
    parts.append("</svg>")
    return "".join(parts)


def _short(label: str, size: int = 14) -> str:
    return label if len(label) <= size else label[: size - 1] + "…"
