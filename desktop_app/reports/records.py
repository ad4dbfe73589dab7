"""A stored attempt as reports, exports and the review views show it.

The practice core reads a stored attempt back as typed objects
(:meth:`desktop_app.practice.attempts.AttemptService.load`, which decodes the stored JSON, the
one place that does); an :class:`AttemptRecord` adds the question to that
:class:`~desktop_app.practice.attempts.StoredAttempt`. The per-attempt note is written through
:func:`save_note`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from desktop_app.domain import Attempt, Question, Transcript

if TYPE_CHECKING:  # the analysis package loads its lexicons: not on the start-up path
    from desktop_app.analysis import Analysis
    from desktop_app.practice.attempts import StoredAttempt

NOTE_MAX_CHARS = 4000


class AttemptLoader(Protocol):
    """What reading needs: the attempt service's typed read-back."""

    def load(self, attempt_id: int) -> StoredAttempt | None: ...


class NoteStore(Protocol):
    """Where a note is written: the attempt service (the one writer of attempts)."""

    def set_note(self, attempt_id: int, note: str | None) -> bool: ...


class Questions(Protocol):
    def get(self, qid: str) -> Question | None: ...


@dataclass(frozen=True)
class AttemptRecord:
    """One attempt with everything a review, a report page or a bundle shows."""

    attempt: Attempt
    transcript: Transcript
    analysis: Analysis | None
    question_text: str
    question: Question | None = None

    @property
    def id(self) -> int:
        return int(self.attempt.id or 0)

    @property
    def is_follow_up(self) -> bool:
        return bool(self.attempt.prompt_text)


def question_text(attempt: Attempt, question: Question | None) -> str:
    if question is not None:
        return question.text
    return f"(question {attempt.question_id})" if attempt.question_id else "(no question)"


def record_of(stored: StoredAttempt, bank: Questions) -> AttemptRecord:
    """The record of a stored attempt (an attempt not transcribed yet has an empty
    transcript)."""
    attempt = stored.attempt
    question = bank.get(attempt.question_id) if attempt.question_id else None
    transcript = stored.transcript or Transcript.from_text(attempt.transcript_text or "")
    return AttemptRecord(attempt, transcript, stored.analysis,
                         question_text(attempt, question), question)


def load_record(attempts: AttemptLoader, bank: Questions, attempt_id: int
                ) -> AttemptRecord | None:
    stored = attempts.load(attempt_id)
    return None if stored is None else record_of(stored, bank)


def save_note(store: NoteStore, attempt_id: int, text: str) -> str | None:
    """Store the attempt's note (trimmed; empty clears it). Returns what was stored. Raises
    ValueError for a note over NOTE_MAX_CHARS, StorageError when the database refuses."""
    note = (text or "").strip()
    if len(note) > NOTE_MAX_CHARS:
        raise ValueError(f"A note holds at most {NOTE_MAX_CHARS} characters "
                         f"(this one has {len(note)}).")
    stored = note or None
    if not store.set_note(attempt_id, stored):
        raise ValueError(f"Attempt {attempt_id} no longer exists.")
    return stored
