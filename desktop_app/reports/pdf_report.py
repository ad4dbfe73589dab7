"""The PDF progress report a candidate could show a coach (fpdf2; charts from reports.charts).

Page 1 is the summary: the period, attempts, time practised, streak, every dimension's average
with its change since the start of the period, the strongest and weakest dimension, and the top
three things to work on. Then the trend charts (the same chart definitions the Progress view
draws, embedded as vector SVG), the coverage table, and optionally one page per attempt
(question, transcript with its STAR parts marked, scores, tips, note).

Why fpdf2: pure Python (3 MB with fontTools and Pillow, which matplotlib brings anyway), tables
built in, SVG drawn as vectors, Unicode through a TrueType font. The font is the DejaVu Sans
that ships inside matplotlib, so the PDF looks the same on every system.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from io import BytesIO
from pathlib import Path
from typing import Any

from desktop_app.reports import charts
from desktop_app.reports.atomic import write_bytes
from desktop_app.reports.chart_process import ChartDrawer, InProcessCharts
from desktop_app.reports.model import DIMENSION_TITLES, Report
from desktop_app.reports.records import AttemptRecord
from desktop_app.storage.progress import SCORE_KEYS
from desktop_app.textfmt import fmt_time, long_date, short_date

INK = (16, 42, 67)
MUTED = (98, 125, 152)
STAR_FILL = {"S": (219, 234, 254), "T": (237, 233, 254), "A": (220, 252, 231),
             "R": (254, 243, 199)}
STAR_NAMES = {"S": "Situation", "T": "Task", "A": "Action", "R": "Result", "O": ""}
Progress = Callable[[float, str], None]  # (0..1 done, what is being done)


def _fonts_dir() -> Path:
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def _arrow(change: float | None) -> str:
    if change is None:
        return "—"
    if abs(change) < 0.5:
        return f"→ {change:+.1f}"
    return f"{'↑' if change > 0 else '↓'} {change:+.1f}"


def _num(v: float | None, digits: int = 1) -> str:
    return "—" if v is None else f"{v:.{digits}f}"


def _hours(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


class _Doc:
    """An FPDF with the report's fonts, header and footer."""

    def __init__(self, title: str) -> None:
        from fpdf import FPDF

        class Pdf(FPDF):
            def footer(inner) -> None:  # noqa: N805 (fpdf's hook)
                inner.set_y(-12)
                inner.set_font("DejaVu", size=7.5)
                inner.set_text_color(*MUTED)
                inner.cell(0, 5, f"{title} · page {inner.page_no()}", align="C")

        self.pdf = Pdf(format="A4", unit="mm")
        self.pdf.set_title(title)
        self.pdf.set_creator("Rehearse")
        self.pdf.set_auto_page_break(True, margin=16)
        self.pdf.set_margins(16, 16, 16)
        fonts = _fonts_dir()
        self.pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
        self.pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
        self.pdf.add_font("DejaVu", "I", str(fonts / "DejaVuSans-Oblique.ttf"))

    def heading(self, text: str, size: float = 15) -> None:
        p = self.pdf
        p.set_font("DejaVu", "B", size)
        p.set_text_color(*INK)
        p.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
        p.ln(1.5)

    def text(self, text: str, size: float = 9.5, style: str = "", colour=INK, h=5.0) -> None:
        p = self.pdf
        p.set_font("DejaVu", style, size)
        p.set_text_color(*colour)
        p.multi_cell(0, h, text, align="L", new_x="LMARGIN", new_y="NEXT")

    def table(self, rows: list[list[str]], widths: tuple[float, ...], size: float = 8.5,
              align: str = "LEFT", muted_rows: set[int] | None = None) -> None:
        from fpdf.fonts import FontFace

        p = self.pdf
        p.set_font("DejaVu", size=size)
        p.set_text_color(*INK)
        head = FontFace(emphasis="BOLD", fill_color=(240, 244, 248), color=INK)
        with p.table(col_widths=widths, text_align=align, line_height=size * 0.55,
                     headings_style=head, borders_layout="HORIZONTAL_LINES",
                     padding=(1.2, 1.5), width=p.epw) as table:
            for i, values in enumerate(rows):
                row = table.row()
                style = FontFace(color=MUTED) if muted_rows and i in muted_rows else None
                for v in values:
                    row.cell(v, style=style)
        p.ln(3)


def _summary_page(doc: _Doc, report: Report) -> None:
    s = report.summary
    doc.heading("Rehearse progress report", 18)
    doc.text(f"Period: {report.period_text()}", 11, "B")
    scope = ", ".join(report.filter.competencies) or "all competencies"
    if report.filter.kinds:
        scope += " · " + ", ".join(report.filter.kinds)
    doc.text(f"Covers: {scope}. Generated {short_date(report.generated_at.isoformat())}.",
             9, colour=MUTED)
    doc.pdf.ln(3)
    if report.empty:
        doc.text("No attempts in this period. Answer a question in Rehearse, then make the "
                 "report again.", 11)
        return
    st = report.streak
    facts = [["Attempts", "Scored answers", "Time practised", "Days practised, this week",
              "Current streak", "Longest streak"],
             [str(s.attempts), str(s.scored), _hours(s.practice_s), str(st.days_this_week),
              f"{st.current} day{'s' if st.current != 1 else ''}",
              f"{st.longest} day{'s' if st.longest != 1 else ''}"]]
    doc.table(facts, (1, 1, 1, 1, 1, 1), size=9, align="CENTER")
    doc.heading("Averages", 12)
    rows = [["Dimension", "Average", f"First {s.window}", f"Last {s.window}", "Change"]]
    for key in SCORE_KEYS:
        rows.append([DIMENSION_TITLES[key], _num(s.averages[key]), _num(s.start[key]),
                     _num(s.end[key]), _arrow(s.change[key])])
    doc.table(rows, (2, 1, 1, 1, 1))
    doc.text(f"Change: the average of the last {s.window} scored answers minus that of the "
             f"first {s.window} in the period. Scores are 0–100; — means not judged "
             "(reasoning on behavioural questions, delivery of typed answers).", 8, colour=MUTED)
    doc.pdf.ln(2)
    if report.strongest and report.weakest:
        doc.text(f"Strongest dimension: {DIMENSION_TITLES[report.strongest]} "
                 f"({_num(s.averages[report.strongest])}).   Weakest: "
                 f"{DIMENSION_TITLES[report.weakest]} ({_num(s.averages[report.weakest])}).",
                 10, "B")
        doc.pdf.ln(2)
    doc.heading("Top three things to work on", 12)
    for i, point in enumerate(report.focus, 1):
        doc.text(f"{i}. {point.text}", 10)
        doc.text(f"    {point.why}", 8.5, colour=MUTED)


def _chart_pages(doc: _Doc, report: Report, progress: Progress | None,
                 drawer: ChartDrawer | None) -> None:
    if report.empty:
        return
    doc.pdf.add_page()
    doc.heading("Trends", 14)
    doc.text("Each dot is one answer (a larger dot averages several answers close in time); "
             "the line is the rolling average of the last "
             f"{charts.rolling_span(report.summary.scored)} answers.", 8.5,
             colour=MUTED)
    doc.pdf.ln(2)
    width_mm = doc.pdf.epw
    drawer = drawer or InProcessCharts()
    for i, (name, chart) in enumerate(charts.CHARTS.items()):
        if progress:
            progress(0.2 + 0.5 * i / len(charts.CHARTS), f"Drawing “{chart.title}”…")
        svg = drawer.svg(name, report, 7.2)
        height = width_mm * chart.aspect
        if doc.pdf.get_y() + height > doc.pdf.page_break_trigger:
            doc.pdf.add_page()
        doc.pdf.image(BytesIO(svg), x=doc.pdf.l_margin, w=width_mm, h=height)
        doc.pdf.ln(3)


def _coverage_page(doc: _Doc, report: Report) -> None:
    doc.pdf.add_page()
    doc.heading("Coverage by competency", 14)
    rows = [["Competency", "Answers", "Best", "Latest", "Last practised", "Weakest"]]
    muted: set[int] = set()
    for r in report.coverage:
        if not r.attempts:
            muted.add(len(rows))
            rows.append([r.competency, "0", "—", "—", "never practised", "—"])
            continue
        last = r.last_at.astimezone().strftime("%Y-%m-%d") if r.last_at else "—"
        weakest = DIMENSION_TITLES.get(r.weakest or "", "—")
        rows.append([r.competency, str(r.attempts), _num(r.best, 0), _num(r.latest, 0), last,
                     weakest])
    doc.table(rows, (3.2, 1, 0.8, 0.8, 1.5, 1.3), muted_rows=muted)


def _attempt_page(doc: _Doc, rec: AttemptRecord) -> None:
    p = doc.pdf
    p.add_page()
    a = rec.attempt
    doc.heading(f"Attempt {rec.id}: {rec.question_text}", 12)
    if a.prompt_text:
        doc.text(f"Answer to the follow-up: {a.prompt_text}", 9.5, "I")
    doc.text(f"{long_date(a.started_at)} · {fmt_time(a.duration_s)}"
             + (f" · {a.model}" if a.model else "") + f" · {a.status}", 8.5, colour=MUTED)
    p.ln(2)
    an = rec.analysis
    if an is not None:
        rows = [[DIMENSION_TITLES[k] for k in SCORE_KEYS],
                [_num(an.scores.get(k), 0) for k in SCORE_KEYS]]
        doc.table(rows, (1,) * len(SCORE_KEYS), align="CENTER")
    doc.heading("Transcript", 11)
    text = an.text if an is not None else (rec.transcript.text or a.transcript_text)
    if not text:
        doc.text("(no transcript)", 9.5, "I", MUTED)
    elif an is None or not an.star.sentences:
        doc.text(text, 9.5)
    else:
        doc.text("Marked: S Situation · T Task · A Action · R Result", 8, colour=MUTED)
        p.ln(1)
        for unit in an.star.sentences:
            fill = STAR_FILL.get(unit.label)
            p.set_font("DejaVu", "B", 8)
            p.set_text_color(*MUTED)
            p.cell(7, 5, unit.label if unit.label in STAR_FILL else "·")
            p.set_font("DejaVu", "", 9.5)
            p.set_text_color(*INK)
            if fill:
                p.set_fill_color(*fill)
            p.multi_cell(0, 5, unit.text.strip(), fill=bool(fill), new_x="LMARGIN",
                         new_y="NEXT")
            p.ln(0.6)
    if an is not None and an.tips:
        p.ln(2)
        doc.heading("Tips", 11)
        for tip in an.tips:
            doc.text(f"• {tip}", 9.5)
    if a.note:
        p.ln(2)
        doc.heading("Note", 11)
        doc.text(a.note, 9.5, "I")


def pdf_bytes(report: Report, *, attempt_pages: bool = False,
              progress: Progress | None = None, rounds: Sequence[Any] = (),
              drawer: ChartDrawer | None = None) -> bytes:
    """``rounds``: the period's mock interviews (DatedRound), a section each; ``drawer``
    draws the charts (the window's chart process), else this thread does."""
    doc = _Doc("Rehearse progress report")
    doc.pdf.add_page()
    _summary_page(doc, report)
    _chart_pages(doc, report, progress, drawer)
    if progress:
        progress(0.75, "Writing the coverage table…")
    _coverage_page(doc, report)
    if rounds:
        from desktop_app.reports.pdf_rounds import round_section

        for dated in rounds:
            round_section(doc, dated)
    if attempt_pages:
        n = len(report.attempts)
        for i, rec in enumerate(report.attempts):
            if progress and i % 10 == 0:
                progress(0.8 + 0.18 * i / max(1, n), f"Attempt pages ({i} of {n})…")
            _attempt_page(doc, rec)
    return bytes(doc.pdf.output())


def write_pdf(report: Report, path: str | os.PathLike[str], *, attempt_pages: bool = False,
              progress: Progress | None = None, rounds: Sequence[Any] = (),
              drawer: ChartDrawer | None = None) -> Path:
    data = pdf_bytes(report, attempt_pages=attempt_pages, progress=progress, rounds=rounds,
                     drawer=drawer)
    if progress:
        progress(0.99, "Saving…")
    return write_bytes(path, data)


__all__ = ["pdf_bytes", "write_pdf"]
