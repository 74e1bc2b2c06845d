"""Small, accessible SVG charts drawn on the server: horizontal bars and lines.

Each chart is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>`` (read by
screen readers) and always sits next to the table of its figures, which is the
accessible and copyable form of the same data. No script, no external library:
the page works without JavaScript and prints as it shows. Values are integers
(cents, thousandths or counts); ``label`` formats them for the axis and the
tooltips (``<title>`` of each bar or point).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

# Colour-blind-safe palette (Okabe-Ito), dark enough on white for 3:1 contrast of graphics.
PALETTE = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8a6d00", "#56B4E9", "#000000", "#E69F00")
WIDTH = 640
BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 200
LINE_HEIGHT = 260


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int | None]  # None: no value at that point (a gap in the line)


def _frame(title: str, desc: str, width: int, height: int, body: SafeString) -> SafeString:
    return format_html(
        '<svg class="chart" role="img" viewBox="0 0 {w} {h}" width="100%" '
        'preserveAspectRatio="xMinYMin meet" '
        'xmlns="http://www.w3.org/2000/svg" aria-labelledby="{id}-t {id}-d">'
        '<title id="{id}-t">{title}</title><desc id="{id}-d">{desc}</desc>{body}</svg>',
        w=width,
        h=height,
        id=_id(title),
        title=title,
        desc=desc,
        body=body,
    )


def _id(title: str) -> str:
    return f"chart-{zlib.crc32(title.encode()):08x}"


def _shorten(text: str, length: int = 30) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def bar_chart(
    *, title: str, desc: str, rows: Sequence[tuple[str, int]], label: Callable[[int], str]
) -> SafeString:
    """One horizontal bar per row (label, value); bars scale to the largest value."""
    height = max(len(rows), 1) * (BAR_HEIGHT + GAP) + GAP
    top = max((value for _name, value in rows), default=0) or 1
    span = WIDTH - LABEL_WIDTH - 110
    parts = []
    for index, (name, value) in enumerate(rows):
        y = GAP + index * (BAR_HEIGHT + GAP)
        length = round(span * max(value, 0) / top)
        parts.append(
            format_html(
                "<g><title>{name}: {text}</title>"
                '<text x="{lx}" y="{ty}" text-anchor="end" font-size="13" fill="#222">{short}</text>'
                '<rect x="{x}" y="{y}" width="{len}" height="{h}" fill="{fill}"></rect>'
                '<text x="{vx}" y="{ty}" font-size="13" fill="#222">{text}</text></g>',
                name=name,
                short=_shorten(name),
                text=label(value),
                lx=LABEL_WIDTH - 8,
                ty=y + BAR_HEIGHT - 6,
                x=LABEL_WIDTH,
                y=y,
                len=length,
                h=BAR_HEIGHT,
                fill=PALETTE[0],
                vx=LABEL_WIDTH + length + 6,
            )
        )
    return _frame(title, desc, WIDTH, height, mark_safe("".join(parts)))


def line_chart(
    *,
    title: str,
    desc: str,
    x_labels: Sequence[str],
    series: Sequence[Series],
    label: Callable[[int], str],
) -> SafeString:
    """One line per series over ``x_labels`` (the cycles, oldest first), with a legend under it."""
    left, right, top, bottom = 70, 20, 16, 60
    plot_w, plot_h = WIDTH - left - right, LINE_HEIGHT - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    peak = max(values, default=0) or 1
    count = len(x_labels)

    def x(i: int) -> float:
        return left + (plot_w * i / (count - 1) if count > 1 else plot_w / 2)

    def y(v: int) -> float:
        return top + plot_h - plot_h * v / peak

    parts = [_axes(left, top, plot_w, plot_h, peak, label)]
    parts += [_x_labels(x_labels, x, top + plot_h)]
    for index, one in enumerate(series):
        parts.append(
            _line(one, PALETTE[index % len(PALETTE)], x, y, x_labels, label, dash=index >= len(PALETTE))
        )
    legend_y = LINE_HEIGHT + 4
    legend = format_html_join(
        "",
        '<g><rect x="{}" y="{}" width="12" height="12" fill="{}"></rect>'
        '<text x="{}" y="{}" font-size="12" fill="#222">{}</text></g>',
        (
            (
                left + (i % 3) * 190,
                legend_y + (i // 3) * 18,
                PALETTE[i % len(PALETTE)],
                left + (i % 3) * 190 + 16,
                legend_y + (i // 3) * 18 + 11,
                _shorten(s.name, 26),
            )
            for i, s in enumerate(series)
        ),
    )
    height = legend_y + ((len(series) + 2) // 3) * 18 + 6
    return _frame(title, desc, WIDTH, height, mark_safe("".join(parts) + legend))


def _axes(left: int, top: int, w: int, h: int, peak: int, label: Callable[[int], str]) -> SafeString:
    ticks = format_html_join(
        "",
        '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#ccc"></line>'
        '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="#222">{}</text>',
        (
            (
                left,
                left + w,
                top + h - h * step / 4,
                top + h - h * step / 4,
                left - 6,
                top + h - h * step / 4 + 4,
                label(round(peak * step / 4)),
            )
            for step in range(5)
        ),
    )
    return format_html(
        '<g aria-hidden="true">{}<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#222"></line></g>',
        ticks,
        left,
        left,
        top,
        top + h,
    )


def _x_labels(labels: Sequence[str], x: Callable[[int], float], base: float) -> SafeString:
    every = max(1, len(labels) // 8)  # at most about eight labels under the axis
    return format_html_join(
        "",
        '<text x="{}" y="{}" font-size="11" fill="#222" text-anchor="end" '
        'transform="rotate(-35 {} {})">{}</text>',
        (
            (x(i), base + 16, x(i), base + 16, _shorten(text, 18))
            for i, text in enumerate(labels)
            if i % every == 0
        ),
    )


def _line(
    one: Series,
    colour: str,
    x: Callable[[int], float],
    y: Callable[[int], float],
    x_labels: Sequence[str],
    label: Callable[[int], str],
    *,
    dash: bool,
) -> SafeString:
    points = [(i, v) for i, v in enumerate(one.values) if v is not None]
    path = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, v in points)
    dots = format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="3.5" fill="{}"><title>{} · {}: {}</title></circle>',
        ((f"{x(i):.1f}", f"{y(v):.1f}", colour, one.name, x_labels[i], label(v)) for i, v in points),
    )
    return format_html(
        '<g><polyline points="{}" fill="none" stroke="{}" stroke-width="2"{}></polyline>{}</g>',
        path,
        colour,
        mark_safe(' stroke-dasharray="6 3"') if dash else "",
        dots,
    )
