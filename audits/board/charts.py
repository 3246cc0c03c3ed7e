"""SVG line charts for the board pack: axes scaled to the data, each line named at its end.

A fall from 90 to 88 must be visible, so the value axis spans the data (plus any target or
national line drawn), padded and rounded to a readable step, never a fixed 0-100. An axis that
does not start at 0 is marked as cut: a break mark (two slashes) at its foot and "axis from N"
under the title, so 95 to 100 cannot be read as a collapse. Each chart says which way is better.
One month is drawn as labelled points in the middle of the plot, not stacked on the axis. All
text is HTML-escaped.
"""

from __future__ import annotations

import html
import math

# Okabe-Ito colours (distinguishable with colour-blindness; one blue only).
COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#000000", "#8C564B", "#7F7F7F")


def axis_range(values: list[float], unit: str = "%") -> tuple[float, float, float]:
    """(low, high, step) of a value axis that fits `values` with some room and round ticks."""
    present = [v for v in values if v is not None and not math.isnan(v)]
    if not present:
        return 0.0, 100.0 if unit == "%" else 1.0, 20.0 if unit == "%" else 0.2
    lo, hi = min(present), max(present)
    span = max(hi - lo, 4.0 if unit == "%" else 0.5 * max(abs(hi), 1.0))
    middle = (lo + hi) / 2
    lo, hi = middle - span * 0.6, middle + span * 0.6
    if unit == "%":
        lo, hi = max(lo, 0.0), min(hi, 100.0)
    else:
        lo = max(lo, 0.0)
    raw = (hi - lo) / 5
    magnitude = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return math.floor(lo / step) * step, math.ceil(hi / step) * step, step


def _spread(ys: list[float], gap: float, top: float, bottom: float) -> list[float]:
    """Label positions near `ys`, at least `gap` apart, inside [top, bottom]."""
    order = sorted(range(len(ys)), key=lambda i: ys[i])
    placed = [0.0] * len(ys)
    last = top - gap
    for i in order:
        placed[i] = max(ys[i], last + gap)
        last = placed[i]
    overflow = last - bottom
    if overflow > 0:
        for i in order:
            placed[i] -= overflow
    return placed


def _fmt(value: float, unit: str) -> str:
    return f"{value:.1f}"


def direction(better: str | None) -> str:
    """'▲ higher is better' / '▼ lower is better' ('' when neither)."""
    return {"higher": "▲ higher is better", "lower": "▼ lower is better"}.get(better or "", "")


def axis_note(lo: float, better: str | None) -> str:
    """What a chart says under its title: which way is better, and where a cut axis starts."""
    parts = [direction(better)] if direction(better) else []
    if lo > 0:
        parts.append(f"axis cut: starts at {lo:g}")
    return "; ".join(parts)


def _title(text: str, x: int, limit: int) -> tuple[str, int]:
    """The title as one or two SVG lines (split at a space), and the height it takes."""
    esc = html.escape
    if len(text) <= limit:
        return f'<text x="{x}" y="15" font-size="12" font-weight="bold">{esc(text)}</text>', 0
    cut = text.rfind(" ", 0, limit)
    cut = cut if cut > 0 else limit
    first, second = text[:cut], text[cut:].strip()
    return (
        f'<text x="{x}" y="15" font-size="12" font-weight="bold">{esc(first)}'
        f'<tspan x="{x}" dy="14">{esc(second)}</tspan></text>',
        14,
    )


def line_chart(
    months: list[str],
    series: dict[str, list[float | None]],
    *,
    title: str,
    unit: str = "%",
    width: int = 460,
    height: int = 220,
    guides: dict[str, float] | None = None,
    label_width: int = 120,
    better: str | None = None,
) -> str:
    """An SVG line chart: one line per series, its name (and last value) at its end; `guides`
    are dashed horizontal lines (e.g. target, national) named at their right end; under the
    title, which way is `better` and, when the axis does not start at 0, that it is cut."""
    guides = {k: v for k, v in (guides or {}).items() if v is not None}
    values = [v for vs in series.values() for v in vs if v is not None] + list(guides.values())
    lo, hi, step = axis_range(values, unit)
    heading, extra = _title(title, 44, int((width - 44) / 6.8))
    note = axis_note(lo, better)
    if note:
        heading += (
            f'<text x="44" y="{28 + extra}" font-size="10" fill="#555">{html.escape(note)}</text>'
        )
        extra += 13
    left, top, bottom = 44, 26 + extra, 34
    plot_w, plot_h = width - left - label_width, height - top - bottom
    n = len(months)

    def x(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def y(v: float) -> float:
        return top + plot_h * (1 - (v - lo) / (hi - lo))

    esc = html.escape
    parts = [
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{esc(title)}">',
        heading,
    ]
    parts += _gridlines(lo, hi, step, left, plot_w, y)
    if lo > 0:  # the axis is cut: a break mark at its foot
        foot = top + plot_h
        parts.append(
            f'<path d="M{left - 5},{foot - 2} l10,-5 M{left - 5},{foot + 3} l10,-5" '
            'stroke="#333" stroke-width="1.3" fill="none"/>'
        )
    every = max(1, math.ceil(n / 8))
    for i, month in enumerate(months):
        if i % every == 0 or i == n - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - 14}" text-anchor="middle" font-size="10" '
                f'fill="#555">{esc(month)}</text>'
            )
    ends: list[tuple[float, str, str]] = []
    for name, value in guides.items():
        parts.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
            'stroke="#666" stroke-dasharray="5,4" stroke-width="1.2"/>'
        )
        ends.append((y(value), f"{name} {_fmt(value, unit)}", "#555"))
    for k, (name, vals) in enumerate(series.items()):
        colour = COLOURS[k % len(COLOURS)]
        points = [(x(i), y(v), v) for i, v in enumerate(vals) if v is not None]
        if not points:
            continue
        runs: list[list[tuple[float, float, float]]] = [[]]
        for i, v in enumerate(vals):  # a month with no value breaks the line
            if v is None:
                runs.append([])
            else:
                runs[-1].append((x(i), y(v), v))
        for run in runs:
            if len(run) > 1:
                path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _ in run)
                parts.append(
                    f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.2"/>'
                )
        parts.extend(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3.2" fill="{colour}"/>' for px, py, _ in points
        )
        last_y, last_v = points[-1][1], points[-1][2]
        ends.append((last_y, f"{name} {_fmt(last_v, unit)}", colour))
    placed = _spread([e[0] for e in ends], 12, top + 4, top + plot_h + 4)
    for (_, text, colour), ly in zip(ends, placed, strict=True):
        parts.append(
            f'<text x="{left + plot_w + 8}" y="{ly + 4:.1f}" font-size="10.5" '
            f'fill="{colour}">{esc(text)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    months: list[str],
    series: dict[str, list[float]],
    *,
    title: str,
    width: int = 460,
    height: int = 220,
    note: str = "",
) -> str:
    """Grouped bars per month (counts) from 0, with each bar's value above it and a key below;
    `note` (which way is better) under the title."""
    esc = html.escape
    left, top, bottom = 44, 26 + (13 if note else 0), 48
    plot_w, plot_h = width - left - 10, height - top - bottom
    top_value = max([v for vs in series.values() for v in vs] + [1])
    _, hi, step = axis_range([0.0, float(top_value)], unit="count")
    n, k = len(months), len(series)
    group = plot_w / max(n, 1)
    bar = min(28.0, group * 0.8 / max(k, 1))

    def y(v: float) -> float:
        return top + plot_h * (1 - v / hi)

    parts = [
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{esc(title)}">',
        f'<text x="{left}" y="15" font-size="12" font-weight="bold">{esc(title)}</text>',
    ]
    if note:
        parts.append(f'<text x="{left}" y="28" font-size="10" fill="#555">{esc(note)}</text>')
    parts += _gridlines(0.0, hi, step, left, plot_w, y)
    for i, month in enumerate(months):
        centre = left + group * (i + 0.5)
        start = centre - bar * k / 2
        for j, vals in enumerate(series.values()):
            v = vals[i]
            bx = start + j * bar
            parts.append(
                f'<rect x="{bx:.1f}" y="{y(v):.1f}" width="{bar - 2:.1f}" '
                f'height="{max(y(0) - y(v), 0):.1f}" fill="{COLOURS[j % len(COLOURS)]}"/>'
                f'<text x="{bx + (bar - 2) / 2:.1f}" y="{y(v) - 3:.1f}" font-size="9.5" '
                f'text-anchor="middle">{v:g}</text>'
            )
        parts.append(
            f'<text x="{centre:.1f}" y="{top + plot_h + 14}" text-anchor="middle" '
            f'font-size="10" fill="#555">{esc(month)}</text>'
        )
    kx = left
    for j, name in enumerate(series):
        parts.append(
            f'<rect x="{kx}" y="{height - 16}" width="10" height="10" '
            f'fill="{COLOURS[j % len(COLOURS)]}"/>'
            f'<text x="{kx + 14}" y="{height - 7}" font-size="10.5">{esc(name)}</text>'
        )
        kx += 24 + 7 * len(name)
    parts.append("</svg>")
    return "".join(parts)


def _gridlines(lo: float, hi: float, step: float, left: float, plot_w: float, y) -> list[str]:
    """Horizontal gridlines with their values at the left, from `lo` to `hi` every `step`."""
    out = []
    tick = lo
    while tick <= hi + step / 1000:
        out.append(
            f'<line x1="{left}" x2="{left + plot_w}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            'stroke="#e3e3e3"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end" font-size="10" '
            f'fill="#555">{tick:g}</text>'
        )
        tick += step
    return out
