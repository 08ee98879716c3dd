"""Minimal inline-SVG plots and HTML tables for self-contained reports (no plotting dependency)."""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

_WIDTH, _HEIGHT, _PAD = 640, 300, 48
_COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 980px; color: #222; }
h1 { font-size: 1.5em; } h2 { font-size: 1.15em; margin-top: 1.6em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 3px 8px; text-align: right; }
th { background: #f3f3f3; } td:first-child, th:first-child { text-align: left; }
svg { background: #fff; border: 1px solid #ddd; }
svg text { font-size: 11px; fill: #333; }
.legend span { display: inline-block; margin-right: 1em; }
"""


def page(title: str, body: str) -> str:
    """A whole HTML document with inline CSS."""
    return (f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head>\n"
            f"<body><h1>{html.escape(title)}</h1>\n{body}\n</body></html>\n")


def table(headers: Sequence[object], rows: Sequence[Sequence[object]]) -> str:
    """An HTML table; cells are escaped."""
    head = "".join(f"<th>{html.escape(str(h))}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _frame(x_label: str, y_label: str, x_ticks: Sequence[tuple[float, str]],
           y_ticks: Sequence[tuple[float, str]]) -> list[str]:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{_HEIGHT}" role="img">',
             f'<line x1="{_PAD}" y1="{_HEIGHT - _PAD}" x2="{_WIDTH - 10}" y2="{_HEIGHT - _PAD}" stroke="#888"/>',
             f'<line x1="{_PAD}" y1="10" x2="{_PAD}" y2="{_HEIGHT - _PAD}" stroke="#888"/>',
             f'<text x="{(_WIDTH + _PAD) / 2}" y="{_HEIGHT - 8}" text-anchor="middle">{html.escape(x_label)}</text>',
             f'<text x="12" y="{(_HEIGHT - _PAD) / 2}" transform="rotate(-90 12 {(_HEIGHT - _PAD) / 2})" '
             f'text-anchor="middle">{html.escape(y_label)}</text>']
    for x, label in x_ticks:
        parts.append(f'<text x="{x:.1f}" y="{_HEIGHT - _PAD + 14}" text-anchor="middle">{html.escape(label)}</text>')
    for y, label in y_ticks:
        parts.append(f'<text x="{_PAD - 4}" y="{y + 4:.1f}" text-anchor="end">{html.escape(label)}</text>')
    return parts


def _sx(fraction: float) -> float:
    return _PAD + fraction * (_WIDTH - _PAD - 60)  # room on the right for point labels


def _sy(fraction: float) -> float:
    return _HEIGHT - _PAD - fraction * (_HEIGHT - _PAD - 20)


def _unit_ticks() -> list[tuple[float, str]]:
    return [(_sy(v), f"{v:.1f}") for v in (0.0, 0.25, 0.5, 0.75, 1.0)]


def scatter(points: Sequence[tuple[float, float | None, str]], x_label: str, y_label: str) -> str:
    """Points (x > 0 on a log scale, y in [0, 1] or None, name), each labelled by name."""
    points = [(x, 0.0 if y is None else y, name) for x, y, name in points]
    if not points:
        return "<p>(no labels with positives)</p>"
    lo, hi = math.log10(min(p[0] for p in points)), math.log10(max(p[0] for p in points))
    span = max(hi - lo, 1e-9)
    ticks = [(_sx((e - lo) / span), f"{10 ** e:g}") for e in range(math.floor(lo), math.ceil(hi) + 1)
             if lo - 1e-9 <= e <= hi + 1e-9] or [(_sx(0.5), f"{10 ** lo:g}")]
    parts = _frame(x_label, y_label, ticks, _unit_ticks())
    for x, y, name in points:
        cx, cy = _sx((math.log10(x) - lo) / span if span > 1e-9 else 0.5), _sy(y)
        parts.append(f'<circle cx="{cx:.1f}" cy="{cy:.1f}" r="4" fill="{_COLOURS[0]}" fill-opacity="0.7">'
                     f'<title>{html.escape(name)}: {x} positives, F1 {y:.3f}</title></circle>')
        parts.append(f'<text x="{cx + 5:.1f}" y="{cy - 5:.1f}">{html.escape(name)}</text>')
    return "\n".join(parts + ["</svg>"])


def curves(series: Sequence[tuple[str, Sequence[float], Sequence[float]]], x_label: str, y_label: str) -> str:
    """Step curves on [0, 1] x [0, 1]: series of (name, xs, ys), with a legend."""
    if not series:
        return "<p>(no labels with positives)</p>"
    parts = _frame(x_label, y_label, [(_sx(v), f"{v:.1f}") for v in (0, 0.25, 0.5, 0.75, 1.0)], _unit_ticks())
    legend = []
    for k, (name, xs, ys) in enumerate(series):
        colour = _COLOURS[k % len(_COLOURS)]
        points = " ".join(f"{_sx(x):.1f},{_sy(y):.1f}" for x, y in zip([0.0] + list(xs), [ys[0]] + list(ys)))
        parts.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="1.5">'
                     f'<title>{html.escape(name)}</title></polyline>')
        legend.append(f'<span style="color:{colour}">&#9632; {html.escape(name)}</span>')
    return "\n".join(parts + ["</svg>", f'<div class="legend">{"".join(legend)}</div>'])


def bars(items: Sequence[tuple[str, float]], y_label: str) -> str:
    """One bar per (name, value); values may be any finite numbers."""
    if not items:
        return ""
    top = max(max(abs(v) for _, v in items), 1e-12)
    width = (_WIDTH - _PAD - 20) / len(items)
    parts = _frame("label", y_label, [], [(_sy(f), f"{f * top:.2g}") for f in (0, 0.5, 1.0)])
    for k, (name, value) in enumerate(items):
        h = abs(value) / top * (_HEIGHT - _PAD - 20)
        x = _PAD + k * width
        parts.append(f'<rect x="{x + 1:.1f}" y="{_HEIGHT - _PAD - h:.1f}" width="{max(width - 2, 1):.1f}" '
                     f'height="{h:.1f}" fill="{_COLOURS[0]}"><title>{html.escape(name)}: {value:.4g}</title></rect>')
        if len(items) <= 40:
            parts.append(f'<text x="{x + width / 2:.1f}" y="{_HEIGHT - _PAD + 14}" text-anchor="middle">'
                         f'{html.escape(name)}</text>')
    return "\n".join(parts + ["</svg>"])


def grouped_bars(names: Sequence[str], series: dict[str, Sequence[float]]) -> str:
    """Bars per label, one colour per run: ``series`` maps run name to values in [0, 1]."""
    if not names:
        return "<p>(no labels with positives)</p>"
    runs = list(series)
    group = (_WIDTH - _PAD - 20) / len(names)
    width = group / (len(runs) + 1)
    parts = _frame("label", "F1", [], _unit_ticks())
    legend = []
    for r, run in enumerate(runs):
        colour = _COLOURS[r % len(_COLOURS)]
        legend.append(f'<span style="color:{colour}">&#9632; {html.escape(run)}</span>')
        for k, value in enumerate(series[run]):
            h = value * (_HEIGHT - _PAD - 20)
            x = _PAD + k * group + r * width
            parts.append(f'<rect x="{x:.1f}" y="{_HEIGHT - _PAD - h:.1f}" width="{width:.1f}" height="{h:.1f}" '
                         f'fill="{colour}"><title>{html.escape(names[k])}, {html.escape(run)}: F1 {value:.3f}'
                         f'</title></rect>')
    for k, name in enumerate(names[:40]):
        parts.append(f'<text x="{_PAD + (k + 0.5) * group:.1f}" y="{_HEIGHT - _PAD + 14}" text-anchor="middle">'
                     f'{html.escape(name)}</text>')
    return "\n".join(parts + ["</svg>", f'<div class="legend">{"".join(legend)}</div>'])
