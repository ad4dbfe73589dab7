"""Mock interview rounds in the ``sessions`` table (kind ``interview``): the plan, the state
machine's latest snapshot (so a crashed round can be resumed or closed at the next start) and,
once over, the round report. Thread rule as Repository."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from desktop_app.storage.db import translate_errors, write_transaction
from desktop_app.storage.repository import now_iso

KIND = "interview"
OPEN, COMPLETED, ENDED, CLOSED = "running", "completed", "ended", "closed"
_COLS = "id, started_at, ended_at, status, plan_json, state_json, report_json, updated_at"


@dataclass(frozen=True)
class RoundRow:
    id: int
    started_at: str
    ended_at: str | None
    status: str
    plan: dict[str, Any]
    state: dict[str, Any] | None
    report: dict[str, Any] | None
    updated_at: str | None

    @property
    def finished(self) -> bool:
        return self.ended_at is not None


def _load(text: str | None) -> dict[str, Any] | None:
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


class RoundStore:
    """Creates, saves and finds rounds."""

    def __init__(self, db: Database, path: Path | None = None) -> None:
        self.db = db
        self.path = path or Path("")

    def create(self, plan: dict[str, Any]) -> int:
        """A new round (its id is the attempts' ``session_id``)."""
        stamp = now_iso()
        with translate_errors(self.path), write_transaction(self.db):
            cur = self.db.execute(
                "INSERT INTO sessions (kind, started_at, status, plan_json, updated_at) "
                "VALUES (?, ?, ?, ?, ?)",
                [KIND, stamp, OPEN, json.dumps(plan, ensure_ascii=False), stamp])
        return int(cur.lastrowid)

    def save_state(self, round_id: int, state: dict[str, Any]) -> None:
        with translate_errors(self.path), write_transaction(self.db):
            self.db.execute(
                "UPDATE sessions SET state_json = ?, updated_at = ? WHERE id = ? AND kind = ?",
                [json.dumps(state, ensure_ascii=False), now_iso(), round_id, KIND])

    def save_plan(self, round_id: int, plan: dict[str, Any]) -> None:
        with translate_errors(self.path), write_transaction(self.db):
            self.db.execute("UPDATE sessions SET plan_json = ? WHERE id = ? AND kind = ?",
                            [json.dumps(plan, ensure_ascii=False), round_id, KIND])

    def finish(self, round_id: int, report: dict[str, Any], status: str) -> None:
        """Store the report and close the round (``completed``, ``ended`` early, or ``closed``
        unfinished after a crash)."""
        stamp = now_iso()
        with translate_errors(self.path), write_transaction(self.db):
            self.db.execute(
                "UPDATE sessions SET report_json = ?, status = ?, ended_at = ?, updated_at = ? "
                "WHERE id = ? AND kind = ?",
                [json.dumps(report, ensure_ascii=False), status, stamp, stamp, round_id, KIND])

    def get(self, round_id: int) -> RoundRow | None:
        rows = self._select("WHERE id = ? AND kind = ?", [round_id, KIND])
        return rows[0] if rows else None

    def unfinished(self) -> list[RoundRow]:
        """Rounds that never ended (the app stopped mid-round), newest first."""
        return self._select("WHERE kind = ? AND ended_at IS NULL ORDER BY started_at DESC, id "
                            "DESC", [KIND])

    def finished(self, limit: int = 100) -> list[RoundRow]:
        return self._select("WHERE kind = ? AND ended_at IS NOT NULL ORDER BY started_at DESC, "
                            "id DESC LIMIT ?", [KIND, int(limit)])

    def _select(self, tail: str, params: list[Any]) -> list[RoundRow]:
        cur = self.db.execute(f"SELECT {_COLS} FROM sessions {tail}", params)
        return [RoundRow(r[0], r[1], r[2], r[3] or OPEN, _load(r[4]) or {}, _load(r[5]),
                         _load(r[6]), r[7]) for r in cur.fetchall()]
