"""Transcript versions: an attempt's earlier transcripts, kept whenever one is replaced.

The attempt row holds the transcript in use; before a re-transcription the candidate kept, or
an edit, replaces it, the one in use is saved here (with its scores), so nothing is ever
overwritten without a copy: the candidate can compare versions and go back to any of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from desktop_app.storage.db import translate_errors, write_transaction
from desktop_app.storage.repository import Repository, now_iso


@dataclass(frozen=True)
class TranscriptVersion:
    id: int
    attempt_id: int
    saved_at: str
    source: str  # transcribed | edited
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
        edited = bool(attempt.words_json and json.loads(attempt.words_json).get("edited"))
        row = [attempt_id, now_iso(), "edited" if edited else "transcribed", attempt.model or "",
               attempt.transcript_text or "", attempt.words_json, attempt.analysis_json,
               json.dumps(attempt.scores or {})]  # fmt: skip
        with translate_errors(self.repo.path), write_transaction(self.repo.db):
            cur = self.repo.db.execute(
                "INSERT INTO transcript_versions (attempt_id, saved_at, source, model, "
                "transcript_text, words_json, analysis_json, scores_json) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?)", row,
            )  # fmt: skip
        return int(cur.lastrowid)

    def of(self, attempt_id: int) -> list[TranscriptVersion]:
        """The attempt's earlier versions, oldest first."""
        with translate_errors(self.repo.path):
            rows = self.repo.db.execute(
                "SELECT id, attempt_id, saved_at, source, model, transcript_text, words_json, "
                "analysis_json, scores_json FROM transcript_versions WHERE attempt_id = ? "
                "ORDER BY id", [attempt_id],
            ).fetchall()  # fmt: skip
        return [TranscriptVersion(*r[:8], scores=json.loads(r[8] or "{}")) for r in rows]
