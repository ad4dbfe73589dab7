"""The analysis metrics as columns of ``attempt_metrics`` (and the tips as ``attempt_tips`` rows).

Charts, the CSV and the coverage table need numbers like words per minute for thousands of
attempts; reading them from ``analysis_json`` would decode every analysis. Migration
``m008_attempt_metrics`` adds a table with one column per metric (one row per analysed attempt,
keyed by its id), fills it for the attempts already stored, and adds triggers that keep it equal
to ``analysis_json`` whoever writes it (insert, re-score, "keep the previous one"): SQLite's own
JSON functions pull the values out once per write. The triggers only write the side tables, never
``attempts`` itself (whose full-text triggers must see each change once).

What is here is part of a released migration: never change a column or a path; add a new
migration instead.
"""

from __future__ import annotations

import json
from typing import Any

from sqlite_utils import Database

# column → (SQLite type, JSON path into Analysis.to_dict(), or a json_array_length() path)
METRICS: dict[str, tuple[str, str]] = {
    "m_words": ("INTEGER", "$.delivery.words"),
    "m_timed": ("INTEGER", "$.delivery.timed"),  # 1 spoken (timed), 0 typed
    "m_wpm": ("REAL", "$.delivery.wpm"),
    "m_fillers": ("INTEGER", "$.delivery.fillers"),
    "m_fillers_per_min": ("REAL", "$.delivery.fillers_per_min"),
    "m_hedges": ("INTEGER", "$.delivery.hedges"),
    "m_long_pauses": ("INTEGER", "$.delivery.long_pauses"),
    "m_pauses_per_min": ("REAL", "$.delivery.pauses_per_min"),
    "m_quantities": ("INTEGER", "$.specificity.quantities"),
    "m_named": ("INTEGER", "$.specificity.named"),
    "m_i_ratio": ("REAL", "$.specificity.i_ratio"),
    "m_vague": ("INTEGER", "$.specificity.vague"),
    "m_hypothetical": ("INTEGER", "$.specificity.hypothetical"),
    "m_rare_terms": ("INTEGER", "len:$.jargon.terms"),
    "m_acronyms": ("INTEGER", "len:$.jargon.acronyms"),
    "m_buzzwords": ("INTEGER", "len:$.jargon.buzzwords"),
    "m_star_s": ("INTEGER", "$.star.present.S"),
    "m_star_t": ("INTEGER", "$.star.present.T"),
    "m_star_a": ("INTEGER", "$.star.present.A"),
    "m_star_r": ("INTEGER", "$.star.present.R"),
    "m_star_order_ok": ("INTEGER", "$.star.order_ok"),
    "m_result_measured": ("INTEGER", "$.star.result_measured"),
    "m_focus": ("REAL", "$.focus.score"),
}
NOTE_COLUMN = "note"
METRICS_TABLE = "attempt_metrics"
TIPS_TABLE = "attempt_tips"

# The analysis when it is valid JSON, else NULL (json_extract would raise on a malformed
# value and fail the write that stored it).
_SOURCE = "(CASE WHEN json_valid({row}.analysis_json) THEN {row}.analysis_json END)"


def _expr(path: str, row: str) -> str:
    src = _SOURCE.format(row=row)
    if path.startswith("len:"):
        return f"json_array_length({src}, '{path[4:]}')"
    return f"json_extract({src}, '{path}')"


def _insert_sql(row: str, tables: str = "", where: str = "") -> list[str]:
    """The metric row and the tip rows of ``row`` (NEW in a trigger, attempts in a backfill)."""
    cols = ", ".join(f"[{c}]" for c in METRICS)
    values = ", ".join(_expr(path, row) for _t, path in METRICS.values())
    src = _SOURCE.format(row=row)
    valid = f"json_valid({row}.analysis_json)"
    return [
        f"INSERT INTO {METRICS_TABLE} (attempt_id, {cols}) SELECT {row}.id, {values} "
        f"FROM {tables.rstrip(', ') or '(SELECT 1)'} WHERE {valid} {where}",
        f"INSERT INTO {TIPS_TABLE} (attempt_id, position, tip_id, text) "
        f"SELECT {row}.id, ids.key, ids.value, texts.value "
        f"FROM {tables}json_each({src}, '$.tip_ids') AS ids "
        f"LEFT JOIN json_each({src}, '$.tips') AS texts ON texts.key = ids.key "
        f"WHERE {valid} {where}",
    ]


def add_metric_columns(db: Database) -> None:
    """The body of migration m006: tables, triggers, the backfill and the note column."""
    db.execute(f"ALTER TABLE attempts ADD COLUMN [{NOTE_COLUMN}] TEXT")
    cols = ", ".join(f"[{c}] {t}" for c, (t, _p) in METRICS.items())
    db.execute(
        f"CREATE TABLE {METRICS_TABLE} (attempt_id INTEGER PRIMARY KEY "
        f"REFERENCES attempts(id) ON DELETE CASCADE, {cols})"
    )
    db.execute(
        f"CREATE TABLE {TIPS_TABLE} ("
        " attempt_id INTEGER NOT NULL REFERENCES attempts(id) ON DELETE CASCADE,"
        " position INTEGER NOT NULL, tip_id TEXT, text TEXT,"
        " PRIMARY KEY (attempt_id, position))"
    )
    db.execute(f"CREATE INDEX {TIPS_TABLE}_tip ON {TIPS_TABLE} (tip_id)")
    forget = (f"DELETE FROM {METRICS_TABLE} WHERE attempt_id = OLD.id; "
              f"DELETE FROM {TIPS_TABLE} WHERE attempt_id = OLD.id;")
    store = " ".join(f"{sql};" for sql in _insert_sql("NEW"))
    db.execute(f"CREATE TRIGGER attempts_metrics_ai AFTER INSERT ON attempts BEGIN {store} END")
    db.execute("CREATE TRIGGER attempts_metrics_au AFTER UPDATE OF analysis_json ON attempts "
               f"BEGIN {forget} {store} END")
    # Foreign keys may be off (m004-style rebuilds run that way): delete explicitly too.
    db.execute(f"CREATE TRIGGER attempts_metrics_ad AFTER DELETE ON attempts BEGIN {forget} END")
    for sql in _insert_sql("attempts", "attempts, "):
        db.execute(sql)


# ---- since m010: written by the repository in the write's own transaction ------------------

_TRIGGERS = ("attempts_metrics_ai", "attempts_metrics_au", "attempts_metrics_ad")


def drop_metric_triggers(db: Database) -> None:
    """m010: the side tables are written from Python by the repository (one json.loads of the
    analysis instead of SQLite parsing it once per metric: ~0.3 ms a save instead of ~10)."""
    for name in _TRIGGERS:
        db.execute(f"DROP TRIGGER IF EXISTS {name}")


def _lookup(data: Any, path: str) -> Any:
    count = path.startswith("len:")
    node = data
    for part in path.removeprefix("len:").removeprefix("$.").split("."):
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    if count:
        return len(node) if isinstance(node, list) else None
    if isinstance(node, bool):  # as json_extract gives them
        return int(node)
    return node if isinstance(node, (int, float, str)) or node is None else None


def metric_values(data: Any) -> dict[str, Any]:
    """The metric columns of one decoded analysis (what m008's triggers pulled out)."""
    return {column: _lookup(data, path) for column, (_t, path) in METRICS.items()}


def forget_metrics(db: Database, attempt_id: int) -> None:
    db.execute(f"DELETE FROM {METRICS_TABLE} WHERE attempt_id = ?", [attempt_id])
    db.execute(f"DELETE FROM {TIPS_TABLE} WHERE attempt_id = ?", [attempt_id])


def store_metrics(db: Database, attempt_id: int, analysis_json: str | None) -> None:
    """Replace the attempt's metric row and tip rows by those of ``analysis_json`` (none when
    it is missing or not valid JSON: the write that stored it never fails on it)."""
    forget_metrics(db, attempt_id)
    if not analysis_json:
        return
    try:
        data = json.loads(analysis_json)
    except ValueError:
        return
    values = metric_values(data)
    cols = ", ".join(f"[{c}]" for c in values)
    db.execute(f"INSERT INTO {METRICS_TABLE} (attempt_id, {cols}) VALUES "
               f"(?, {', '.join('?' for _ in values)})", [attempt_id, *values.values()])
    ids = data.get("tip_ids") if isinstance(data, dict) else None
    texts = data.get("tips") if isinstance(data, dict) else None
    if not isinstance(ids, list):
        return
    texts = texts if isinstance(texts, list) else []
    rows = [(attempt_id, i, tip if isinstance(tip, str) else None,
             texts[i] if i < len(texts) and isinstance(texts[i], str) else None)
            for i, tip in enumerate(ids)]
    db.conn.executemany(f"INSERT INTO {TIPS_TABLE} (attempt_id, position, tip_id, text) "
                        "VALUES (?, ?, ?, ?)", rows)
