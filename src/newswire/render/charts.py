"""Charts as inline SVG, rendered on the server (no chart library, nothing to download).

The pages run under ``Content-Security-Policy: default-src 'self'``, so the SVG carries no
``style`` attribute and no ``<style>`` element: colours are presentation attributes (``fill``),
sizes come from the ``viewBox`` and the page's stylesheet (class ``chart``). Every chart is a
``role="img"`` with a ``<title>`` and a ``<desc>`` (its accessible name and description), each
bar has its own ``<title>`` (a tooltip with the exact figure), and the pages show the same
figures in a table beside it.

- :func:`stacked_bars`: one horizontal bar per row (a country, a language, a failure reason),
  split into series (delivery states);
- :func:`stacked_columns`: one column per time bucket, split into series (channels);
- :func:`time_buckets`: events counted in equal time buckets (a step chosen so that there are
  at most ``max_buckets``), empty buckets included so that the time axis is even.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from markupsafe import Markup, escape

STEPS_S = (1, 5, 10, 30, 60, 300, 600, 1800, 3600, 3 * 3600, 6 * 3600, 12 * 3600, 86400, 604800)
"""Bucket sizes to choose from, in seconds."""

AXIS = "#555f6d"
GRID = "#d9dee5"
INK = "#1b1f24"


@dataclass(frozen=True)
class Series:
    """One part of a stacked bar: its key in the data, its label in the legend, its colour."""

    key: str
    label: str
    color: str


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _text(x: float, y: float, content: str, *, anchor: str = "start", size: int = 13) -> str:
    return (
        f'<text x="{_num(x)}" y="{_num(y)}" font-size="{size}" fill="{INK}" '
        f'text-anchor="{anchor}">{escape(content)}</text>'
    )


def _line(x1: float, y1: float, x2: float, y2: float, color: str) -> str:
    return (
        f'<line x1="{_num(x1)}" y1="{_num(y1)}" x2="{_num(x2)}" y2="{_num(y2)}" '
        f'stroke="{color}" stroke-width="1"/>'
    )


def _part(x: float, y: float, w: float, h: float, s: Series, label: str, count: int) -> str:
    """One series' part of a bar or column, with the exact figure as its tooltip."""
    return (
        f'<rect x="{_num(x)}" y="{_num(y)}" width="{_num(w)}" height="{_num(h)}" '
        f'fill="{s.color}"><title>{escape(f"{label}: {s.label} {count}")}</title></rect>'
    )


def _shorten(label: str, limit: int) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _legend(series: Sequence[Series], y: float, x0: float, width: float) -> tuple[list[str], float]:
    """Swatches and labels, wrapped onto as many lines as needed; returns the bottom y."""
    parts: list[str] = []
    x = x0
    for s in series:
        needed = 22 + 8 * len(s.label) + 16
        if x > x0 and x + needed > x0 + width:
            x, y = x0, y + 20
        parts.append(
            f'<rect x="{_num(x)}" y="{_num(y - 10)}" width="12" height="12" fill="{s.color}"/>'
        )
        parts.append(_text(x + 18, y, s.label))
        x += needed
    return parts, y + 12


def _frame(
    chart_id: str, title: str, desc: str, width: int, height: float, body: list[str]
) -> Markup:
    return Markup(
        f'<svg class="chart" id="{escape(chart_id)}" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" '
        f'viewBox="0 0 {width} {_num(height)}" direction="ltr" '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def _nice_max(value: int) -> int:
    """A round upper bound for an axis: 1, 2, 5, 10, 20, 50..."""
    if value <= 1:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 5, 10):
        if factor * magnitude >= value:
            return factor * magnitude
    return 10 * magnitude


def stacked_bars(
    chart_id: str,
    title: str,
    desc: str,
    rows: Sequence[tuple[str, Mapping[str, int]]],
    series: Sequence[Series],
    *,
    width: int = 720,
    label_width: int = 180,
) -> Markup:
    """Horizontal bars, one per row, each split into ``series``; the total at the bar's end."""
    bar, gap, top = 22, 10, 12
    legend, legend_bottom = _legend(series, top + 12, 8, width - 16)
    y0 = legend_bottom + 14
    totals = [sum(values.get(s.key, 0) for s in series) for _, values in rows]
    scale_max = max(totals, default=0) or 1
    plot = width - label_width - 60
    body = list(legend)
    for i, ((label, values), total) in enumerate(zip(rows, totals, strict=True)):
        y = y0 + i * (bar + gap)
        body.append(
            _text(label_width - 8, y + bar * 0.7, _shorten(label, label_width // 7), anchor="end")
        )
        x = float(label_width)
        for s in series:
            count = values.get(s.key, 0)
            if not count:
                continue
            w = plot * count / scale_max
            body.append(_part(x, y, max(w, 1), bar, s, label, count))
            x += w
        body.append(_text(x + 6, y + bar * 0.7, str(total)))
    height = y0 + len(rows) * (bar + gap) + 4
    axis_x = label_width - 0.5
    body.append(_line(axis_x, y0 - 4, axis_x, height - 4, AXIS))
    return _frame(chart_id, title, desc, width, height, body)


def stacked_columns(
    chart_id: str,
    title: str,
    desc: str,
    columns: Sequence[tuple[str, Mapping[str, int]]],
    series: Sequence[Series],
    *,
    width: int = 720,
    height: int = 300,
) -> Markup:
    """Vertical columns (time buckets), each split into ``series``, with a y axis of counts;
    x labels are thinned so that they never overlap."""
    legend, legend_bottom = _legend(series, 20, 8, width - 16)
    left, right, bottom = 44, 12, 40
    top = legend_bottom + 16
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(values.get(s.key, 0) for s in series) for _, values in columns]
    y_max = _nice_max(max(totals, default=0))
    body = list(legend)
    for tick in (0, y_max // 2, y_max) if y_max % 2 == 0 else (0, y_max):
        y = top + plot_h - plot_h * tick / y_max
        body.append(_line(left, y, width - right, y, GRID))
        body.append(_text(left - 6, y + 4, _num(tick), anchor="end", size=11))
    n = max(len(columns), 1)
    slot = plot_w / n
    col_w = min(max(slot * 0.7, 1.0), 56.0)
    every = max(1, math.ceil(n / max(1, plot_w // 90)))
    for i, (label, values) in enumerate(columns):
        x = left + i * slot + (slot - col_w) / 2
        y = float(top + plot_h)
        for s in series:
            count = values.get(s.key, 0)
            if not count:
                continue
            h = plot_h * count / y_max
            y -= h
            body.append(_part(x, y, col_w, h, s, label, count))
        if i % every == 0:
            body.append(_text(x + col_w / 2, top + plot_h + 16, label, anchor="middle", size=11))
    body.append(_line(left, top + plot_h, width - right, top + plot_h, AXIS))
    return _frame(chart_id, title, desc, width, height, body)


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def choose_step(span: timedelta, max_buckets: int = 24) -> int:
    """The smallest bucket size (seconds) that covers ``span`` in at most ``max_buckets``."""
    seconds = span.total_seconds()
    for step in STEPS_S:
        if math.ceil(seconds / step) + 1 <= max_buckets:
            return step
    return math.ceil(seconds / (max_buckets - 2)) or 1


def bucket_label(start: datetime, step_s: int, multi_day: bool) -> str:
    """A bucket's start, as precise as the step needs (UTC)."""
    if step_s >= 86400:
        return start.strftime("%Y-%m-%d")
    if step_s < 60:
        return start.strftime("%H:%M:%S")
    return start.strftime("%m-%d %H:%M" if multi_day else "%H:%M")


def time_buckets(
    events: Iterable[tuple[datetime, str]], *, max_buckets: int = 24
) -> tuple[list[tuple[str, dict[str, int]]], int]:
    """Count ``(when, series key)`` events per bucket; returns the labelled buckets (every
    bucket from the first event to the last, empty ones too) and the step in seconds."""
    found = sorted((_utc(when), key) for when, key in events)
    if not found:
        return [], 0
    first, last = found[0][0], found[-1][0]
    step = choose_step(last - first, max_buckets)
    origin = datetime.fromtimestamp(first.timestamp() // step * step, UTC)
    count = int((last - origin).total_seconds() // step) + 1
    buckets: list[dict[str, int]] = [{} for _ in range(count)]
    for when, key in found:
        index = int((when - origin).total_seconds() // step)
        buckets[index][key] = buckets[index].get(key, 0) + 1
    multi_day = first.date() != last.date()
    starts = [origin + timedelta(seconds=step * i) for i in range(count)]
    return [
        (bucket_label(start, step, multi_day), values)
        for start, values in zip(starts, buckets, strict=True)
    ], step


__all__ = [
    "STEPS_S",
    "Series",
    "bucket_label",
    "choose_step",
    "stacked_bars",
    "stacked_columns",
    "time_buckets",
]
