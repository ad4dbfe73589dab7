"""The round report: each question with its scores, the time used against its target, the
follow-up and its answer; the round's overall, strongest and weakest dimension, and the three
most useful things to work on across the round (the shortfalls that recur, worst answers first).
It is built from the stored attempts, so a round closed after a crash reports what it kept."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

from desktop_app.analysis.analyzer import Analysis
from desktop_app.domain import Attempt
from desktop_app.session.config import RoundConfig
from desktop_app.session.plan import Plan
from desktop_app.session.round_state import ItemRecord

REPORT_VERSION = 1
DIMENSIONS = ("star", "specificity", "jargon", "delivery", "reasoning")
DIMENSION_LABELS = {"star": "STAR structure", "specificity": "Specificity", "jargon": "Jargon",
                    "delivery": "Delivery", "reasoning": "Reasoning"}


class AttemptReader(Protocol):
    """Reads a stored attempt back as typed objects (the practice core provides one)."""

    def read(self, attempt_id: int) -> tuple[Attempt, Analysis | None] | None: ...


@dataclass(frozen=True)
class AnswerReport:
    attempt_id: int | None
    transcript: str
    scores: dict[str, float | None]
    duration_s: float | None
    target_s: float
    ended_by: str | None
    status: str  # the attempt's status, or "missing" if it was deleted

    @property
    def over_target_s(self) -> float:
        return max(0.0, (self.duration_s or 0.0) - self.target_s)


@dataclass(frozen=True)
class ItemReport:
    index: int
    question_id: str
    question: str
    competency: str
    kind: str
    value: str | None
    status: str  # answered | skipped | not_asked
    answer: AnswerReport | None
    follow_up: str | None
    follow_up_answer: AnswerReport | None
    follow_up_source: str | None = None  # ItemRecord.follow_up_source: answer | timeout | …


@dataclass(frozen=True)
class RoundReport:
    round_id: int | None
    status: str  # completed | ended | closed
    role: str
    seniority: str
    values: str | None
    items: list[ItemReport]
    overall: float | None
    dimensions: dict[str, float]
    strongest: str | None
    weakest: str | None
    work_on: list[str] = field(default_factory=list)
    version: int = REPORT_VERSION

    @property
    def answered(self) -> int:
        return sum(1 for i in self.items if i.answer is not None)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> RoundReport:
        def answer(a: Mapping[str, Any] | None) -> AnswerReport | None:
            return None if a is None else AnswerReport(**a)
        items = [ItemReport(**{**i, "answer": answer(i["answer"]),
                               "follow_up_answer": answer(i["follow_up_answer"])})
                 for i in d["items"]]
        return cls(**{**d, "items": items})


def _answer(reader: AttemptReader, attempt_id: int | None, duration: float | None,
            target: float, ended_by: str | None) -> tuple[AnswerReport | None, Analysis | None]:
    if attempt_id is None:
        return None, None
    got = reader.read(attempt_id)
    if got is None:
        return AnswerReport(attempt_id, "", {}, duration, target, ended_by, "missing"), None
    attempt, analysis = got
    scores = dict(analysis.scores) if analysis is not None else dict(attempt.scores)
    if analysis is not None and analysis.focus is not None:
        scores["focus"] = analysis.focus.score
    used = attempt.duration_s or duration
    return AnswerReport(attempt_id, attempt.transcript_text, scores, used, target, ended_by,
                        attempt.status), analysis


def build_report(plan: Plan, items: Sequence[ItemRecord], reader: AttemptReader,
                 config: RoundConfig, *, round_id: int | None = None,
                 status: str = "completed") -> RoundReport:
    out: list[ItemReport] = []
    analyses: list[Analysis] = []
    for rec, planned in zip(items, plan.items, strict=False):
        q = planned.question
        main, a1 = _answer(reader, rec.attempt_id, rec.duration_s, config.answer.target_s,
                           rec.ended_by)
        fu, _a2 = _answer(reader, rec.follow_up_attempt_id, rec.follow_up_duration_s,
                          config.follow_up.target_s, rec.follow_up_ended_by)
        if a1 is not None:
            analyses.append(a1)
        status_of = "answered" if main is not None else (
            "skipped" if rec.status == "skipped" else "not_asked" if rec.status in (
                "pending", "not_asked") else rec.status)
        out.append(ItemReport(rec.index, q.id, q.text, q.competency, q.kind, planned.value,
                              status_of, main, rec.follow_up, fu, rec.follow_up_source))
    overall = _mean([a.scores.get("overall") for a in analyses])
    dims = {d: m for d in DIMENSIONS
            if (m := _mean([a.scores.get(d) for a in analyses])) is not None}
    strongest = max(dims, key=lambda k: dims[k]) if dims else None
    weakest = min(dims, key=lambda k: dims[k]) if len(dims) > 1 else None
    return RoundReport(round_id, status, plan.role_label, plan.level_label, plan.values_name,
                       out, overall, dims, strongest, weakest, work_on(analyses, weakest))


def _mean(values: Sequence[float | None]) -> float | None:
    vs = [float(v) for v in values if v is not None]
    return round(sum(vs) / len(vs), 1) if vs else None


def work_on(analyses: Sequence[Analysis], weakest: str | None) -> list[str]:
    """The three most useful things to work on: shortfall tips by how many answers they recur
    in, ties going to the weaker answer; then stretch goals; then the weakest dimension."""
    seen: dict[str, tuple[int, float, int, str]] = {}
    stretch: dict[str, str] = {}
    order = 0
    for a in sorted(analyses, key=lambda a: a.scores.get("overall") or 0.0):
        for key, text in zip(a.tip_ids, a.tips, strict=False):
            order += 1
            if key.startswith("stretch_"):
                stretch.setdefault(key, text)
            elif not text.startswith("Strong"):
                n, worst, first, t = seen.get(key, (0, 101.0, order, text))
                seen[key] = (n + 1, min(worst, a.scores.get("overall") or 0.0), first, t)
    ranked = sorted(seen.values(), key=lambda v: (-v[0], v[1], v[2]))
    total = len(analyses)
    out = [f"{t} (in {n} of {total} answers)" if n > 1 else t for n, _w, _f, t in ranked]
    out += list(stretch.values())
    if len(out) < 3 and weakest is not None:
        out.append(f"Your weakest dimension this round was {DIMENSION_LABELS[weakest]}: "
                   "practise the questions that exercise it.")
    return out[:3]


def write_json(report: RoundReport, path: Path) -> Path:
    """The report as JSON at ``path`` in its own shape (``to_dict``), written atomically and
    private (0600)."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".round-", suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(report.to_dict(), f, indent=2, ensure_ascii=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


class StoredAttempts:
    """An :class:`AttemptReader` over anything with ``get_attempt(id)`` (the repository)."""

    def __init__(self, repo: _GetsAttempts) -> None:
        self.repo = repo

    def read(self, attempt_id: int) -> tuple[Attempt, Analysis | None] | None:
        attempt = self.repo.get_attempt(attempt_id)
        if attempt is None:
            return None
        analysis = None
        if attempt.analysis_json:
            try:
                analysis = Analysis.from_dict(json.loads(attempt.analysis_json))
            except (ValueError, KeyError, TypeError):
                analysis = None  # an older or damaged analysis: the headline scores remain
        return attempt, analysis


class _GetsAttempts(Protocol):
    def get_attempt(self, attempt_id: int) -> Attempt | None: ...
