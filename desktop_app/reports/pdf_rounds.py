"""The mock interview rounds section of the PDF report: one section per round — the round's
overall, strongest and weakest dimension and three things to work on, a table of its questions
(score, time used against the target, follow-up), then each question with its scores, the time,
the answer, the follow-up (and where it came from) and the follow-up's answer. The same section
makes a PDF of one round on its own (History's "Export round…")."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from desktop_app.reports.atomic import write_bytes
from desktop_app.reports.pdf_report import MUTED, _Doc
from desktop_app.session.report import DIMENSION_LABELS, AnswerReport, ItemReport
from desktop_app.session.round_export import DatedRound
from desktop_app.textfmt import fmt_score, fmt_time, long_date

STATUS = {"completed": "Completed", "ended": "Ended early", "closed": "Closed after a restart"}
SCORES = ("overall", "star", "specificity", "jargon", "delivery", "reasoning")
TITLES = {"overall": "Overall", **DIMENSION_LABELS, "star": "STAR"}
ENDED = {"silence": "ended on silence", "hard_stop": "hard stop", "end": "round ended",
         "pause": "paused", "skip": "skipped", "failed": "not saved"}
SOURCE = {"answer": "chosen from what the answer lacked",
          "timeout": "one of the question's own follow-ups (the scores came too late)",
          "failed": "one of the question's own follow-ups (the answer could not be scored)",
          "probe": "one of the question's own follow-ups"}


def _time(a: AnswerReport) -> str:
    over = a.over_target_s
    text = f"{fmt_time(a.duration_s)} of {fmt_time(a.target_s)} target"
    text += f", {fmt_time(over)} over" if over >= 1 else ", within the target"
    return text + (f" ({ENDED[a.ended_by]})" if a.ended_by in ENDED else "")


def _answer(doc: _Doc, a: AnswerReport, label: str) -> None:
    keys = [k for k in (*SCORES, "focus") if k in a.scores]
    if keys:
        doc.table([[TITLES.get(k, k.title()) for k in keys],
                   [fmt_score(a.scores.get(k)) for k in keys]], (1,) * len(keys),
                  align="CENTER")
    else:
        doc.text("Not scored" + (" (no speech heard)." if a.status == "silent" else
                                 " yet: it is in History and will be scored when a model is "
                                 "available."), 9, "I", MUTED)
    doc.text(f"Time: {_time(a)}", 9, colour=MUTED)
    if a.transcript:
        doc.text(f"{label}: {a.transcript}", 9.5)


def _item(doc: _Doc, item: ItemReport) -> None:
    doc.pdf.ln(2)
    doc.heading(f"{item.index + 1}. {item.question}", 11)
    value = f" · value: {item.value}" if item.value else ""
    doc.text(f"{item.competency}{value}", 8.5, colour=MUTED)
    if item.answer is None:
        doc.text("Skipped." if item.status == "skipped" else "Not asked.", 9.5, "I")
        return
    _answer(doc, item.answer, "Answer")
    if item.follow_up:
        doc.pdf.ln(1)
        source = SOURCE.get(item.follow_up_source or "")
        doc.text(f"Follow-up: {item.follow_up}" + (f" — {source}" if source else ""),
                 9.5, "B")
        if item.follow_up_answer is None:
            doc.text("Not answered.", 9.5, "I")
        else:
            _answer(doc, item.follow_up_answer, "Follow-up answer")


def round_section(doc: _Doc, dated: DatedRound) -> None:
    """One round, from the top of a new page."""
    r = dated.report
    doc.pdf.add_page()
    doc.heading(f"Mock interview round — {long_date(dated.started_at)}", 14)
    values = f" · values: {r.values}" if r.values else ""
    doc.text(f"{r.role} · {r.seniority}{values} · {STATUS.get(r.status, r.status)} · "
             f"{r.answered} of {len(r.items)} questions answered", 9.5, colour=MUTED)
    doc.pdf.ln(2)
    strongest = (f"{TITLES[r.strongest]} ({fmt_score(r.dimensions[r.strongest])})"
                 if r.strongest else "—")
    weakest = (f"{TITLES[r.weakest]} ({fmt_score(r.dimensions[r.weakest])})"
               if r.weakest else "—")
    doc.table([["Overall", "Strongest", "Weakest"], [fmt_score(r.overall), strongest, weakest]],
              (1, 1.6, 1.6), size=9, align="CENTER")
    if r.work_on:
        doc.heading("Three things to work on", 11)
        for n, tip in enumerate(r.work_on, 1):
            doc.text(f"{n}. {tip}", 9.5)
        doc.pdf.ln(2)
    rows = [["#", "Question", "Overall", "Time used / target", "Follow-up"]]
    for item in r.items:
        a = item.answer
        used = (f"{fmt_time(a.duration_s)} / {fmt_time(a.target_s)}" if a is not None
                else item.status.replace("_", " "))
        fu = ("answered" if item.follow_up_answer is not None else
              "not answered" if item.follow_up else "—")
        rows.append([str(item.index + 1), item.question,
                     fmt_score(a.scores.get("overall")) if a is not None else "—", used, fu])
    doc.table(rows, (0.3, 4.2, 0.8, 1.4, 1.1), size=8.5)
    for item in r.items:
        _item(doc, item)


def rounds_pdf_bytes(rounds: Sequence[DatedRound]) -> bytes:
    """A PDF of ``rounds`` alone (one round from History, or several)."""
    doc = _Doc("Rehearse mock interview round" if len(rounds) == 1 else
               "Rehearse mock interview rounds")
    if not rounds:
        doc.pdf.add_page()
        doc.text("No mock interview rounds.", 11)
    for dated in rounds:
        round_section(doc, dated)
    return bytes(doc.pdf.output())


def write_round_pdf(dated: DatedRound, path: str | os.PathLike[str]) -> Path:
    return write_bytes(path, rounds_pdf_bytes([dated]))


__all__ = ["round_section", "rounds_pdf_bytes", "write_round_pdf"]
