"""Transcript versions: an attempt's earlier transcripts, kept whenever one is replaced.

The attempt row holds the transcript in use; before a re-transcription the candidate kept, an
edit, or an earlier version put back replaces it, the one in use is saved here (with its
scores), so nothing is ever overwritten without a copy: the candidate can compare versions and
go back to any of them (AttemptService.restore_version).

``source`` says where a version came from: ``transcribed`` (the attempt's first transcript: live
or from the recording), ``retranscribed`` (a re-transcription the candidate kept; the words JSON
carries ``"origin": "retranscribed"``) or ``edited`` (corrected by hand).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from desktop_app.domain import Attempt
from desktop_app.storage.db import translate_errors, write_transaction
from desktop_app.storage.repository import Repository, now_iso


@dataclass(frozen=True)
class TranscriptVersion:
    id: int
    attempt_id: int
    saved_at: str
    source: str  # transcribed | retranscribed | edited
    model: str
    transcript_text: str
    words_json: str | None
    analysis_json: str | None
    scores: dict[str, float]


class TranscriptVersions:
    """Reads and writes the transcript_versions table (migration m009) of ``repo``'s database."""

    def __init__(self, repo: Repository) -> None:
        self.repo = repo

    def save_current(self, attempt_id: int) -> int | None:
        """Copy the attempt's transcript in use (and its scores) to a new version; returns its
        id, or None if the attempt has no transcript."""
        attempt = self.repo.get_attempt(attempt_id)
        if attempt is None or not (attempt.transcript_text or attempt.words_json):
            return None
        row = [attempt_id, now_iso(), source_of(attempt.words_json), attempt.model or "",
               attempt.transcript_text or "", attempt.words_json, attempt.analysis_json,
               json.dumps(attempt.scores or {})]  # fmt: skip
        with translate_errors(self.repo.path), write_transaction(self.repo.db):
            cur = self.repo.db.execute(
                "INSERT INTO transcript_versions (attempt_id, saved_at, source, model, "
                "transcript_text, words_json, analysis_json, scores_json) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row,
            )  # fmt: skip
        return int(cur.lastrowid)

    @staticmethod
    def source_in_use(attempt: Attempt) -> str:
        """Where the attempt's transcript in use came from (as ``source`` of a version)."""
        return source_of(attempt.words_json)

    def get(self, version_id: int) -> TranscriptVersion | None:
        """One version by id (None if there is no such version)."""
        return next(iter(self._select("id = ?", version_id)), None)

    def count(self, attempt_id: int) -> int:
        """How many earlier versions the attempt has (an indexed count)."""
        with translate_errors(self.repo.path):
            row = self.repo.db.execute(
                "SELECT COUNT(*) FROM transcript_versions WHERE attempt_id = ?", [attempt_id]
            ).fetchone()
        return int(row[0])

    def delete(self, version_id: int) -> None:
        """Drop a version (the service does this once it is the transcript in use again)."""
        with translate_errors(self.repo.path), write_transaction(self.repo.db):
            self.repo.db.execute("DELETE FROM transcript_versions WHERE id = ?", [version_id])

    def of(self, attempt_id: int) -> list[TranscriptVersion]:
        """The attempt's earlier versions, oldest first."""
        return self._select("attempt_id = ?", attempt_id)

    def _select(self, where: str, value: int) -> list[TranscriptVersion]:
        with translate_errors(self.repo.path):
            rows = self.repo.db.execute(
                "SELECT id, attempt_id, saved_at, source, model, transcript_text, words_json, "
                f"analysis_json, scores_json FROM transcript_versions WHERE {where} "
                "ORDER BY id", [value],
            ).fetchall()  # fmt: skip
        return [TranscriptVersion(*r[:8], scores=json.loads(r[8] or "{}")) for r in rows]


def source_of(words_json: str | None) -> str:
    """Where the transcript stored as ``words_json`` came from (see the module docstring)."""
    try:
        data = json.loads(words_json or "{}")
    except ValueError:
        return "transcribed"
    if not isinstance(data, dict):
        return "transcribed"
    if data.get("edited"):
        return "edited"
    return "retranscribed" if data.get("origin") == "retranscribed" else "transcribed"
