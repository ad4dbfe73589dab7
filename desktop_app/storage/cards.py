"""The spaced-repetition tables: one card per question (its FSRS state as JSON and its due date)
and a log of the reviews behind it (the attempt, the grade the scores gave, the one the user
chose, and the card before, so the latest review can be re-graded). Thread rule as Repository."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlite_utils import Database

from desktop_app.storage.db import translate_errors, write_transaction


@dataclass(frozen=True)
class CardRow:
    question_id: str
    card_json: str
    due_at: str  # ISO 8601 UTC
    last_review_at: str | None
    last_grade: str | None
    reviews: int


@dataclass(frozen=True)
class ReviewRow:
    id: int
    question_id: str
    attempt_id: int | None
    reviewed_at: str
    grade: str
    auto_grade: str | None
    source: str  # auto | user
    card_before_json: str | None


@dataclass(frozen=True)
class AttemptScore:
    """A scored answer the schedule has not seen yet."""

    attempt_id: int
    question_id: str
    at: str
    duration_s: float
    analysis_json: str | None
    status: str


_CARD_COLS = "question_id, card_json, due_at, last_review_at, last_grade, reviews"
_REVIEW_COLS = ("id, question_id, attempt_id, reviewed_at, grade, auto_grade, source, "
                "card_before_json")


class CardStore:
    """Reads and writes schedule_cards and schedule_reviews."""

    def __init__(self, db: Database, path: Path | None = None) -> None:
        self.db = db
        self.path = path or Path("")

    def card(self, question_id: str) -> CardRow | None:
        row = self.db.execute(f"SELECT {_CARD_COLS} FROM schedule_cards WHERE question_id = ?",
                              [question_id]).fetchone()
        return CardRow(*row) if row else None

    def cards(self) -> list[CardRow]:
        rows = self.db.execute(f"SELECT {_CARD_COLS} FROM schedule_cards ORDER BY due_at")
        return [CardRow(*r) for r in rows.fetchall()]

    def review_of(self, attempt_id: int) -> ReviewRow | None:
        row = self.db.execute(f"SELECT {_REVIEW_COLS} FROM schedule_reviews WHERE attempt_id = ?",
                              [attempt_id]).fetchone()
        return ReviewRow(*row) if row else None

    def latest_review(self, question_id: str) -> ReviewRow | None:
        row = self.db.execute(
            f"SELECT {_REVIEW_COLS} FROM schedule_reviews WHERE question_id = ? "
            "ORDER BY reviewed_at DESC, id DESC LIMIT 1", [question_id]).fetchone()
        return ReviewRow(*row) if row else None

    def save_review(self, card: CardRow, *, attempt_id: int | None, grade: str,
                    auto_grade: str | None, source: str, card_before_json: str | None,
                    replace_review: int | None = None) -> None:
        """Write the card and its review in one transaction (``replace_review``: the id of
        the review this one re-grades)."""
        with translate_errors(self.path), write_transaction(self.db):
            self.db.execute(
                f"INSERT INTO schedule_cards ({_CARD_COLS}) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(question_id) DO UPDATE SET card_json = excluded.card_json, "
                "due_at = excluded.due_at, last_review_at = excluded.last_review_at, "
                "last_grade = excluded.last_grade, reviews = excluded.reviews",
                [card.question_id, card.card_json, card.due_at, card.last_review_at,
                 card.last_grade, card.reviews])
            if replace_review is not None:
                self.db.execute("UPDATE schedule_reviews SET grade = ?, source = ? WHERE id = ?",
                                [grade, source, replace_review])
            else:
                self.db.execute(
                    "INSERT INTO schedule_reviews (question_id, attempt_id, reviewed_at, grade, "
                    "auto_grade, source, card_before_json) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [card.question_id, attempt_id, card.last_review_at, grade, auto_grade,
                     source, card_before_json])

    def unreviewed_attempts(self) -> list[AttemptScore]:
        """Scored answers to main questions (not follow-ups) with no review yet, oldest first."""
        rows = self.db.execute(
            "SELECT a.id, a.question_id, COALESCE(a.ended_at, a.started_at), a.duration_s, "
            "a.analysis_json, a.status FROM attempts a "
            "LEFT JOIN schedule_reviews r ON r.attempt_id = a.id "
            "WHERE r.id IS NULL AND a.parent_attempt_id IS NULL AND a.status = 'scored' "
            "AND (a.prompt_text IS NULL OR a.prompt_text = '') "
            "ORDER BY a.started_at, a.id")
        return [AttemptScore(r[0], r[1], r[2], float(r[3] or 0.0), r[4], r[5])
                for r in rows.fetchall()]

    def last_overall(self) -> dict[str, tuple[int, float | None]]:
        """Per question: how many main answers it has and the latest one's overall score."""
        rows = self.db.execute(
            "SELECT question_id, COUNT(*), (SELECT b.score_overall FROM attempts b "
            " WHERE b.question_id = a.question_id AND b.parent_attempt_id IS NULL "
            " AND b.score_overall IS NOT NULL ORDER BY b.started_at DESC, b.id DESC LIMIT 1) "
            "FROM attempts a WHERE a.parent_attempt_id IS NULL AND "
            "(a.prompt_text IS NULL OR a.prompt_text = '') GROUP BY question_id")
        return {r[0]: (int(r[1]), r[2]) for r in rows.fetchall()}
