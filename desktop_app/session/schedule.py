"""Practice that comes back when it is due: an FSRS schedule per question (py-fsrs).

Each main answer's scores map to a review grade (:func:`grade_for`, rules in
assets/interview/grades.toml): weak answers come back soon, strong ones later, and the candidate
can override the grade with one click (:meth:`Schedule.regrade`). FSRS's learning steps (minutes
apart, for flashcards) are off: a question comes back days later; a weak answer after a run of
good ones comes back the next day (one relearning step of a day), not when its long interval
ends. An interview date pulls every due date in so each question is revisited before it; the
card itself stays FSRS's.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

import fsrs

from desktop_app.session.config import interview_dir
from desktop_app.session.plan import QuestionStat
from desktop_app.storage.cards import CardRow, CardStore

GRADES = ("again", "hard", "good", "easy")
_RATING = {"again": fsrs.Rating.Again, "hard": fsrs.Rating.Hard, "good": fsrs.Rating.Good,
           "easy": fsrs.Rating.Easy}
DIMENSIONS = ("star", "specificity", "jargon", "delivery", "reasoning")


@dataclass(frozen=True)
class GradeRules:
    """Thresholds from grades.toml (see that file for what each means)."""

    again_below: float = 50.0
    again_missing: tuple[str, ...] = ("A", "R")
    again_aborted: bool = True
    hard_below: float = 70.0
    hard_dimension_below: float = 40.0
    good_below: float = 85.0
    easy_every_dimension: float = 70.0
    easy_within_s: float = 150.0
    desired_retention: float = 0.9
    maximum_interval_days: int = 365
    interview_buffer_days: int = 1

    @classmethod
    def load(cls, folder: Path | None = None) -> GradeRules:
        path = (folder or interview_dir()) / "grades.toml"
        try:
            d = tomllib.loads(path.read_text(encoding="utf-8"))
            s = d.get("scheduler", {})
            return cls(
                float(d["again"]["overall_below"]), tuple(d["again"].get("missing_star", ())),
                bool(d["again"].get("aborted", True)), float(d["hard"]["overall_below"]),
                float(d["hard"]["any_dimension_below"]), float(d["good"]["overall_below"]),
                float(d["easy"]["every_dimension_at_least"]), float(d["easy"]["within_s"]),
                float(s.get("desired_retention", 0.9)), int(s.get("maximum_interval_days", 365)),
                int(s.get("interview_buffer_days", 1)),
            )  # fmt: skip
        except (OSError, KeyError, TypeError, ValueError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{path}: bad or missing setting {exc}") from exc


def grade_for(scores: Mapping[str, float | None], rules: GradeRules, *,
              star_present: Mapping[str, bool] | None = None, aborted: bool = False,
              duration_s: float | None = None) -> str:
    """The review grade an answer's scores earn (again, hard, good or easy)."""
    overall = scores.get("overall")
    if (rules.again_aborted and aborted) or overall is None or overall < rules.again_below:
        return "again"
    if star_present is not None and any(not star_present.get(p, True)
                                        for p in rules.again_missing):
        return "again"
    judged = [float(v) for k, v in scores.items() if k in DIMENSIONS and v is not None]
    if overall < rules.hard_below or any(v < rules.hard_dimension_below for v in judged):
        return "hard"
    if overall < rules.good_below:
        return "good"
    in_time = duration_s is None or duration_s <= rules.easy_within_s
    if in_time and all(v >= rules.easy_every_dimension for v in judged):
        return "easy"
    return "good"


def grade_from_analysis(analysis: Mapping[str, Any] | None, rules: GradeRules, *,
                        aborted: bool = False, duration_s: float | None = None) -> str:
    """:func:`grade_for` on a stored analysis dict (STAR presence only for behavioural
    answers, where a missing Action or Result matters)."""
    if not analysis:
        return "again"
    star = analysis.get("star") or {}
    behavioural = not (analysis.get("reasoning") or {}).get("weighted", False)
    present = star.get("present") if behavioural else None
    return grade_for(analysis.get("scores") or {}, rules, star_present=present,
                     aborted=aborted, duration_s=duration_s)


@dataclass(frozen=True)
class DueItem:
    question_id: str
    due_at: datetime  # after the interview-date cap
    last_review_at: datetime | None
    last_grade: str | None
    reviews: int

    def due_in_days(self, now: datetime) -> float:
        return (self.due_at - now).total_seconds() / 86400.0


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).isoformat(timespec="seconds")


def _parse(text: str) -> datetime:
    dt = datetime.fromisoformat(text)
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


class Schedule:
    """The schedule over a :class:`CardStore`. ``clock`` gives the current UTC time."""

    def __init__(self, store: CardStore, rules: GradeRules | None = None, *,
                 clock: Callable[[], datetime] | None = None, fuzz: bool = True,
                 interview_date: date | None = None) -> None:
        self.store = store
        self.rules = rules or GradeRules.load()
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.interview_date = interview_date
        self._fsrs = fsrs.Scheduler(
            desired_retention=self.rules.desired_retention, learning_steps=(),
            relearning_steps=(timedelta(days=1),),
            maximum_interval=self.rules.maximum_interval_days, enable_fuzzing=fuzz,
        )  # fmt: skip

    # ----- reviews --------------------------------------------------------------------------
    def review(self, question_id: str, grade: str, *, attempt_id: int | None = None,
               at: datetime | None = None, auto_grade: str | None = None) -> DueItem:
        """Record one answer to ``question_id`` graded ``grade``; returns when it is due."""
        if grade not in _RATING:
            raise ValueError(f"unknown grade '{grade}'; use {', '.join(GRADES)}")
        at = at or self.clock()
        row = self.store.card(question_id)
        before = row.card_json if row else None
        card = fsrs.Card.from_json(before) if before else fsrs.Card()
        if card.last_review is not None and at < card.last_review:
            at = card.last_review  # an older answer synced late counts as now-ish, never earlier
        new, _log = self._fsrs.review_card(card, _RATING[grade], at)
        self.store.save_review(
            self._row(question_id, new, grade, (row.reviews if row else 0) + 1),
            attempt_id=attempt_id, grade=grade, auto_grade=auto_grade or grade,
            source="auto" if auto_grade is None or auto_grade == grade else "user",
            card_before_json=before)
        return self._due_item(self.store.card(question_id))  # type: ignore[arg-type]

    def review_attempt(self, attempt_id: int, question_id: str,
                       analysis: Mapping[str, Any] | None, *, aborted: bool = False,
                       duration_s: float | None = None, at: datetime | None = None) -> DueItem:
        """Grade a scored answer from its analysis and review it (once per attempt)."""
        existing = self.store.review_of(attempt_id)
        if existing is not None:
            return self._due_item(self.store.card(existing.question_id))  # type: ignore[arg-type]
        grade = grade_from_analysis(analysis, self.rules, aborted=aborted, duration_s=duration_s)
        return self.review(question_id, grade, attempt_id=attempt_id, at=at)

    def regrade(self, attempt_id: int, grade: str) -> DueItem:
        """The candidate's one-click override of an answer's grade. Only the latest review of a
        question can change (a later one was built on it)."""
        if grade not in _RATING:
            raise ValueError(f"unknown grade '{grade}'; use {', '.join(GRADES)}")
        rev = self.store.review_of(attempt_id)
        if rev is None:
            raise ValueError(f"attempt {attempt_id} has no review to change")
        latest = self.store.latest_review(rev.question_id)
        if latest is None or latest.id != rev.id:
            raise ValueError("only the latest answer to a question can be re-graded")
        card = fsrs.Card.from_json(rev.card_before_json) if rev.card_before_json else fsrs.Card()
        new, _log = self._fsrs.review_card(card, _RATING[grade], _parse(rev.reviewed_at))
        row = self.store.card(rev.question_id)
        self.store.save_review(
            self._row(rev.question_id, new, grade, row.reviews if row else 1),
            attempt_id=attempt_id, grade=grade, auto_grade=rev.auto_grade,
            source="auto" if grade == rev.auto_grade else "user",
            card_before_json=rev.card_before_json, replace_review=rev.id)
        return self._due_item(self.store.card(rev.question_id))  # type: ignore[arg-type]

    def sync(self) -> int:
        """Give every scored answer not yet reviewed (answered before schedules existed, or in
        a window that did not record it) its review, oldest first. Returns how many."""
        n = 0
        for a in self.store.unreviewed_attempts():
            try:
                analysis = json.loads(a.analysis_json) if a.analysis_json else None
            except ValueError:
                analysis = None
            self.review_attempt(a.attempt_id, a.question_id, analysis,
                                duration_s=a.duration_s or None, at=_parse(a.at))
            n += 1
        return n

    # ----- reading --------------------------------------------------------------------------
    def cap(self) -> datetime | None:
        """The latest due date the interview date allows (None without one)."""
        if self.interview_date is None:
            return None
        day = self.interview_date - timedelta(days=self.rules.interview_buffer_days)
        return datetime.combine(day, time(0, 0), tzinfo=timezone.utc)

    def items(self) -> list[DueItem]:
        """Every scheduled question, soonest due first."""
        return sorted((self._due_item(r) for r in self.store.cards()), key=lambda d: d.due_at)

    def due(self, now: datetime | None = None) -> list[DueItem]:
        """The questions due now, most overdue first."""
        now = now or self.clock()
        return [d for d in self.items() if d.due_at <= now]

    def stats(self, now: datetime | None = None) -> dict[str, QuestionStat]:
        """What the planner needs per question: answers, last overall, days until due."""
        now = now or self.clock()
        due = {d.question_id: d.due_in_days(now) for d in self.items()}
        out = {qid: QuestionStat(n, last, due.get(qid))
               for qid, (n, last) in self.store.last_overall().items()}
        for qid, days in due.items():
            out.setdefault(qid, QuestionStat(0, None, days))
        return out

    def _row(self, question_id: str, card: fsrs.Card, grade: str, reviews: int) -> CardRow:
        return CardRow(question_id, card.to_json(), _iso(card.due),
                       _iso(card.last_review) if card.last_review else None, grade, reviews)

    def _due_item(self, row: CardRow) -> DueItem:
        due = _parse(row.due_at)
        last = _parse(row.last_review_at) if row.last_review_at else None
        cap = self.cap()
        if cap is not None and due > cap and (last is None or last < cap):
            due = cap
        return DueItem(row.question_id, due, last, row.last_grade, row.reviews)
