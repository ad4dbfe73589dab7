"""One attempt's share of the progress rollup, added or taken away (see :mod:`.rollup`).

Adding is a constant-cost upsert per table. Taking away subtracts the sums and counts; only when
the attempt held one of its group's extremes (first or last time, best score, the latest scored
answer, a tip's latest wording) are those read again from the group's attempts (one local day,
competency and kind: a handful of rows).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlite_utils import Database

DAYS, TIPS, QUESTIONS = "progress_days", "progress_tips", "progress_questions"
SCORES = ("overall", "star", "specificity", "jargon", "delivery", "reasoning")
METRICS = ("wpm", "fillers_per_min", "hedges")
KEYS = (*SCORES, *METRICS)
VALUE_SQL = {**{k: f"a.score_{k}" for k in SCORES}, **{k: f"m.m_{k}" for k in METRICS}}
_ISO_DAY = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
# An attempt's local day; a stored time SQLite cannot read as an ISO date is its own "day",
# '#' and the stored text (never matched by a date filter, never a week or a streak day).
DAY_SQL = (f"(CASE WHEN a.started_at GLOB '[0-9][0-9][0-9][0-9]-*' AND "
           f"date(a.started_at, 'localtime') GLOB '{_ISO_DAY}' THEN "
           "date(a.started_at, 'localtime') ELSE '#' || COALESCE(a.started_at, '') END)")
GROUP_SQL = ("COALESCE(q.competency, '')", "COALESCE(q.kind, '')", "(a.prompt_text IS NULL)")
JOINS = ("FROM attempts AS a LEFT JOIN questions AS q ON q.id = a.question_id "
         "LEFT JOIN attempt_metrics AS m ON m.attempt_id = a.id")
_KEY_COLS = ("day", "competency", "kind", "answer")


def day_filter(day: str) -> tuple[str, list[Any]]:
    """SQL (over ``a``) selecting the attempts of rollup day ``day``, by the started_at index."""
    if day.startswith("#"):
        return "a.started_at = ?", [day[1:]]
    d = date.fromisoformat(day)
    lo, hi = (d - timedelta(days=1)).isoformat(), (d + timedelta(days=2)).isoformat()
    return (f"a.started_at >= ? AND a.started_at < ? AND {DAY_SQL} = ?", [lo, hi, day])


@dataclass(frozen=True)
class Share:
    """What one attempt adds to the rollup."""

    key: tuple[str, str, str, int]  # day, competency, kind, answer
    id: int
    jd: float | None
    seconds: float
    question_id: str | None
    values: dict[str, float | None]
    tips: dict[str, str | None] = field(default_factory=dict)  # scored attempts only

    @property
    def scored(self) -> bool:
        return self.values["overall"] is not None


def share_of(db: Database, attempt_id: int) -> Share | None:
    """The attempt's share as stored now (None when it is not there)."""
    values = ", ".join(VALUE_SQL.values())
    row = db.execute(
        f"SELECT {DAY_SQL}, {', '.join(GROUP_SQL)}, julianday(a.started_at), a.duration_s, "
        f"a.question_id, {values} {JOINS} WHERE a.id = ?", [attempt_id]).fetchone()
    if row is None:
        return None
    vals = dict(zip(KEYS, row[7:], strict=True))
    tips: dict[str, str | None] = {}
    if vals["overall"] is not None:
        for tip, text in db.execute("SELECT tip_id, text FROM attempt_tips WHERE attempt_id = ? "
                                    "AND tip_id IS NOT NULL ORDER BY position", [attempt_id]):
            tips.setdefault(tip, text)
    return Share((row[0], row[1], row[2], int(row[3])), attempt_id, row[4],
                 float(row[5] or 0.0), row[6], vals, tips)


def _group(key: tuple[str, str, str, int], join: str = "") -> tuple[str, list[Any]]:
    """FROM … WHERE: the attempts of one rollup group."""
    day_sql, params = day_filter(key[0])
    return (f"{JOINS}{join} WHERE {day_sql} AND {GROUP_SQL[0]} = ? AND {GROUP_SQL[1]} = ? AND "
            f"{GROUP_SQL[2]} = ?", [*params, *key[1:]])


_KEY_WHERE = " AND ".join(f"{c} = ?" for c in _KEY_COLS)
_NEWER = ("(excluded.latest_id IS NOT NULL AND (latest_id IS NULL OR excluded.latest_jd > "
          "latest_jd OR (excluded.latest_jd = latest_jd AND excluded.latest_id > latest_id)))")


def _least(col: str, fn: str) -> str:
    return f"{col} = COALESCE({fn}({col}, excluded.{col}), {col}, excluded.{col})"


def add(db: Database, s: Share) -> None:
    sc = s.scored
    sums = {k: ((v if sc and v is not None else 0.0), int(sc and v is not None))
            for k, v in s.values.items()}
    cols = {"attempts": 1, "seconds": s.seconds, "first_jd": s.jd, "last_jd": s.jd,
            "scored": int(sc), "scored_jd": (s.jd or 0.0) if sc else 0.0,
            "best": s.values["overall"], "latest_jd": s.jd if sc else None,
            "latest_id": s.id if sc else None, "latest_overall": s.values["overall"]}
    for k, (total, n) in sums.items():
        cols[f"sum_{k}"], cols[f"n_{k}"] = total, n
    plus = [f"{c} = {c} + excluded.{c}" for c in cols
            if c in ("attempts", "seconds", "scored", "scored_jd") or c.startswith(("sum_", "n_"))]
    latest = [f"{c} = CASE WHEN {_NEWER} THEN excluded.{c} ELSE {c} END"
              for c in ("latest_jd", "latest_id", "latest_overall")]
    sets = ", ".join([*plus, _least("first_jd", "MIN"), _least("last_jd", "MAX"),
                      _least("best", "MAX"), *latest])
    names = [*_KEY_COLS, *cols]
    db.execute(f"INSERT INTO {DAYS} ({', '.join(names)}) VALUES "
               f"({', '.join('?' for _ in names)}) ON CONFLICT ({', '.join(_KEY_COLS)}) "
               f"DO UPDATE SET {sets}", [*s.key, *cols.values()])
    for tip, text in s.tips.items():
        db.execute(
            f"INSERT INTO {TIPS} ({', '.join(_KEY_COLS)}, tip_id, attempts, last_jd, text) "
            "VALUES (?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT DO UPDATE SET attempts = attempts + 1, "
            "text = CASE WHEN last_jd IS NULL OR excluded.last_jd >= last_jd THEN excluded.text "
            f"ELSE text END, {_least('last_jd', 'MAX')}", [*s.key, tip, s.jd, text])
    if s.question_id is not None:
        db.execute(
            f"INSERT INTO {QUESTIONS} (question_id, answer, attempts, last_jd, best) "
            "VALUES (?, ?, 1, ?, ?) ON CONFLICT DO UPDATE SET attempts = attempts + 1, "
            f"{_least('last_jd', 'MAX')}, {_least('best', 'MAX')}",
            [s.question_id, s.key[3], s.jd, s.values["overall"]])


def remove(db: Database, s: Share) -> None:
    """Take ``s`` away; the attempt's new state (if any) must already be stored."""
    sc = s.scored
    minus = ["attempts = attempts - 1", "seconds = seconds - ?", "scored = scored - ?",
             "scored_jd = CASE WHEN scored = ? THEN 0 ELSE scored_jd - ? END"]
    params: list[Any] = [s.seconds, int(sc), int(sc), (s.jd or 0.0) if sc else 0.0]
    for k, v in s.values.items():
        n = int(sc and v is not None)
        minus.append(f"sum_{k} = CASE WHEN n_{k} = ? THEN 0 ELSE sum_{k} - ? END, "
                     f"n_{k} = n_{k} - ?")
        params += [n, v if n else 0.0, n]
    db.execute(f"UPDATE {DAYS} SET {', '.join(minus)} WHERE {_KEY_WHERE}", [*params, *s.key])
    db.execute(f"DELETE FROM {DAYS} WHERE {_KEY_WHERE} AND attempts <= 0", list(s.key))
    row = db.execute(f"SELECT first_jd, last_jd, best, latest_id FROM {DAYS} WHERE {_KEY_WHERE}",
                     list(s.key)).fetchone()
    if row and (s.jd in (row[0], row[1]) or (sc and s.values["overall"] == row[2])
                or s.id == row[3]):
        _extremes(db, s.key)
    for tip in s.tips:
        where = f"{_KEY_WHERE} AND tip_id = ?"
        db.execute(f"UPDATE {TIPS} SET attempts = attempts - 1 WHERE {where}", [*s.key, tip])
        db.execute(f"DELETE FROM {TIPS} WHERE {where} AND attempts <= 0", [*s.key, tip])
        last = db.execute(f"SELECT last_jd FROM {TIPS} WHERE {where}", [*s.key, tip]).fetchone()
        if last and last[0] == s.jd:
            _tip_latest(db, s.key, tip)
    if s.question_id is not None:
        qk = [s.question_id, s.key[3]]
        db.execute(f"UPDATE {QUESTIONS} SET attempts = attempts - 1 WHERE question_id = ? "
                   "AND answer = ?", qk)
        db.execute(f"DELETE FROM {QUESTIONS} WHERE question_id = ? AND answer = ? "
                   "AND attempts <= 0", qk)
        db.execute(
            f"UPDATE {QUESTIONS} SET (last_jd, best) = (SELECT MAX(julianday(started_at)), "
            "MAX(score_overall) FROM attempts WHERE question_id = ? AND "
            "(prompt_text IS NULL) = ?) WHERE question_id = ? AND answer = ? AND "
            "(last_jd IS ? OR best IS ?)", [*qk, *qk, s.jd, s.values["overall"]])


def _extremes(db: Database, key: tuple[str, str, str, int]) -> None:
    src, params = _group(key)
    j0, j1, best = db.execute(f"SELECT MIN(julianday(a.started_at)), "
                              f"MAX(julianday(a.started_at)), MAX(a.score_overall) {src}",
                              params).fetchone()
    latest = db.execute(f"SELECT julianday(a.started_at), a.id, a.score_overall {src} AND "
                        "a.score_overall IS NOT NULL ORDER BY a.started_at DESC, a.id DESC "
                        "LIMIT 1", params).fetchone() or (None, None, None)
    db.execute(f"UPDATE {DAYS} SET first_jd = ?, last_jd = ?, best = ?, latest_jd = ?, "
               f"latest_id = ?, latest_overall = ? WHERE {_KEY_WHERE}",
               [j0, j1, best, *latest, *key])


def _tip_latest(db: Database, key: tuple[str, str, str, int], tip: str) -> None:
    src, params = _group(key, " JOIN attempt_tips AS t ON t.attempt_id = a.id")
    got = db.execute(
        f"SELECT julianday(a.started_at), t.text {src} "
        "AND t.tip_id = ? AND a.score_overall IS NOT NULL ORDER BY a.started_at DESC, a.id DESC, "
        "t.position LIMIT 1", [*params, tip]).fetchone()
    if got:
        db.execute(f"UPDATE {TIPS} SET last_jd = ?, text = ? WHERE {_KEY_WHERE} AND tip_id = ?",
                   [*got, *key, tip])
