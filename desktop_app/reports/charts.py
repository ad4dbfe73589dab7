"""The progress charts, defined once: the Progress view draws them on screen and the PDF
report embeds them, from the same functions (matplotlib ``Figure``; no pyplot, no Qt).

Why matplotlib: it draws one ``Figure`` both to pixels (the window) and to SVG (the PDF, as
vectors), works with PySide6-Essentials, and never downloads anything. It is heavy to import
(~0.5 s), so only this module imports it, and only when a chart is first drawn: never at
start-up. A figure is drawn by one thread at a time (matplotlib's caches are not thread-safe).

Each chart is a :class:`Chart`: a name, a title, and ``draw(fig, report)``. Its data come from
:func:`trend`, :func:`weekly`, which tests read to check what a chart holds.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

import numpy as np

from desktop_app.reports.model import DIMENSION_TITLES, Report
from desktop_app.storage.progress import DELIVERY_KEYS, SCORE_KEYS

if TYPE_CHECKING:
    from matplotlib.figure import Figure

ROLLING = 5  # the rolling average spans at least this many attempts (more on long series)
COLOURS = {"overall": "#102a43", "star": "#7c3aed", "specificity": "#15803d",
           "jargon": "#d97706", "delivery": "#2563eb", "reasoning": "#be185d",
           "wpm": "#2563eb", "fillers_per_min": "#c63737", "hedges": "#7c3aed"}
DELIVERY_TITLES = {"wpm": "Words per minute", "fillers_per_min": "Fillers per minute",
                   "hedges": "Hedges per answer"}
_METADATA = re.compile(rb"<metadata>.*?</metadata>", re.S)
PACE_BAND = (125.0, 170.0)  # assets/analysis/delivery.toml's ideal pace, shaded on the chart


@dataclass(frozen=True)
class Trend:
    """One line of a trend chart: the points that have a value, and their rolling average."""

    key: str
    times: list[datetime]
    values: list[float]
    counts: list[int]  # attempts behind each point (1 unless averaged, see storage.progress)
    ids: list[int | None]
    rolling: list[float]


def rolling_span(attempts: int) -> int:
    """How many attempts the rolling average spans: 5, up to 20 on a long history."""
    return max(ROLLING, min(20, attempts // 12))


def rolling_mean(values: Sequence[float], counts: Sequence[int], span: int = ROLLING
                 ) -> list[float]:
    """The mean of the last ``span`` attempts at each point (points weighted by count)."""
    v = np.asarray(values, dtype=float)
    c = np.asarray(counts, dtype=float)
    out = []
    for i in range(len(v)):
        j, n = i, 0.0
        while j > 0 and n + c[j] < span:
            n += c[j]
            j -= 1
        w = c[j:i + 1]
        out.append(float(np.dot(v[j:i + 1], w) / w.sum()))
    return out


def trend(report: Report, key: str) -> Trend:
    pts = [p for p in report.series if p.values.get(key) is not None]
    values = [float(p.values[key]) for p in pts]
    counts = [p.count for p in pts]
    return Trend(key, [p.at for p in pts], values, counts, [p.attempt_id for p in pts],
                 rolling_mean(values, counts, rolling_span(sum(counts))))


def weekly(report: Report) -> tuple[list[date], list[float]]:
    """Week starts and minutes practised, every week of the span (empty weeks as 0)."""
    if not report.weeks:
        return [], []
    minutes = {w.start: w.seconds / 60 for w in report.weeks}
    first, last = report.weeks[0].start, report.weeks[-1].start
    days = (last - first).days // 7 + 1
    starts = [date.fromordinal(first.toordinal() + 7 * i) for i in range(days)]
    return starts, [minutes.get(s, 0.0) for s in starts]


# ---- drawing ------------------------------------------------------------------------------

def _date_axis(ax: Any) -> None:
    import matplotlib.dates as mdates

    loc = mdates.AutoDateLocator(minticks=3, maxticks=6)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc, show_offset=False))


def _style(ax: Any, title: str) -> None:
    ax.set_title(title, loc="left", fontsize=9.5, color="#243b53", fontweight="bold")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.spines["left"].set_color("#bcccdc")
    ax.spines["bottom"].set_color("#bcccdc")
    ax.tick_params(labelsize=7.5, colors="#486581")
    ax.grid(axis="y", color="#e4e7eb", linewidth=0.6)


def _draw_trend(ax: Any, t: Trend, title: str, ylim: tuple[float, float] | None) -> None:
    _style(ax, title)
    colour = COLOURS.get(t.key, "#334e68")
    if not t.values:
        ax.text(0.5, 0.5, "not judged in this period", ha="center", va="center",
                transform=ax.transAxes, fontsize=8, color="#829ab1")
        ax.tick_params(left=False, bottom=False, labelleft=False, labelbottom=False)
        ax.grid(False)
        return
    sizes = [10 + min(30, 3 * (c - 1)) for c in t.counts]
    ax.scatter(t.times, t.values, s=sizes, color=colour, alpha=0.35, linewidths=0, zorder=2)
    ax.plot(t.times, t.rolling, color=colour, linewidth=1.8, zorder=3)
    if ylim:
        ax.set_ylim(*ylim)
    _date_axis(ax)


def draw_scores(fig: Figure, report: Report) -> None:
    """Overall and each dimension over time: a point per attempt, the rolling average line."""
    axes = fig.subplots(2, 3)
    for ax, key in zip(axes.flat, SCORE_KEYS, strict=True):
        _draw_trend(ax, trend(report, key), DIMENSION_TITLES[key], (0, 100))


def draw_delivery(fig: Figure, report: Report) -> None:
    """Words per minute (ideal band shaded), fillers per minute and hedges over time."""
    axes = fig.subplots(1, 3)
    for ax, key in zip(axes.flat, DELIVERY_KEYS, strict=True):
        t = trend(report, key)
        _draw_trend(ax, t, DELIVERY_TITLES[key], None)
        if key == "wpm" and t.values:
            ax.axhspan(*PACE_BAND, color="#dcfce7", zorder=0, linewidth=0)
        if t.values:
            ax.set_ylim(bottom=0)


def draw_weeks(fig: Figure, report: Report) -> None:
    """Minutes practised per week."""
    ax = fig.subplots()
    _style(ax, "Minutes practised per week")
    starts, minutes = weekly(report)
    if not starts:
        ax.text(0.5, 0.5, "no practice in this period", ha="center", va="center",
                transform=ax.transAxes, fontsize=8, color="#829ab1")
        return
    ax.bar(starts, minutes, width=5, color="#627d98", align="edge")
    _date_axis(ax)


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    draw: Callable[[Figure, Report], None]
    aspect: float  # height / width (on a page)
    screen_max: int  # the tallest it is drawn on screen, in logical pixels

    def screen_height(self, width: int) -> int:
        return min(int(width * self.aspect), self.screen_max)


CHARTS = {
    "scores": Chart("scores", "Scores over time", draw_scores, 0.5, 390),
    "delivery": Chart("delivery", "Delivery over time", draw_delivery, 0.3, 230),
    "weeks": Chart("weeks", "Practice time per week", draw_weeks, 0.28, 190),
}


def figure(chart: Chart, report: Report, width_in: float, height_in: float | None = None,
           dpi: float = 100) -> Figure:
    """A new Figure with ``chart`` drawn on it (height from the chart's aspect by default)."""
    from matplotlib.figure import Figure

    height_in = height_in or width_in * chart.aspect
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    fig.patch.set_facecolor("white")
    chart.draw(fig, report)
    _margins(fig, width_in, height_in)
    return fig


def _margins(fig: Figure, width_in: float, height_in: float) -> None:
    """Fixed margins in inches (room for tick labels and titles). Matplotlib's constrained
    layout measures every label first and cost more than the drawing itself."""
    rows, cols = fig.axes[0].get_subplotspec().get_gridspec().get_geometry()
    fig.subplots_adjust(left=0.42 / width_in, right=1 - 0.12 / width_in,
                        bottom=0.32 / height_in, top=1 - 0.26 / height_in,
                        wspace=0.5 / (width_in / cols), hspace=0.78 / (height_in / rows))


def render_rgba(chart: Chart, report: Report, width_px: int, height_px: int,
                scale: float = 1.0) -> tuple[bytes, int, int]:
    """The chart as RGBA pixels at ``width_px`` x ``height_px`` logical pixels times
    ``scale`` (the screen's device pixel ratio): (bytes, width, height)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    fig = figure(chart, report, max(width_px, 50) / 100, max(height_px, 40) / 100,
                 dpi=100 * scale)
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    w, h = canvas.get_width_height(physical=True)
    return bytes(canvas.buffer_rgba()), w, h


def render_svg(chart: Chart, report: Report, width_in: float) -> bytes:
    """The chart as SVG (vectors; text as paths, so it looks the same everywhere)."""
    from matplotlib.backends.backend_svg import FigureCanvasSVG

    fig = figure(chart, report, width_in)
    buf = io.BytesIO()
    FigureCanvasSVG(fig).print_svg(buf, metadata={"Date": None})
    return _METADATA.sub(b"", buf.getvalue())  # RDF that PDF embedding has no use for
