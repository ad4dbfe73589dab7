"""The progress rollup: per-day totals the Progress view and reports read instead of attempts.

Migration ``m010_progress_rollup`` adds three small tables, kept equal to the attempts by the
repository inside the same write transaction as each save, re-score and delete (there is no
trigger: the repository is the one writer of attempts, and Python already holds the analysis):

- ``progress_days``: one row per (local day, competency, question kind, answer or follow-up):
  how many attempts, their seconds, first and last time, and over the scored ones the count,
  best overall, the latest one (time, id, overall) and, per score and delivery metric, the sum
  and count of the values present. Averages are sum / count, exact.
- ``progress_tips``: per the same key and tip rule, in how many scored attempts it was given and
  its latest wording.
- ``progress_questions``: per question (answers and follow-up answers apart), attempts, last
  time and best overall, for "what to practise next".

A write takes the attempt's old share away and adds its new one (:mod:`.rollup_delta`): a few
upserts, whatever the history's length. Days are local
calendar days (SQLite's ``localtime``), so the rollup records the time zone it was built in
(:func:`zone_signature`); in another time zone readers fall back to the attempt-level queries
and the next write rebuilds it. A competency or kind changed by a pack re-computes the days of
that question's attempts (:func:`questions_changed`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlite_utils import Database

from desktop_app.storage import rollup_delta as delta
from desktop_app.storage import rollup_totals as totals
from desktop_app.storage.metrics import forget_metrics, store_metrics
from desktop_app.storage.rollup_delta import DAY_SQL, DAYS, GROUP_SQL, JOINS, QUESTIONS, TIPS

INFO = "rollup_info"
# Frozen with m010 (a released migration never changes; a test holds them equal to the code's).
ROLLUP_SCORES, ROLLUP_METRICS, ROLLUP_KEYS = delta.SCORES, delta.METRICS, delta.KEYS
_VALUE = delta.VALUE_SQL
# Fields of an attempt that change what the rollup holds.
ROLLUP_FIELDS = frozenset({"started_at", "question_id", "prompt_text", "duration_s", "scores",
                           "analysis_json"})
_KEY = "day TEXT NOT NULL, competency TEXT NOT NULL, kind TEXT NOT NULL, answer INTEGER NOT NULL"


def create_tables(db: Database) -> None:
    """The body of m010's schema (see the module note)."""
    sums = ", ".join(f"sum_{k} REAL NOT NULL, n_{k} INTEGER NOT NULL" for k in ROLLUP_KEYS)
    db.execute(
        f"CREATE TABLE {DAYS} ({_KEY}, attempts INTEGER NOT NULL, seconds REAL NOT NULL, "
        "first_jd REAL, last_jd REAL, scored INTEGER NOT NULL, scored_jd REAL NOT NULL, "
        f"best REAL, latest_jd REAL, latest_id INTEGER, latest_overall REAL, {sums}, "
        "PRIMARY KEY (day, competency, kind, answer))")
    db.execute(f"CREATE INDEX {DAYS}_competency ON {DAYS} (competency, day)")
    db.execute(
        f"CREATE TABLE {TIPS} ({_KEY}, tip_id TEXT NOT NULL, attempts INTEGER NOT NULL, "
        "last_jd REAL, text TEXT, PRIMARY KEY (day, competency, kind, answer, tip_id))")
    db.execute(
        f"CREATE TABLE {QUESTIONS} (question_id TEXT NOT NULL, answer INTEGER NOT NULL, "
        "attempts INTEGER NOT NULL, last_jd REAL, best REAL, PRIMARY KEY (question_id, answer))")
    db.execute(f"CREATE TABLE {INFO} (key TEXT PRIMARY KEY, value TEXT)")


def zone_signature(db: Database) -> str:
    """What SQLite's ``localtime`` does here: the local time of two instants in each month of
    a leap year (catches a moved zone and different summer-time rules)."""
    stamps = [f"2024-{m:02d}-{d:02d}T12:00:00" for m in range(1, 13) for d in (1, 16)]
    expr = " || ',' || ".join(f"strftime('%H:%M', '{s}', 'localtime')" for s in stamps)
    return str(db.execute(f"SELECT {expr}").fetchone()[0])


def has_rollup(db: Database) -> bool:
    return bool(db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                           [DAYS]).fetchone())


def usable(db: Database) -> bool:
    """The rollup exists and was built in this time zone (readers use it only then)."""
    return has_rollup(db) and _zone_current(db)


# ---- keeping it up to date ------------------------------------------------------------------

class Change:
    """One write to an attempt, seen by the rollup: made with the attempt's state before the
    write, finished by :meth:`after` in the same transaction."""

    def __init__(self, db: Database, attempt_id: int | None, fields: Iterable[str]) -> None:
        self.db, self.attempt_id = db, attempt_id
        self.fields = frozenset(fields)
        self.enabled = has_rollup(db)
        self.counts = self.enabled and bool(self.fields & ROLLUP_FIELDS)
        self.old = delta.share_of(db, attempt_id) if self.counts and attempt_id else None

    def after(self, attempt_id: int | None = None, analysis_json: Any = None) -> None:
        """The attempt is written (or deleted): its metrics, tips and rollup share follow."""
        attempt_id = attempt_id if attempt_id is not None else self.attempt_id
        if not self.enabled or attempt_id is None:
            return  # before m010, m008's triggers keep the side tables
        gone = not self.db.execute("SELECT 1 FROM attempts WHERE id = ?",
                                   [attempt_id]).fetchone()
        if gone:
            forget_metrics(self.db, attempt_id)
        elif "analysis_json" in self.fields:
            store_metrics(self.db, attempt_id, analysis_json)
        if not self.counts:
            return
        if not _zone_current(self.db):
            rebuild(self.db)
            return
        new = None if gone else delta.share_of(self.db, attempt_id)
        if self.old is not None:
            delta.remove(self.db, self.old)
        if new is not None:
            delta.add(self.db, new)
        shares = [s for s in (self.old, new) if s is not None]
        totals.refresh(self.db, [s.key for s in shares],
                       [(*s.key[1:], tip) for s in shares for tip in s.tips])


def _zone_current(db: Database) -> bool:
    row = db.execute(f"SELECT value FROM {INFO} WHERE key = 'zone'").fetchone()
    return bool(row) and row[0] == zone_signature(db)


def questions_changed(db: Database, before: Mapping[str, tuple[str, str]],
                      rows: Sequence[Mapping[str, Any]]) -> None:
    """After a pack sync: re-compute the days of questions whose competency or kind changed
    (``before``: question id → (competency, kind) as stored before the sync)."""
    if not has_rollup(db):
        return
    if not _zone_current(db):
        rebuild(db)
        return
    changed = [r["id"] for r in rows
               if before.get(r["id"], ("", "")) != (r.get("competency") or "", r.get("kind") or "")]
    for i in range(0, len(changed), 500):
        chunk = changed[i:i + 500]
        marks = ", ".join("?" for _ in chunk)
        days = {d for (d,) in db.execute(
            f"SELECT DISTINCT {DAY_SQL} FROM attempts AS a WHERE a.question_id IN ({marks})",
            chunk)}
        refresh(db, days=days, questions=())


def question_kinds(db: Database, ids: Sequence[str]) -> dict[str, tuple[str, str]]:
    """(competency, kind) of the stored questions among ``ids`` (before a sync changes them)."""
    if not has_rollup(db):
        return {}
    out: dict[str, tuple[str, str]] = {}
    for i in range(0, len(ids), 500):
        chunk = list(ids[i:i + 500])
        marks = ", ".join("?" for _ in chunk)
        for qid, comp, kind in db.execute(
                f"SELECT id, competency, kind FROM questions WHERE id IN ({marks})", chunk):
            out[qid] = (comp or "", kind or "")
    return out


def refresh(db: Database, *, days: Iterable[str | None], questions: Iterable[str | None]) -> None:
    """Re-compute the rollup rows of ``days`` and ``questions`` from the attempts, then the
    coarser tables of :mod:`.rollup_totals` (a few thousand rows at most)."""
    for day in sorted({d for d in days if d}):
        _refresh_day(db, day)
    for qid in sorted({q for q in questions if q is not None}):
        _refresh_question(db, qid)
    totals.rebuild(db)


_GROUP = GROUP_SQL


def _refresh_day(db: Database, day: str) -> None:
    """Every group of one day again, from its attempts (whole-day SQL aggregates)."""
    day_sql, day_params = delta.day_filter(day)
    src = f"{JOINS} WHERE {day_sql}"
    db.execute(f"DELETE FROM {DAYS} WHERE day = ?", [day])
    db.execute(f"DELETE FROM {TIPS} WHERE day = ?", [day])
    group = ", ".join(_GROUP)
    values = ", ".join(f"{sql} AS v_{k}" for k, sql in _VALUE.items())
    sums = ", ".join(f"TOTAL(CASE WHEN v_overall IS NOT NULL THEN v_{k} END), "
                     f"COUNT(CASE WHEN v_overall IS NOT NULL THEN v_{k} END)"
                     for k in ROLLUP_KEYS)
    cols = ", ".join(f"sum_{k}, n_{k}" for k in ROLLUP_KEYS)
    latest = "recent = 1 AND v_overall IS NOT NULL"
    db.execute(
        f"INSERT INTO {DAYS} (day, competency, kind, answer, attempts, seconds, first_jd, "
        f"last_jd, scored, scored_jd, best, latest_jd, latest_id, latest_overall, {cols}) "
        f"WITH s AS (SELECT a.id AS id, julianday(a.started_at) AS jd, a.duration_s AS dur, "
        f"{_GROUP[0]} AS c, {_GROUP[1]} AS k, {_GROUP[2]} AS ans, {values}, ROW_NUMBER() OVER "
        f"(PARTITION BY {group} ORDER BY (a.score_overall IS NULL), a.started_at DESC, "
        f"a.id DESC) AS recent "
        f"{src})"
        f" SELECT ?, c, k, ans, COUNT(*), TOTAL(dur), MIN(jd), MAX(jd), COUNT(v_overall), "
        f"TOTAL(CASE WHEN v_overall IS NOT NULL THEN jd END), MAX(v_overall), "
        f"MAX(CASE WHEN {latest} THEN jd END), "
        f"MAX(CASE WHEN {latest} THEN id END), MAX(CASE WHEN {latest} THEN v_overall END), "
        f"{sums} FROM s GROUP BY c, k, ans", [*day_params, day])
    db.execute(
        f"INSERT INTO {TIPS} (day, competency, kind, answer, tip_id, attempts, last_jd, text) "
        f"WITH s AS (SELECT a.id AS id, a.started_at AS at, {_GROUP[0]} AS c, "
        f"{_GROUP[1]} AS k, {_GROUP[2]} AS ans {src} AND a.score_overall IS NOT NULL), "
        "t AS (SELECT s.*, t.tip_id AS tip, t.text AS text, ROW_NUMBER() OVER (PARTITION BY "
        "c, k, ans, t.tip_id ORDER BY s.at DESC, s.id DESC) AS rn FROM s "
        "CROSS JOIN attempt_tips AS t ON t.attempt_id = s.id WHERE t.tip_id IS NOT NULL) "
        "SELECT ?, c, k, ans, tip, COUNT(DISTINCT id), MAX(julianday(at)), "
        "MAX(CASE WHEN rn = 1 THEN text END) FROM t GROUP BY c, k, ans, tip",
        [*day_params, day])


def _refresh_question(db: Database, question_id: str) -> None:
    db.execute(f"DELETE FROM {QUESTIONS} WHERE question_id = ?", [question_id])
    db.execute(
        f"INSERT INTO {QUESTIONS} (question_id, answer, attempts, last_jd, best) "
        "SELECT question_id, (prompt_text IS NULL) AS ans, COUNT(*), MAX(julianday(started_at)),"
        " MAX(score_overall) FROM attempts WHERE question_id = ? GROUP BY ans", [question_id])


def rebuild(db: Database) -> None:
    """Every rollup row again, from the attempts (the migration's backfill; a new time zone)."""
    for table in (DAYS, TIPS, QUESTIONS):
        db.execute(f"DELETE FROM {table}")
    days = [d for (d,) in db.execute(f"SELECT DISTINCT {DAY_SQL} FROM attempts AS a")]
    questions = [q for (q,) in db.execute("SELECT DISTINCT question_id FROM attempts")]
    refresh(db, days=days, questions=questions)  # the coarser tables too, when they exist
    db.execute(f"INSERT OR REPLACE INTO {INFO} (key, value) VALUES ('zone', ?)",
               [zone_signature(db)])
