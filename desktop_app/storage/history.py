"""History pages: the light columns of attempts, newest first, a page at a time.

A page is found by its last row (keyset paging on ``started_at, id``), so fetching the 50th page
costs what the first does, and no transcript or analysis JSON is read for the list. Search uses
the FTS index (see :func:`desktop_app.storage.repository.fts_query`): matching ids are collected
once and the ``started_at`` index is walked in order until the page is full.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlite_utils import Database

from desktop_app.domain import SCORE_KEYS

PAGE_SIZE = 200
_COLUMNS = (
    "id, question_id, started_at, duration_s, status, prompt_text, parent_attempt_id, input, "
    + ", ".join(f"score_{k}" for k in SCORE_KEYS)
)
_ORDER = "ORDER BY started_at DESC, id DESC"
# "+id" keeps SQLite from looking up every match by rowid and sorting them all: it walks the
# started_at index instead and stops when the page is full (5 ms instead of 40 at 10,000 hits).
_MATCHES = "+id IN (SELECT rowid FROM attempts_fts WHERE attempts_fts MATCH ?)"


@dataclass(frozen=True)
class HistoryRow:
    """One attempt's light columns: what History lists, and what Progress and reports chart
    (no transcript, no analysis JSON). ``scores`` holds the judged headline scores."""

    id: int
    question_id: str
    started_at: str
    duration_s: float
    overall: float | None
    status: str
    prompt_text: str | None = None
    parent_attempt_id: int | None = None
    input: str = "spoken"  # spoken | file | typed
    scores: dict[str, float] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int]:
        """Its place in the newest-first order (the keyset for the next page)."""
        return (self.started_at, self.id)


def _row(values: tuple) -> HistoryRow:
    aid, qid, started, duration, status, prompt, parent, kind, *score_values = values
    scores = {k: v for k, v in zip(SCORE_KEYS, score_values, strict=True) if v is not None}
    return HistoryRow(aid, qid or "", started or "", float(duration or 0.0),
                      scores.get("overall"), status or "", prompt, parent, kind or "spoken",
                      scores)


def history_page(db: Database, *, match: str | None = None,
                 after: tuple[str, int] | None = None,
                 limit: int = PAGE_SIZE) -> list[HistoryRow]:
    """Up to ``limit`` rows, newest first, older than ``after`` (a :attr:`HistoryRow.key`),
    whose transcript matches the FTS query ``match`` when given."""
    where, params = [], []
    if match:
        where.append(_MATCHES)
        params.append(match)
    if after is not None:
        where.append("(started_at, id) < (?, ?)")
        params.extend(after)
    clause = ("WHERE " + " AND ".join(where)) if where else ""
    sql = f"SELECT {_COLUMNS} FROM attempts {clause} {_ORDER} LIMIT ?"
    return [_row(r) for r in db.execute(sql, [*params, int(limit)]).fetchall()]


def history_count(db: Database, *, match: str | None = None) -> int:
    """How many attempts there are (matching ``match`` when given)."""
    if match:
        sql, params = "SELECT count(*) FROM attempts_fts WHERE attempts_fts MATCH ?", [match]
    else:
        sql, params = "SELECT count(*) FROM attempts", []
    return int(db.execute(sql, params).fetchone()[0])


def history_row(db: Database, attempt_id: int, *, match: str | None = None
                ) -> HistoryRow | None:
    """One attempt's row (None when it is gone, or does not match ``match``)."""
    where, params = "id = ?", [attempt_id]
    if match:
        where += f" AND {_MATCHES}"
        params.append(match)
    found = db.execute(f"SELECT {_COLUMNS} FROM attempts WHERE {where}", params).fetchone()
    return _row(found) if found else None
