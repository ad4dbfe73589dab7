"""A stored attempt read back as typed objects: the attempt, its transcript, its analysis.

Reports, exports and the review views read attempts through :func:`load_record`, never through
JSON strings. (This is the reports' side of the seam; the practice core's ``load(id)`` gives the
same three objects.) The per-attempt note is written through :func:`save_note`.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from desktop_app.domain import Attempt, Question, Transcript

if TYPE_CHECKING:  # the analysis package loads its lexicons: not on the start-up path
    from desktop_app.analysis import Analysis

log = logging.getLogger(__name__)
NOTE_MAX_CHARS = 4000


class AttemptStore(Protocol):
    """What reading needs of the repository."""

    def get_attempt(self, attempt_id: int) -> Attempt | None: ...


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


def transcript_of(attempt: Attempt) -> Transcript:
    """The stored transcript (words with times when present), else the plain text."""
    try:
        data = json.loads(attempt.words_json or "[]")
    except ValueError:
        data = None
    if isinstance(data, dict):
        try:
            return Transcript.from_dict(data)
        except (TypeError, KeyError, ValueError):
            pass
    if isinstance(data, list) and data:
        try:
            return Transcript.from_dict({"text": attempt.transcript_text, "words": data})
        except (TypeError, KeyError, ValueError):
            pass
    return Transcript.from_text(attempt.transcript_text or "")


def analysis_of(attempt: Attempt) -> Analysis | None:
    """The stored analysis, or None when there is none (or it is of a shape this version
    cannot read: then the scores columns still hold its numbers)."""
    if not attempt.analysis_json:
        return None
    from desktop_app.analysis import Analysis

    try:
        return Analysis.from_dict(json.loads(attempt.analysis_json))
    except (ValueError, KeyError, TypeError) as exc:
        log.warning("attempt %s: unreadable analysis (%s)", attempt.id, exc)
        return None


def question_text(attempt: Attempt, question: Question | None) -> str:
    if question is not None:
        return question.text
    return f"(question {attempt.question_id})" if attempt.question_id else "(no question)"


def record_of(attempt: Attempt, bank: Questions) -> AttemptRecord:
    question = bank.get(attempt.question_id) if attempt.question_id else None
    return AttemptRecord(attempt, transcript_of(attempt), analysis_of(attempt),
                         question_text(attempt, question), question)


def load_record(store: AttemptStore, bank: Questions, attempt_id: int) -> AttemptRecord | None:
    attempt = store.get_attempt(attempt_id)
    return None if attempt is None else record_of(attempt, bank)


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
