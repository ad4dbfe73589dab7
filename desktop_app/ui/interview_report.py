"""The round report on screen: the overall, strongest and weakest dimension, three things to
work on, then each question with its scores, time against the target, the follow-up and its
answer, and where the follow-up came from. **Export…** writes it as a PDF (the report
machinery's round section) or JSON."""

from __future__ import annotations

import html
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.session.report import (
    DIMENSION_LABELS,
    AnswerReport,
    ItemReport,
    RoundReport,
    write_json,
)
from desktop_app.session.schedule import GRADES
from desktop_app.textfmt import fmt_score, fmt_time
from desktop_app.ui.widgets import Banner

STATUS = {"completed": "Completed", "ended": "Ended early", "closed": "Closed after a restart"}
SCORE_ORDER = ("overall", "star", "specificity", "jargon", "delivery", "reasoning", "focus")
SCORE_LABELS = {"overall": "Overall", "focus": "Focus", **DIMENSION_LABELS}
SOURCES = {"answer": "chosen from what your answer lacked",
           "timeout": "a standard follow-up: the scores came too late",
           "failed": "a standard follow-up: the answer could not be scored",
           "probe": "a standard follow-up"}


def _e(text: object) -> str:
    return html.escape(str(text))


def _scores(a: AnswerReport) -> str:
    parts = [f"{SCORE_LABELS[k]} <b>{fmt_score(a.scores.get(k))}</b>"
             for k in SCORE_ORDER if k in a.scores]
    return " · ".join(parts) or "not scored"


def _time(a: AnswerReport) -> str:
    used = a.duration_s or 0.0
    over = a.over_target_s
    note = (f", <span style='color:#c63737'>{fmt_time(over)} over</span>" if over >= 1 else
            ", within the target")
    ended = {"silence": " (ended on silence)", "hard_stop": " (hard stop)",
             "end": " (round ended)", "pause": " (paused)", "skip": " (skipped)"}.get(
        a.ended_by or "", "")
    return f"{fmt_time(used)} of {fmt_time(a.target_s)} target{note}{ended}"


def _grade_html(attempt_id: int, grade: str) -> str:
    """The review grade the answer got, and one-click links to change it."""
    others = " ".join(f"<a href='grade:{attempt_id}:{g}'>{g.title()}</a>"
                      for g in GRADES if g != grade)
    return (f"<p style='color:#486581'>Comes back for review as <b>{grade.title()}</b> · "
            f"change to: {others}</p>")


def _item_html(item: ItemReport, grades: Mapping[int, str]) -> str:
    value = f" · value: {_e(item.value)}" if item.value else ""
    out = [f"<h3>{item.index + 1}. {_e(item.question)}</h3>",
           f"<p style='color:#627d98'>{_e(item.competency)}{value}</p>"]
    a = item.answer
    if a is None:
        out.append("<p><i>" + ("Skipped." if item.status == "skipped" else "Not asked.")
                   + "</i></p>")
        return "".join(out)
    out.append(f"<p>{_scores(a)}<br>Time: {_time(a)}</p>")
    if a.attempt_id in grades:
        out.append(_grade_html(a.attempt_id, grades[a.attempt_id]))
    if a.transcript:
        out.append(f"<blockquote>{_e(a.transcript)}</blockquote>")
    elif a.status not in ("scored", "transcribed"):
        out.append("<p><i>Not transcribed yet: it is in History and will be scored when a "
                   "model is available.</i></p>")
    if item.follow_up:
        source = SOURCES.get(item.follow_up_source or "", "")
        out.append(f"<p><b>Follow-up:</b> <i>{_e(item.follow_up)}</i>"
                   + (f" <span style='color:#627d98'>({source})</span>" if source else "")
                   + "</p>")
        f = item.follow_up_answer
        if f is None:
            out.append("<p><i>Not answered.</i></p>")
        else:
            out.append(f"<p>{_scores(f)}<br>Time: {_time(f)}</p>")
            if f.transcript:
                out.append(f"<blockquote>{_e(f.transcript)}</blockquote>")
    return "".join(out)


def report_html(r: RoundReport, grades: Mapping[int, str] | None = None) -> str:
    values = f" · {_e(r.values)}" if r.values else ""
    head = [f"<h2>Round report — {_e(r.role)} · {_e(r.seniority)}{values}</h2>",
            f"<p>{STATUS.get(r.status, r.status)} · {r.answered} of {len(r.items)} questions "
            f"answered · overall <b>{fmt_score(r.overall)}</b></p>"]
    if r.strongest:
        head.append(f"<p>Strongest: <b>{DIMENSION_LABELS[r.strongest]}</b> "
                    f"({fmt_score(r.dimensions[r.strongest])})")
        if r.weakest:
            head.append(f" · weakest: <b>{DIMENSION_LABELS[r.weakest]}</b> "
                        f"({fmt_score(r.dimensions[r.weakest])})")
        head.append("</p>")
    if r.work_on:
        head.append("<h3>Three things to work on</h3><ol>"
                    + "".join(f"<li>{_e(t)}</li>" for t in r.work_on) + "</ol>")
    return "".join(head) + "<hr>" + "".join(_item_html(i, grades or {}) for i in r.items)


class InterviewReport(QWidget):
    """Shows a :class:`RoundReport`. Test hooks: ``browser``, ``export_button``,
    ``new_button``, ``report``, ``grades``, ``export_json(path)``, ``banner``, ``exporter``
    (set ``read_round`` — round id → DatedRound — to export PDFs through it).
    Signals: ``new_round()``, ``regrade_requested(attempt_id, grade)`` (a grade link)."""

    new_round = Signal()
    regrade_requested = Signal(int, str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.report: RoundReport | None = None
        self.grades: dict[int, str] = {}
        self.banner = Banner()
        self.browser = QTextBrowser()
        self.browser.setAccessibleName("Round report")
        self.browser.setOpenLinks(False)
        self.browser.anchorClicked.connect(self._on_link)
        self.read_round: Callable[[int], Any] | None = None
        self.exporter: Any = None
        self.export_button = QPushButton("Export…")
        self.export_button.setAccessibleName("Export the round report as PDF or JSON")
        self.export_button.clicked.connect(self._export)
        self.new_button = QPushButton("New round")
        self.new_button.setObjectName("primaryButton")
        self.new_button.clicked.connect(self.new_round)
        note = QLabel("The answers are in History, where you can replay and re-score them.")
        note.setObjectName("hint")
        buttons = QHBoxLayout()
        buttons.addWidget(note)
        buttons.addStretch(1)
        buttons.addWidget(self.export_button)
        buttons.addWidget(self.new_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 12, 16, 12)
        lay.addWidget(self.banner)
        lay.addWidget(self.browser, 1)
        lay.addLayout(buttons)

    def show_report(self, report: RoundReport, grades: Mapping[int, str] | None = None) -> None:
        """Show ``report``; ``grades``: each reviewed answer's grade (attempt id → grade)."""
        self.report, self.grades = report, dict(grades or {})
        self.banner.dismiss()
        scroll = self.browser.verticalScrollBar().value()
        self.browser.setHtml(report_html(report, self.grades))
        self.browser.verticalScrollBar().setValue(scroll)

    def _on_link(self, url: QUrl) -> None:
        parts = url.toString().split(":")
        if len(parts) == 3 and parts[0] == "grade" and parts[1].isdigit():
            self.regrade_requested.emit(int(parts[1]), parts[2])

    def export_json(self, path: Path) -> Path | None:
        if self.report is None:
            return None
        try:
            return write_json(self.report, path)
        except OSError as exc:
            self.banner.show_message(f"Could not export the report: {exc}", "error")
            return None

    def _export(self) -> None:
        if self.report is None:
            return
        r = self.report
        if self.read_round is not None and self.exporter is not None and r.round_id:
            dated = self.read_round(r.round_id)
            if dated is not None:
                self.exporter.ask(self, dated)
                return
        name = f"round-{self.report.round_id or 'report'}.json"
        path, _ = QFileDialog.getSaveFileName(self, "Export the round report",
                                              str(Path.home() / name), "JSON (*.json)")
        if path and self.export_json(Path(path)):
            self.banner.show_message(f"Exported to {path}", "info")
