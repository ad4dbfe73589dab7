"""Queries over the Rehearse database: questions, sessions and attempts.

Thread rule: a Repository belongs to the thread that opened it. Open one per thread that needs
the database (WAL lets readers and one writer work side by side); a call from another thread
raises sqlite3.ProgrammingError rather than risking the file.

Deleting an attempt removes its row and its audio file; attempts that answered it as a
follow-up are kept (they are recordings too) and their ``parent_attempt_id`` becomes NULL
(the column's foreign key is ``ON DELETE SET NULL``, and the repository also unlinks them
explicitly so this holds with foreign keys off).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable
from dataclasses import fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from desktop_app.domain import SCORE_KEYS, AnswerInput, Attempt, AttemptStatus, Question
from desktop_app.storage import history, rollup
from desktop_app.storage.db import (
    connect_reader,
    open_database,
    translate_errors,
    write_transaction,
)

SCORE_COLUMNS = {key: f"score_{key}" for key in SCORE_KEYS}
_PLAIN_FIELDS = tuple(f.name for f in fields(Attempt) if f.name not in ("id", "scores"))
_JSON_FIELDS = ("words_json", "analysis_json")
_ORDER = "ORDER BY attempts.started_at DESC, attempts.id DESC"
_MAX_SEARCH_TERMS = 16
_QUESTION_COLUMNS = ("id", "text", "competency", "kind", "pack")  # the rest goes in data_json


def now_iso() -> str:
    """The current time as an ISO 8601 UTC string (the format stored in *_at columns)."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _json_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _score_values(scores: dict[str, float] | None) -> dict[str, float | None]:
    """All six score columns: given keys set, missing ones NULL. Extra keys are ignored
    (the full analysis lives in analysis_json)."""
    scores = scores or {}
    return {
        col: (None if scores.get(key) is None else float(scores[key]))
        for key, col in SCORE_COLUMNS.items()
    }


def attempt_to_row(attempt: Attempt) -> dict[str, Any]:
    """The attempts-table row for an Attempt (id included only when set)."""
    row: dict[str, Any] = {name: getattr(attempt, name) for name in _PLAIN_FIELDS}
    row["status"] = AttemptStatus(row["status"]).value
    row["input"] = AnswerInput(row["input"]).value
    for name in _JSON_FIELDS:
        row[name] = _json_text(row[name])
    row.update(_score_values(attempt.scores))
    if attempt.id is not None:
        row["id"] = attempt.id
    return row


def row_to_attempt(row: dict[str, Any]) -> Attempt:
    """An Attempt from an attempts-table row."""
    values = {name: row.get(name) for name in _PLAIN_FIELDS}
    values["duration_s"] = float(values["duration_s"] or 0.0)
    values["transcript_text"] = values["transcript_text"] or ""
    values["words_json"] = values["words_json"] or "[]"
    values["status"] = AttemptStatus.parse(values["status"])
    values["input"] = _input(values["input"])
    scores = {key: row[col] for key, col in SCORE_COLUMNS.items() if row.get(col) is not None}
    return Attempt(id=row["id"], scores=scores, **values)


def _input(value: str | None) -> AnswerInput:
    try:
        return AnswerInput(value or AnswerInput.SPOKEN)
    except ValueError:
        return AnswerInput.SPOKEN


def fts_query(text: str) -> str | None:
    """A safe FTS5 query from user input: every word quoted and prefix-matched, all required.

    Quotes, operators (AND/OR/NOT/NEAR), parentheses, ``*`` and ``:`` lose their meaning.
    Returns None when the input holds no searchable word.
    """
    terms = re.findall(r"\w+", text or "")[:_MAX_SEARCH_TERMS]
    return " ".join(f'"{t}"*' for t in terms) or None


class Repository:
    """Stores and finds questions, sessions and attempts. See the module note on threads."""

    def __init__(self, db: Database, *, path: Path | None = None, notice: str | None = None,
                 read_only: bool = False):
        self.db = db
        self.path = path or Path(db.conn.execute("PRAGMA database_list").fetchone()[2] or "")
        self.notice = notice  # set when a damaged database was moved aside at open
        self.read_only = read_only  # every write raises StorageError (kind "read-only")

    @classmethod
    def open(cls, path: str | Path, *, timeout: float = 5.0, read_only: bool = False
             ) -> Repository:
        """Open and migrate the database at ``path`` (``read_only``: open it as it is and never
        write); see desktop_app.storage.db.open_database."""
        db, notice = open_database(path, timeout=timeout, read_only=read_only)
        return cls(db, path=Path(path), notice=notice, read_only=read_only)

    @classmethod
    def reader(cls, path: str | Path, *, timeout: float = 5.0) -> Repository:
        """A read-only repository on a database already opened by this process, for a
        background thread (no checks: see desktop_app.storage.db.connect_reader)."""
        return cls(connect_reader(path, timeout=timeout), path=Path(path), read_only=True)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Repository:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- questions and sessions ---------------------------------------------------------

    def sync_questions(self, questions: Iterable[Question]) -> int:
        """Upsert the bank's questions (rows never removed: old attempts keep their text)."""
        stamp = now_iso()
        rows = [
            {
                "id": q.id,
                "text": q.text,
                "competency": q.competency,
                "kind": q.kind,
                "pack": q.pack,
                "data_json": json.dumps(
                    {k: v for k, v in q.to_dict().items() if k not in _QUESTION_COLUMNS},
                    ensure_ascii=False,
                ),
                "synced_at": stamp,
            }
            for q in questions
        ]
        with translate_errors(self.path), write_transaction(self.db):
            if rows:
                before = rollup.question_kinds(self.db, [r["id"] for r in rows])
                self.db["questions"].upsert_all(rows, pk="id")
                rollup.questions_changed(self.db, before, rows)
        return len(rows)

    def question_text(self, question_id: str) -> str | None:
        """The stored text of a question (also for questions no longer in any pack)."""
        row = self.db.execute("SELECT text FROM questions WHERE id = ?", [question_id]).fetchone()
        return row[0] if row else None

    def start_session(self, kind: str = "practice") -> int:
        """Record the start of a practice session; returns its id."""
        with translate_errors(self.path), write_transaction(self.db):
            cur = self.db.execute(
                "INSERT INTO sessions (kind, started_at) VALUES (?, ?)", [kind, now_iso()]
            )
        return int(cur.lastrowid)

    def end_session(self, session_id: int) -> None:
        with translate_errors(self.path), write_transaction(self.db):
            self.db.execute(
                "UPDATE sessions SET ended_at = ? WHERE id = ?", [now_iso(), session_id]
            )

    # -- attempts -----------------------------------------------------------------------

    def add_attempt(self, attempt: Attempt) -> int:
        """Insert an attempt (its id is used if set, else assigned); returns the id."""
        row = attempt_to_row(attempt)
        cols = ", ".join(f'"{c}"' for c in row)
        marks = ", ".join("?" for _ in row)
        try:
            with translate_errors(self.path), write_transaction(self.db):
                cur = self.db.execute(
                    f"INSERT INTO attempts ({cols}) VALUES ({marks})", list(row.values())
                )
                rollup.Change(self.db, None, row).after(int(cur.lastrowid),
                                                        row.get("analysis_json"))
        except sqlite3.IntegrityError as exc:
            raise ValueError(f"Cannot save attempt for {attempt.question_id!r}: {exc}") from exc
        return int(cur.lastrowid)

    def update_attempt(self, attempt_id: int, **changes: Any) -> bool:
        """Change fields of an attempt (Attempt field names; ``scores`` replaces all six
        score columns). Returns False if there is no such attempt."""
        unknown = sorted(set(changes) - set(_PLAIN_FIELDS) - {"scores"})
        if unknown:
            raise ValueError(
                f"Unknown attempt field(s): {', '.join(unknown)}. "
                f"Allowed: {', '.join(_PLAIN_FIELDS)}, scores."
            )
        values: dict[str, Any] = {}
        for name, value in changes.items():
            if name == "scores":
                values.update(_score_values(value))
            elif name in _JSON_FIELDS:
                values[name] = _json_text(value)
            elif name == "status":
                values[name] = AttemptStatus(value).value
            elif name == "input":
                values[name] = AnswerInput(value).value
            else:
                values[name] = value
        if not values:
            return self.get_attempt(attempt_id) is not None
        sets = ", ".join(f'"{c}" = ?' for c in values)
        try:
            with translate_errors(self.path), write_transaction(self.db):
                change = rollup.Change(self.db, attempt_id, changes)
                cur = self.db.execute(
                    f"UPDATE attempts SET {sets} WHERE id = ?", [*values.values(), attempt_id]
                )
                change.after(analysis_json=values.get("analysis_json"))
        except sqlite3.IntegrityError as exc:
            raise ValueError(f"Cannot update attempt {attempt_id}: {exc}") from exc
        return cur.rowcount > 0

    def get_attempt(self, attempt_id: int) -> Attempt | None:
        rows = self._select("WHERE attempts.id = ?", [attempt_id])
        return rows[0] if rows else None

    def list_attempts(
        self,
        limit: int | None = 500,
        question_id: str | None = None,
        search: str | None = None,
    ) -> list[Attempt]:
        """Attempts newest first, optionally for one question and/or matching a text search
        (all words must occur in the transcript; prefixes match, e.g. "deadl" finds
        "deadline"). Search input is sanitised, so quotes and operators are harmless."""
        joins, where, params = "", [], []
        query = fts_query(search) if search else None
        if query:
            joins = "JOIN attempts_fts ON attempts_fts.rowid = attempts.id"
            where.append("attempts_fts MATCH ?")
            params.append(query)
        if question_id is not None:
            where.append("attempts.question_id = ?")
            params.append(question_id)
        clause = ("WHERE " + " AND ".join(where)) if where else ""
        params.append(-1 if limit is None else int(limit))
        return self._select(f"{joins} {clause} {_ORDER} LIMIT ?", params)

    # -- the History list (light rows, a page at a time) ----------------------------------

    def history_page(self, *, search: str | None = None, after: tuple[str, int] | None = None,
                     limit: int = history.PAGE_SIZE) -> list[history.HistoryRow]:
        """A page of the History list, newest first, older than ``after`` (the last row's
        ``key``), matching a text search like :meth:`list_attempts`."""
        return history.history_page(self.db, match=fts_query(search or ""), after=after,
                                    limit=limit)

    def history_count(self, *, search: str | None = None) -> int:
        return history.history_count(self.db, match=fts_query(search or ""))

    def history_row(self, attempt_id: int, *, search: str | None = None
                    ) -> history.HistoryRow | None:
        return history.history_row(self.db, attempt_id, match=fts_query(search or ""))

    def audio_paths(self) -> set[str]:
        """Every stored audio path (relative to the data folder)."""
        rows = self.db.execute("SELECT audio_path FROM attempts WHERE audio_path IS NOT NULL")
        return {r[0] for r in rows}

    def follow_ups_of(self, attempt_id: int) -> list[Attempt]:
        """Attempts answering a follow-up to ``attempt_id``, oldest first."""
        return self._select(
            "WHERE attempts.parent_attempt_id = ? ORDER BY attempts.started_at, attempts.id",
            [attempt_id],
        )

    def attempts_with_status(self, *statuses: AttemptStatus | str) -> list[Attempt]:
        """Attempts whose status is one of ``statuses``, newest first."""
        if not statuses:
            return []
        marks = ", ".join("?" for _ in statuses)
        values = [AttemptStatus(s).value for s in statuses]
        return self._select(f"WHERE attempts.status IN ({marks}) {_ORDER}", values)

    def delete_attempt(self, attempt_id: int, root: str | Path) -> bool:
        """Delete an attempt and its audio file (``root / audio_path``; a missing file is
        fine, a path outside ``root`` is never deleted). Follow-ups are kept and unlinked.
        Returns False if there was no such attempt."""
        attempt = self.get_attempt(attempt_id)
        if attempt is None:
            return False
        with translate_errors(self.path), write_transaction(self.db):
            self.db.execute(
                "UPDATE attempts SET parent_attempt_id = NULL WHERE parent_attempt_id = ?",
                [attempt_id],
            )
            change = rollup.Change(self.db, attempt_id, rollup.ROLLUP_FIELDS)
            self.db.execute("DELETE FROM attempts WHERE id = ?", [attempt_id])
            change.after()
            self.db.execute("DELETE FROM transcript_versions WHERE attempt_id = ?", [attempt_id])
        # The row goes first: a failed file delete leaves an orphan file, never a dangling row.
        if attempt.audio_path:
            root_dir = Path(root).resolve()
            audio = (root_dir / attempt.audio_path).resolve()
            if audio.is_relative_to(root_dir):
                audio.unlink(missing_ok=True)
        return True

    def _select(self, tail: str, params: list[Any]) -> list[Attempt]:
        cur = self.db.execute(f"SELECT attempts.* FROM attempts {tail}", params)
        names = [d[0] for d in cur.description]
        return [row_to_attempt(dict(zip(names, r, strict=True))) for r in cur.fetchall()]
