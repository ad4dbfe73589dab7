"""One answer's review grade as the candidate sees it: the grade its scores gave (or the one
they chose instead), when its question comes back, and whether it can still be changed (only a
question's latest review can). Used by the one-click grade override (ui/grade_override.py)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone

from desktop_app.session.schedule import Schedule


@dataclass(frozen=True)
class AttemptGrade:
    attempt_id: int
    question_id: str
    grade: str
    auto_grade: str | None  # what the scores gave
    due_at: datetime  # when the question comes back (after the interview-date cap)
    changeable: bool  # False once a later answer to the question was reviewed

    @property
    def overridden(self) -> bool:
        return self.auto_grade is not None and self.grade != self.auto_grade


def attempt_grade(schedule: Schedule, attempt_id: int, *, catch_up: bool = True
                  ) -> AttemptGrade | None:
    """The answer's grade, or None if it has none (a follow-up, not scored). With
    ``catch_up``, a scored answer the schedule has not reviewed yet is reviewed first (another
    thread doing the same at once is fine: one review per answer is enforced by the database)."""
    store = schedule.store
    rev = store.review_of(attempt_id)
    if rev is None and catch_up:
        try:
            schedule.sync()
        except Exception:  # noqa: BLE001 - e.g. the due watch reviewed it meanwhile
            pass
        rev = store.review_of(attempt_id)
    if rev is None:
        return None
    due = next((d.due_at for d in schedule.items() if d.question_id == rev.question_id), None)
    latest = store.latest_review(rev.question_id)
    return AttemptGrade(attempt_id, rev.question_id, rev.grade, rev.auto_grade,
                        due or datetime.now(timezone.utc),
                        latest is not None and latest.id == rev.id)


def regrade(schedule: Schedule, attempt_id: int, grade: str) -> AttemptGrade:
    """Change the answer's grade (ValueError: unknown grade, or no longer changeable)."""
    schedule.regrade(attempt_id, grade)
    found = attempt_grade(schedule, attempt_id, catch_up=False)
    assert found is not None  # regrade raised otherwise
    return found


def due_text(due_at: datetime, now: datetime) -> str:
    """"today", "tomorrow", "in 6 days", "in 3 weeks", "in 4 months"."""
    days = (due_at.astimezone().date() - now.astimezone().date()).days
    if days <= 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days < 21:
        return f"in {days} days"
    if days < 70:
        return f"in {round(days / 7)} weeks"
    return f"in {round(days / 30)} months"
