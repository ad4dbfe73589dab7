"""An attempt's lifecycle as named transitions, and stored attempts read back as typed objects.

:class:`AttemptService` is the only code that writes an attempt's status (a test scans the source
for any other writer)::

    begin ──► RECORDING ──recorded()──► RECORDED ──transcribed()──► TRANSCRIBED ──scored()──► SCORED
    typed() ─────────────────────────► RECORDED (text stored, input "typed") ──► … ──► SCORED
    crash while RECORDING ──recovered()──► RECOVERED ──► (transcribed like RECORDED)
    SCORED ──rescored() / restore_version()──► SCORED (the replaced transcript kept as a version)
    any step ──failed()──► FAILED (error kept; the recording stays and can be transcribed again)

:meth:`AttemptService.load` gives a :class:`StoredAttempt` (the Attempt row, its Transcript, its
Analysis or None): the stored JSON is decoded here and nowhere else. The listing calls
(:meth:`rows`, :meth:`count`, :meth:`row`, :meth:`all_rows`) read the light columns only (no
transcript, no analysis), a keyset page at a time: History, Progress and reports at 10,000
attempts. :func:`attempt_json` is the one JSON shape of an attempt (`rehearse history --json`,
`rehearse practice --json`).

Thread rule: like its Repository, a service belongs to the thread that opened the database.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from desktop_app.domain import AnswerInput, Attempt, AttemptStatus, Transcript
from desktop_app.storage.db import translate_errors, write_transaction
from desktop_app.storage.history import PAGE_SIZE, HistoryRow
from desktop_app.storage.repository import Repository, now_iso
from desktop_app.storage.transcript_versions import TranscriptVersions

if TYPE_CHECKING:  # the analysis package is loaded on first use (it reads assets at import)
    from desktop_app.analysis import Analysis

log = logging.getLogger(__name__)

# Statuses whose recording can be (re-)transcribed.
TRANSCRIBABLE = frozenset({AttemptStatus.RECOVERED, AttemptStatus.RECORDED, AttemptStatus.FAILED,
                           AttemptStatus.TRANSCRIBED, AttemptStatus.SCORED})


class DataFolder(Protocol):
    """What the service needs of the data folder (an AppPaths)."""

    root: Path

    def relative(self, path: Path) -> str: ...

    def absolute(self, relative: str) -> Path: ...


@dataclass(frozen=True)
class StoredAttempt:
    """One stored attempt, typed: the row, its transcript (None before transcription) and its
    analysis (None before scoring, or when the stored one cannot be read)."""

    attempt: Attempt
    transcript: Transcript | None
    analysis: Analysis | None

    @property
    def id(self) -> int:
        assert self.attempt.id is not None
        return self.attempt.id

    @property
    def typed(self) -> bool:
        return self.attempt.input == AnswerInput.TYPED


def read_transcript(attempt: Attempt) -> Transcript | None:
    """The stored transcript (words with times when present), the plain text of one stored
    before timings were kept, or None when there is none."""
    try:
        data = json.loads(attempt.words_json or "[]")
    except ValueError:
        data = None
    try:
        if isinstance(data, dict):
            return Transcript.from_dict(data)
        if isinstance(data, list) and data:
            return Transcript.from_dict({"text": attempt.transcript_text, "words": data})
    except (TypeError, KeyError, ValueError) as exc:
        log.warning("attempt %s: stored words unreadable (%s); using its text", attempt.id, exc)
    return Transcript.from_text(attempt.transcript_text) if attempt.transcript_text else None


def read_analysis(attempt: Attempt) -> Analysis | None:
    """The stored analysis, typed; None when there is none or it cannot be read (logged)."""
    if not attempt.analysis_json:
        return None
    from desktop_app.analysis import Analysis

    try:
        return Analysis.from_dict(json.loads(attempt.analysis_json))
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        log.warning("attempt %s: stored analysis unreadable: %s", attempt.id, exc)
        return None


class AttemptService:
    """The attempts of one data folder: lifecycle transitions, typed read-back, listings.
    ``clock`` gives the ISO time stamps stored (default: now, UTC)."""

    def __init__(self, repo: Repository, folder: DataFolder,
                 clock: Callable[[], str] = now_iso,
                 versions: TranscriptVersions | None = None) -> None:
        self.repo, self.folder, self._now = repo, folder, clock
        self.versions = versions or TranscriptVersions(repo)

    def now(self) -> str:
        """The service clock's time stamp (what ``started_at`` defaults to)."""
        return self._now()

    # ---- sessions ----------------------------------------------------------------------------
    def start_session(self, kind: str = "practice") -> int:
        """A practice session (or, later, a mock-interview round) that attempts belong to."""
        return self.repo.start_session(kind)

    def end_session(self, session_id: int) -> None:
        self.repo.end_session(session_id)

    # ---- lifecycle ---------------------------------------------------------------------------
    def begin(self, question_id: str, audio: Path, *, started_at: str | None = None,
              session_id: int | None = None, parent_attempt_id: int | None = None,
              prompt_text: str | None = None,
              input: AnswerInput = AnswerInput.SPOKEN) -> int:
        """The microphone is open and ``audio`` is being written: a RECORDING row, so a crash
        still leaves an attempt to recover. ``prompt_text``: the follow-up it answers."""
        return self.repo.add_attempt(Attempt(
            id=None, question_id=question_id, started_at=started_at or self._now(),
            audio_path=self.folder.relative(Path(audio)), status=AttemptStatus.RECORDING,
            session_id=session_id, parent_attempt_id=parent_attempt_id, prompt_text=prompt_text,
            input=input,
        ))

    def recorded(self, attempt_id: int | None, audio: Path, duration_s: float, *,
                 error: str | None = None, question_id: str = "", started_at: str | None = None,
                 session_id: int | None = None, parent_attempt_id: int | None = None,
                 prompt_text: str | None = None,
                 input: AnswerInput = AnswerInput.SPOKEN) -> int:
        """The recording is saved (``error``: why it ended early, e.g. the device was lost).
        With no ``attempt_id`` (the RECORDING row could not be written) the row is added now,
        from the other arguments. Returns the attempt's id."""
        fields = dict(ended_at=self._now(), duration_s=float(duration_s),
                      status=AttemptStatus.RECORDED, audio_path=self.folder.relative(Path(audio)),
                      error=error)
        if attempt_id is not None and self.repo.update_attempt(attempt_id, **fields):
            return attempt_id
        return self.repo.add_attempt(Attempt(
            id=None, question_id=question_id, started_at=started_at or self._now(),
            session_id=session_id, parent_attempt_id=parent_attempt_id, prompt_text=prompt_text,
            input=input, **fields))

    def typed(self, question_id: str, text: str, *, session_id: int | None = None,
              parent_attempt_id: int | None = None, prompt_text: str | None = None) -> int:
        """A typed answer: stored RECORDED with its text as the transcript (no timing)."""
        transcript = Transcript.from_text(text)
        stamp = self._now()
        return self.repo.add_attempt(Attempt(
            id=None, question_id=question_id, started_at=stamp, ended_at=stamp,
            transcript_text=transcript.text, words_json=json.dumps(transcript.to_dict()),
            status=AttemptStatus.RECORDED, session_id=session_id,
            parent_attempt_id=parent_attempt_id, prompt_text=prompt_text,
            input=AnswerInput.TYPED,
        ))

    def transcribed(self, attempt_id: int, transcript: Transcript, model: str | None = None
                    ) -> None:
        """The transcript is stored (TRANSCRIBED); ``model`` names it when the transcript
        does not."""
        self.repo.update_attempt(attempt_id, **self._transcript_fields(transcript, model))

    def scored(self, attempt_id: int, analysis: Analysis) -> None:
        """The analysis and its headline scores are stored (SCORED)."""
        self.repo.update_attempt(attempt_id, **self._score_fields(analysis))

    def keep_version(self, attempt_id: int) -> int | None:
        """Copy the transcript in use (with its scores) to the attempt's earlier versions,
        before something replaces it; None if there is no transcript yet."""
        return self.versions.save_current(attempt_id)

    def rescored(self, attempt_id: int, transcript: Transcript, analysis: Analysis,
                 model: str | None = None) -> None:
        """A re-transcription the user chose to keep replaces transcript and scores at once;
        the one it replaces is kept as an earlier version first (one transaction)."""
        fields = {**self._transcript_fields(transcript, model, origin="retranscribed"),
                  **self._score_fields(analysis)}
        with translate_errors(self.repo.path), write_transaction(self.repo.db):
            self.keep_version(attempt_id)
            self.repo.update_attempt(attempt_id, **fields)  # SCORED wins over TRANSCRIBED

    def restore_version(self, attempt_id: int, version_id: int) -> StoredAttempt:
        """Put an earlier version back in use ("Use this version"). In one transaction the
        transcript in use is kept as a version, the chosen one's transcript, model and scores
        replace it, and it leaves the list of earlier versions (it is the one in use now):
        nothing is lost. Returns the attempt as stored now; score its transcript again to
        refresh the scores with today's analyser. LookupError if the version is not one of
        this attempt's."""
        version = self.versions.get(version_id)
        if version is None or version.attempt_id != attempt_id:
            raise LookupError(f"attempt {attempt_id} has no transcript version {version_id}")
        scored = bool(version.analysis_json)
        fields = dict(transcript_text=version.transcript_text, words_json=version.words_json,
                      model=version.model or None, analysis_json=version.analysis_json,
                      scores=version.scores if scored else None, error=None,
                      status=AttemptStatus.SCORED if scored else AttemptStatus.TRANSCRIBED)
        with translate_errors(self.repo.path), write_transaction(self.repo.db):
            self.keep_version(attempt_id)
            if not self.repo.update_attempt(attempt_id, **fields):
                raise LookupError(f"attempt {attempt_id} is gone")
            self.versions.delete(version_id)
        stored = self.load(attempt_id)
        assert stored is not None
        return stored

    def silent(self, attempt_id: int, transcript: Transcript, model: str | None = None) -> None:
        """No speech was heard (SILENT): the empty transcript is kept, nothing is scored."""
        fields = {**self._transcript_fields(transcript, model), "status": AttemptStatus.SILENT}
        self.repo.update_attempt(attempt_id, **fields)

    def set_note(self, attempt_id: int, note: str | None) -> bool:
        """The candidate's note on an attempt (None clears it); False if it is gone."""
        return bool(self.repo.update_attempt(attempt_id, note=note))

    def failed(self, attempt_id: int, message: str) -> None:
        """Transcribing or scoring failed (FAILED, ``error`` kept); the recording stays."""
        self.repo.update_attempt(attempt_id, status=AttemptStatus.FAILED, error=message)

    def waiting(self, attempt_id: int, message: str) -> None:
        """Kept as it is (no model yet): ``error`` says why it is not transcribed."""
        self.repo.update_attempt(attempt_id, error=message)

    def interrupted(self, attempt_id: int, audio: Path, duration_s: float) -> None:
        """The app closed mid-answer: the audio so far is a saved recording (RECORDED)."""
        self.repo.update_attempt(attempt_id, status=AttemptStatus.RECORDED,
                                 ended_at=self._now(), duration_s=float(duration_s),
                                 audio_path=self.folder.relative(Path(audio)))

    def recovered(self, attempt_id: int | None, audio: Path, duration_s: float, *,
                  question_id: str = "", started_at: str | None = None) -> int:
        """A recording interrupted by a crash (or found without its row) is an attempt again
        (RECOVERED), ready to transcribe. Returns its id."""
        if attempt_id is not None and self.repo.update_attempt(
                attempt_id, status=AttemptStatus.RECOVERED, duration_s=float(duration_s)):
            return attempt_id
        return self.repo.add_attempt(Attempt(
            id=None, question_id=question_id, started_at=started_at or self._now(),
            duration_s=float(duration_s), audio_path=self.folder.relative(Path(audio)),
            status=AttemptStatus.RECOVERED,
        ))

    def delete(self, attempt_id: int) -> bool:
        """Delete an attempt and its recording (its follow-ups are kept, unlinked)."""
        return self.repo.delete_attempt(attempt_id, self.folder.root)

    @staticmethod
    def _transcript_fields(transcript: Transcript, model: str | None,
                           origin: str | None = None) -> dict[str, Any]:
        words = transcript.to_dict()
        if origin:  # where it came from, for the versions list (storage/transcript_versions)
            words["origin"] = origin
        return dict(transcript_text=transcript.text, words_json=json.dumps(words),
                    model=transcript.model or model, status=AttemptStatus.TRANSCRIBED,
                    error=None)

    @staticmethod
    def _score_fields(analysis: Analysis) -> dict[str, Any]:
        data = analysis.to_dict()  # the columns hold the very numbers the analysis shows
        return dict(analysis_json=json.dumps(data, ensure_ascii=False), scores=data["scores"],
                    status=AttemptStatus.SCORED, error=None)

    # ---- reading back ------------------------------------------------------------------------
    def get(self, attempt_id: int) -> Attempt | None:
        """The attempt's row (the stored JSON still encoded: use :meth:`load` to read it)."""
        return self.repo.get_attempt(attempt_id)

    def load(self, attempt_id: int) -> StoredAttempt | None:
        """The attempt with its transcript and analysis, typed; None if there is none."""
        attempt = self.repo.get_attempt(attempt_id)
        return None if attempt is None else self._typed(attempt)

    def _typed(self, attempt: Attempt) -> StoredAttempt:
        return StoredAttempt(attempt, read_transcript(attempt), read_analysis(attempt))

    def latest(self, limit: int | None = 50, *, question_id: str | None = None,
               search: str | None = None) -> list[StoredAttempt]:
        """Whole attempts, newest first (for `rehearse history --json`; lists use rows())."""
        attempts = self.repo.list_attempts(limit=limit, question_id=question_id, search=search)
        return [self._typed(a) for a in attempts]

    def follow_ups_of(self, attempt_id: int) -> list[Attempt]:
        """Attempts answering a follow-up to ``attempt_id``, oldest first."""
        return self.repo.follow_ups_of(attempt_id)

    def audio_file(self, attempt_id: int) -> Path | None:
        """The attempt's recording on disk, if it has one and it is there."""
        attempt = self.repo.get_attempt(attempt_id)
        if attempt is None or not attempt.audio_path:
            return None
        path = self.folder.absolute(attempt.audio_path)
        return path if path.exists() else None

    def with_status(self, *statuses: AttemptStatus) -> list[Attempt]:
        return self.repo.attempts_with_status(*statuses)

    def audio_paths(self) -> set[str]:
        return self.repo.audio_paths()

    # ---- listings (light rows) ---------------------------------------------------------------
    def rows(self, *, search: str | None = None, after: tuple[str, int] | None = None,
             limit: int = PAGE_SIZE) -> list[HistoryRow]:
        """A page of light rows, newest first, older than ``after`` (the last row's ``key``)."""
        return self.repo.history_page(search=search, after=after, limit=limit)

    def count(self, *, search: str | None = None) -> int:
        return self.repo.history_count(search=search)

    def row(self, attempt_id: int, *, search: str | None = None) -> HistoryRow | None:
        return self.repo.history_row(attempt_id, search=search)

    def all_rows(self, *, page: int = 1000) -> Iterator[HistoryRow]:
        """Every attempt's light row, newest first, read a page at a time (for charts and
        reports: 10,000 attempts are 10 queries of a few milliseconds)."""
        after = None
        while True:
            rows = self.repo.history_page(after=after, limit=page)
            yield from rows
            if len(rows) < page:
                return
            after = rows[-1].key

    # History, the list the window shows, reads the same pages.
    history_page = rows
    history_count = count
    history_row = row


def attempt_json(stored: StoredAttempt, question_text: str) -> dict[str, Any]:
    """The JSON shape of one stored attempt (`rehearse history --json`, `practice --json`)."""
    a = stored.attempt
    return {
        "id": a.id,
        "question_id": a.question_id,
        "question_text": question_text,
        "started_at": a.started_at,
        "duration_s": a.duration_s,
        "status": str(a.status),
        "input": str(a.input),
        "audio_path": a.audio_path,
        "model": a.model,
        "transcript": a.transcript_text,
        "scores": a.scores,
        "error": a.error,
        "parent_attempt_id": a.parent_attempt_id,
        "prompt_text": a.prompt_text,
        "analysis": None if stored.analysis is None else stored.analysis.to_dict(),
    }
