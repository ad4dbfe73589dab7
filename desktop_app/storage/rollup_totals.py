"""Coarser rollups, derived from the per-day one (migration ``m011_progress_totals``).

``progress_days`` holds a row per (local day, competency, kind, answer), so reading it costs the
days of the period times the competencies: at 10,000 attempts over six months that is 2,400
rows, 25 times as many as at 100 attempts. The Progress view opens on "All time" with every
competency, which needs no day and no competency apart, so three tables add them up:

- ``progress_totals``: per (competency, kind, answer), every day together: the all-time
  summary, averages and coverage.
- ``progress_daily``: per (day, answer), every competency and kind together: the trend, the
  weeks and the streak when no competency or kind is picked.
- ``progress_tip_totals``: per (competency, kind, answer, tip), every day together.

Each row is re-computed from the per-day rows it adds up (a handful of index lookups), in the
same transaction as the write that changed them, so the three can never drift from
``progress_days``; readers pick the smallest table that has the columns a query filters and
groups by (:func:`table_for`).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlite_utils import Database

from desktop_app.storage.rollup_delta import DAYS, KEYS, TIPS

TOTALS, DAILY, TIP_TOTALS = "progress_totals", "progress_daily", "progress_tip_totals"
_KEYS = {TOTALS: ("competency", "kind", "answer"), DAILY: ("day", "answer"), DAYS: (
    "day", "competency", "kind", "answer")}
_TIP_KEY = ("competency", "kind", "answer", "tip_id")
_LATEST = ("latest_jd", "latest_id", "latest_overall")
_SUMS = tuple(c for k in KEYS for c in (f"sum_{k}", f"n_{k}"))
# How each per-day column adds up over several days.
_ADD = {"attempts": "SUM", "seconds": "TOTAL", "first_jd": "MIN", "last_jd": "MAX",
        "scored": "SUM", "scored_jd": "TOTAL", "best": "MAX",
        **{c: ("TOTAL" if c.startswith("sum_") else "SUM") for c in _SUMS}}
_COLUMNS = (*_ADD, *_LATEST)


def create_tables(db: Database) -> None:
    """The body of m011's schema."""
    sums = ", ".join(f"{c} {'REAL' if c.startswith('sum_') else 'INTEGER'} NOT NULL"
                     for c in _SUMS)
    body = ("attempts INTEGER NOT NULL, seconds REAL NOT NULL, first_jd REAL, last_jd REAL, "
            "scored INTEGER NOT NULL, scored_jd REAL NOT NULL, best REAL, latest_jd REAL, "
            f"latest_id INTEGER, latest_overall REAL, {sums}")
    db.execute(f"CREATE TABLE {TOTALS} (competency TEXT NOT NULL, kind TEXT NOT NULL, "
               f"answer INTEGER NOT NULL, {body}, PRIMARY KEY (competency, kind, answer))")
    db.execute(f"CREATE TABLE {DAILY} (day TEXT NOT NULL, answer INTEGER NOT NULL, {body}, "
               "PRIMARY KEY (day, answer))")
    db.execute(f"CREATE TABLE {TIP_TOTALS} (competency TEXT NOT NULL, kind TEXT NOT NULL, "
               "answer INTEGER NOT NULL, tip_id TEXT NOT NULL, attempts INTEGER NOT NULL, "
               "last_jd REAL, text TEXT, PRIMARY KEY (competency, kind, answer, tip_id))")
    # what a tip's totals are re-computed from
    db.execute(f"CREATE INDEX {TIPS}_tip ON {TIPS} (competency, kind, answer, tip_id)")


def present(db: Database) -> bool:
    return bool(db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?",
                           [TOTALS]).fetchone())


def table_for(db_has_totals: bool, *, dated: bool, grouped: bool, by: str | None) -> str:
    """The smallest rollup table a query can read: ``dated`` (the filter has a since/until),
    ``grouped`` (it picks competencies or kinds), ``by`` the column it groups by, if any."""
    if db_has_totals:
        if not dated and by in (None, "competency"):
            return TOTALS
        if not grouped and by in (None, "day"):
            return DAILY
    return DAYS


def tip_table_for(db_has_totals: bool, *, dated: bool) -> str:
    return TIP_TOTALS if db_has_totals and not dated else TIPS


def _where(columns: Sequence[str], keys: Sequence[tuple]) -> tuple[str, list[Any]]:
    """WHERE the rows of any of ``keys`` (tuples over ``columns``); nothing when ``keys`` is
    empty (every row)."""
    if not keys:
        return "", []
    one = "(" + " AND ".join(f"{c} = ?" for c in columns) + ")"
    return "WHERE " + " OR ".join(one for _ in keys), [v for k in keys for v in k]


def _recompute(db: Database, table: str, keys: Sequence[tuple]) -> None:
    """The ``table`` rows of ``keys`` (all rows when empty) again, from ``progress_days``."""
    cols = _KEYS[table]
    w, params = _where(cols, keys)
    db.execute(f"DELETE FROM {table} {w}", params)
    group = ", ".join(cols)
    adds = ", ".join(f"{fn}({c})" for c, fn in _ADD.items())
    latest = ", ".join(f"MAX(CASE WHEN rn = 1 THEN {c} END)" for c in _LATEST)
    db.execute(
        f"INSERT INTO {table} ({group}, {', '.join(_COLUMNS)}) "
        f"WITH g AS (SELECT *, ROW_NUMBER() OVER (PARTITION BY {group} ORDER BY "
        f"latest_id IS NULL, latest_jd DESC, latest_id DESC) AS rn FROM {DAYS} {w}) "
        f"SELECT {group}, {adds}, {latest} FROM g GROUP BY {group}", params)


def _recompute_tips(db: Database, keys: Sequence[tuple]) -> None:
    """The ``progress_tip_totals`` rows of ``keys`` (all when empty), from ``progress_tips``;
    the wording is the one of the most recent day's row."""
    w, params = _where(_TIP_KEY, keys)
    db.execute(f"DELETE FROM {TIP_TOTALS} {w}", params)
    group = ", ".join(_TIP_KEY)
    db.execute(
        f"INSERT INTO {TIP_TOTALS} ({group}, attempts, last_jd, text) "
        f"WITH g AS (SELECT *, ROW_NUMBER() OVER (PARTITION BY {group} ORDER BY "
        f"last_jd IS NULL, last_jd DESC, day DESC) AS rn FROM {TIPS} {w}) "
        f"SELECT {group}, SUM(attempts), MAX(last_jd), MAX(CASE WHEN rn = 1 THEN text END) "
        f"FROM g GROUP BY {group}", params)


_BATCH = 100  # keys per statement (SQLite's parameter limit is far above 100 x 4)


def refresh(db: Database, day_keys: Iterable[tuple[str, str, str, int]],
            tip_keys: Iterable[tuple[str, str, int, str]] = ()) -> None:
    """After ``progress_days`` rows of ``day_keys`` (day, competency, kind, answer) and the
    ``progress_tips`` rows of ``tip_keys`` (competency, kind, answer, tip) changed."""
    if not present(db):
        return
    days = sorted(set(day_keys))
    totals = sorted({(c, k, a) for _d, c, k, a in days})
    daily = sorted({(d, a) for d, _c, _k, a in days})
    tips = sorted(set(tip_keys))
    for table, keys in ((TOTALS, totals), (DAILY, daily)):
        for i in range(0, len(keys), _BATCH):
            _recompute(db, table, keys[i:i + _BATCH])
    for i in range(0, len(tips), _BATCH):
        _recompute_tips(db, tips[i:i + _BATCH])


def rebuild(db: Database) -> None:
    """Every row of the three tables again (after the per-day rollup was rebuilt)."""
    if not present(db):
        return
    for table in (TOTALS, DAILY):
        _recompute(db, table, [])
    _recompute_tips(db, [])
