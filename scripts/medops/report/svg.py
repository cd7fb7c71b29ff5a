"""Inline SVG bar charts: no JavaScript, no external fonts or files, printable on white paper.

`bar_chart` draws one or more panels that share the x axis (the same items in the same order), for
example a backup's size above its duration. Every bar carries a <title> so a reader can hover it, and the
chart an aria-label for screen readers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#1f4e79", "#5b9bd5", "#a9c9e8", "#7f7f7f", "#c55a11")
FONT = "font-family:sans-serif;font-size:10px;fill:#333"


@dataclass(frozen=True)
class Bar:
    value: float
    category: str  # legend key: bars of one category share a colour
    tooltip: str  # shown on hover (<title>)
    tick: str = ""  # x-axis label under this bar, or "" for none


@dataclass(frozen=True)
class Panel:
    title: str
    bars: tuple[Bar, ...]
    axis: Callable[[float], str]  # formats y-axis tick values


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 x 10^n that is at least `value` (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10.0 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10.0 * power


def _text(x: float, y: float, content: str, anchor: str = "start", style: str = FONT) -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" style="{style}">{escape(content)}</text>'


def bar_chart(
    panels: Sequence[Panel],
    legend: Sequence[tuple[str, str]],
    *,
    label: str,
    width: int = 720,
    panel_height: int = 130,
) -> str:
    """An <svg> with one panel per entry of `panels`; `legend` maps category keys to their labels."""
    colours = {key: PALETTE[i % len(PALETTE)] for i, (key, _) in enumerate(legend)}
    left, right, top = 64, 12, 26
    plot_width = width - left - right
    count = max((len(p.bars) for p in panels), default=0)
    slot = plot_width / max(count, 1)
    bar_width = max(1.0, slot * 0.7)
    parts: list[str] = []
    x = float(left)
    for key, name in legend:
        parts.append(f'<rect x="{x:.1f}" y="6" width="10" height="10" fill="{colours[key]}"/>')
        parts.append(_text(x + 14, 15, name))
        x += 24 + 7 * len(name)
    y0 = top
    for panel in panels:
        y0 += 18
        parts.append(_text(left, y0 - 6, panel.title, style=FONT + ";font-weight:bold"))
        ceiling = nice_ceiling(max((b.value for b in panel.bars), default=0))
        base = y0 + panel_height
        for fraction in (0.0, 0.5, 1.0):
            y = base - fraction * panel_height
            parts.append(
                f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                f'stroke="{"#666" if fraction == 0 else "#ddd"}" stroke-width="1"/>'
            )
            parts.append(_text(left - 4, y + 3, panel.axis(ceiling * fraction), anchor="end"))
        for index, bar in enumerate(panel.bars):
            height = panel_height * bar.value / ceiling if ceiling else 0
            bx = left + index * slot + (slot - bar_width) / 2
            parts.append(
                f'<rect x="{bx:.1f}" y="{base - height:.1f}" width="{bar_width:.1f}" height="{height:.1f}" '
                f'fill="{colours.get(bar.category, PALETTE[-1])}"><title>{escape(bar.tooltip)}</title></rect>'
            )
        y0 = base + 6
    last = panels[-1].bars if panels else ()
    for index, bar in enumerate(last):
        if bar.tick:
            tx = left + index * slot + slot / 2
            parts.append(_text(tx, y0 + 10, bar.tick, anchor="middle", style=FONT + ";font-size:9px"))
    height = y0 + 18
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>"
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>' + "".join(parts) + "</svg>"
    )


# --- line charts ----------------------------------------------------------------------------------------

MARK_COLOURS = {"warning": "#b36b00", "critical": "#b00020"}


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float | None, ...]  # one per tick of the chart; None where there is no value


@dataclass(frozen=True)
class LinePanel:
    title: str
    series: tuple[Series, ...]
    axis: Callable[[float], str]  # formats y-axis tick values and tooltips
    ceiling: float | None = None  # a fixed top of the y axis (1.0 for shares), else from the data
    marks: tuple[tuple[float, str], ...] = ()  # dashed reference lines: (value, "warning" | "critical")


def _polyline(points: Sequence[str], colour: str) -> list[str]:
    if len(points) < 2:
        return []
    return [f'<polyline points="{" ".join(points)}" fill="none" stroke="{colour}" stroke-width="1.5"/>']


def line_chart(
    panels: Sequence[LinePanel],
    ticks: Sequence[str],
    *,
    label: str,
    width: int = 720,
    panel_height: int = 100,
) -> str:
    """An <svg> with one panel per entry of `panels`, sharing the x axis `ticks` (e.g. ISO weeks).

    Every point carries a <title> with its series, tick and value; reference lines show thresholds.
    """
    left, right, top = 64, 40, 8  # room on the right for the last tick's label, centred on its point
    plot_width = width - left - right
    count = max(len(ticks), 1)
    step = plot_width / max(count - 1, 1)

    def x_of(index: int) -> float:
        return left + (index * step if count > 1 else plot_width / 2)

    parts: list[str] = []
    y0 = float(top)
    for panel in panels:
        y0 += 18
        parts.append(_text(left, y0 - 6, panel.title, style=FONT + ";font-weight:bold"))
        lx = float(width - right)
        for index, series in reversed(list(enumerate(panel.series))):
            name_width = 14 + 6.2 * len(series.name)
            lx -= name_width + 8
            colour = PALETTE[index % len(PALETTE)]
            parts.append(f'<rect x="{lx:.1f}" y="{y0 - 14:.1f}" width="10" height="10" fill="{colour}"/>')
            parts.append(_text(lx + 14, y0 - 5, series.name))
        values = [v for s in panel.series for v in s.values if v is not None]
        highest = max([*values, *(m for m, _ in panel.marks)], default=0.0)
        ceiling = panel.ceiling if panel.ceiling is not None else nice_ceiling(highest)
        ceiling = max(ceiling, nice_ceiling(highest)) if highest > ceiling else ceiling
        base = y0 + panel_height
        for fraction in (0.0, 0.5, 1.0):
            y = base - fraction * panel_height
            parts.append(
                f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                f'stroke="{"#666" if fraction == 0 else "#ddd"}" stroke-width="1"/>'
            )
            parts.append(_text(left - 4, y + 3, panel.axis(ceiling * fraction), anchor="end"))

        def y_of(value: float, base: float = base, ceiling: float = ceiling) -> float:
            return base - panel_height * min(value, ceiling) / ceiling if ceiling else base

        for mark, kind in panel.marks:
            y = y_of(mark)
            parts.append(
                f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                f'stroke="{MARK_COLOURS.get(kind, "#999")}" stroke-width="1" stroke-dasharray="4 3"/>'
            )
        for index, series in enumerate(panel.series):
            colour = PALETTE[index % len(PALETTE)]
            run: list[str] = []
            for position, point in enumerate(series.values):
                if point is None:
                    parts += _polyline(run, colour)
                    run = []
                    continue
                x, y = x_of(position), y_of(point)
                run.append(f"{x:.1f},{y:.1f}")
                tick = ticks[position] if position < len(ticks) else ""
                parts.append(
                    f'<circle cx="{x:.1f}" cy="{y:.1f}" r="2.5" fill="{colour}">'
                    f"<title>{escape(f'{series.name}, {tick}: {panel.axis(point)}')}</title></circle>"
                )
            parts += _polyline(run, colour)
        y0 = base + 14
    every = max(1, round(count / 13))
    for index, tick in enumerate(ticks):
        if index % every == 0 or index == count - 1:
            parts.append(_text(x_of(index), y0 + 10, tick, anchor="middle", style=FONT + ";font-size:9px"))
    height = int(y0 + 18)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>"
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>' + "".join(parts) + "</svg>"
    )


# --- timelines --------------------------------------------------------------------------------------------

TIMELINE_MARKS = {"budget": "#b00020", "ok": "#2e7d32", "event": "#7f7f7f"}


@dataclass(frozen=True)
class Span:
    """One bar of a timeline: a phase from `start` for `seconds` (seconds after the chart's origin)."""

    lane: str  # the row it is drawn in (lanes keep their first appearance's order)
    start: float
    seconds: float
    category: str  # legend key: spans of one category share a colour
    tooltip: str


@dataclass(frozen=True)
class Mark:
    """A vertical line across every lane: the RTO budget, the moment users were served again."""

    at: float
    text: str
    kind: str  # "budget", "ok" or "event"


def timeline_chart(
    spans: Sequence[Span],
    legend: Sequence[tuple[str, str]],
    *,
    axis_max: float,
    axis: Callable[[float], str],
    marks: Sequence[Mark] = (),
    label: str,
    width: int = 720,
    lane_height: int = 18,
) -> str:
    """An <svg> Gantt chart: one lane per phase, bars on a shared time axis, marks as dashed lines.

    A bar shorter than a pixel is still drawn a pixel wide, so no phase disappears on a long axis.
    """
    colours = {key: PALETTE[i % len(PALETTE)] for i, (key, _) in enumerate(legend)}
    lanes: list[str] = []
    for span in spans:
        if span.lane not in lanes:
            lanes.append(span.lane)
    left = 12 + min(200, 6 * max((len(lane) for lane in lanes), default=4))
    right, top = 16, 50
    plot = width - left - right
    top_value = axis_max if axis_max > 0 else 1.0

    def x_of(value: float) -> float:
        return left + plot * min(max(value, 0.0), top_value) / top_value

    parts: list[str] = []
    x = float(left)
    for key, name in legend:
        parts.append(f'<rect x="{x:.1f}" y="6" width="10" height="10" fill="{colours[key]}"/>')
        parts.append(_text(x + 14, 15, name))
        x += 24 + 7 * len(name)
    bottom = top + lane_height * max(len(lanes), 1)
    for fraction in (0.0, 0.25, 0.5, 0.75, 1.0):
        gx = left + plot * fraction
        parts.append(
            f'<line x1="{gx:.1f}" y1="{top - 4}" x2="{gx:.1f}" y2="{bottom:.1f}" '
            f'stroke="{"#666" if fraction == 0 else "#ddd"}" stroke-width="1"/>'
        )
        anchor = "end" if fraction == 1.0 else ("start" if fraction == 0 else "middle")
        parts.append(_text(gx, bottom + 12, axis(top_value * fraction), anchor=anchor))
    for index, lane in enumerate(lanes):
        y = top + index * lane_height
        parts.append(_text(left - 6, y + lane_height * 0.7, lane, anchor="end"))
        for span in spans:
            if span.lane != lane:
                continue
            bx = x_of(span.start)
            bw = max(1.0, x_of(span.start + span.seconds) - bx)
            colour = colours.get(span.category, PALETTE[-1])
            parts.append(
                f'<rect x="{bx:.1f}" y="{y + 3:.1f}" width="{bw:.1f}" height="{lane_height - 6}" '
                f'fill="{colour}"><title>{escape(span.tooltip)}</title></rect>'
            )
    for mark in marks:
        mx = x_of(mark.at)
        colour = TIMELINE_MARKS.get(mark.kind, "#999")
        parts.append(
            f'<line x1="{mx:.1f}" y1="{top - 16}" x2="{mx:.1f}" y2="{bottom:.1f}" stroke="{colour}" '
            f'stroke-width="1.5" stroke-dasharray="5 3"><title>{escape(mark.text)}</title></line>'
        )
        anchor = "end" if mx > left + plot * 0.6 else "start"
        shift = -3 if anchor == "end" else 3
        parts.append(_text(mx + shift, top - 18, mark.text, anchor=anchor, style=FONT + f";fill:{colour}"))
    height = int(bottom + 20)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(label)}">'
        f"<title>{escape(label)}</title>"
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>' + "".join(parts) + "</svg>"
    )
