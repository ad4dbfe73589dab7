"""The progress queries over the rollup tables (:mod:`desktop_app.storage.rollup`).

Each reads rows per (day, competency, kind) rather than per attempt, so its cost follows the
days and competencies of the period, not the attempts in it; where the filter and the grouping
allow, the all-time or all-competency totals of :mod:`.rollup_totals` instead (a few dozen
rows, whatever the history). Results equal those of the
attempt-level queries in :mod:`desktop_app.storage.progress` (a test holds them equal on real
files); that module decides which to use.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from sqlite_utils import Database

from desktop_app.storage import rollup_totals
from desktop_app.storage.rollup import QUESTIONS, ROLLUP_KEYS, ROLLUP_SCORES

if TYPE_CHECKING:
    from desktop_app.storage.progress import ProgressFilter


def where(f: ProgressFilter, *, answers: bool = True, alias: str = "") -> tuple[str, list[Any]]:
    """The WHERE clause over a rollup table for ``f`` (``answers``: answers to a question only,
    unless the filter includes follow-up answers)."""
    p = f"{alias}." if alias else ""
    parts: list[str] = []
    params: list[Any] = []
    if f.since is not None:
        parts.append(f"{p}day >= ?")
        params.append(f.since.isoformat())
    if f.until is not None:
        parts.append(f"{p}day <= ?")
        params.append(f.until.isoformat())
    for column, values in (("competency", f.competencies), ("kind", f.kinds)):
        if values:
            parts.append(f"{p}{column} IN ({', '.join('?' for _ in values)})")
            params.extend(values)
    if answers and not f.include_follow_ups:
        parts.append(f"{p}answer = 1")
    return ("WHERE " + " AND ".join(parts)) if parts else "", params


@dataclass
class DayPoint:
    """The scored answers of one day (or of several, once merged): the sum of their julian
    days, how many, the latest one's id, and per series value its (sum, count)."""

    jd_sum: float
    count: int
    latest_id: int | None
    sums: dict[str, tuple[float, int]]

    def merge(self, other: DayPoint) -> DayPoint:
        return DayPoint(self.jd_sum + other.jd_sum, self.count + other.count, other.latest_id,
                        {k: (s + other.sums[k][0], n + other.sums[k][1])
                         for k, (s, n) in self.sums.items()})

    @property
    def values(self) -> dict[str, float | None]:
        return {k: (s / n if n else None) for k, (s, n) in self.sums.items()}


def calendar_day(text: str | None) -> date | None:
    """A day SQLite's date() gave, or None for one of a malformed stored time."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def _ratios(row: tuple, keys: tuple[str, ...]) -> dict[str, float | None]:
    """{key: sum / count} from a row of alternating sums and counts."""
    return {k: (row[2 * i] / row[2 * i + 1]) if row[2 * i + 1] else None
            for i, k in enumerate(keys)}


def _sums(keys: tuple[str, ...]) -> str:
    return ", ".join(f"TOTAL(sum_{k}), SUM(n_{k})" for k in keys)


class RollupQueries:
    """The rollup half of :class:`desktop_app.storage.progress.Progress`."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.coarse = rollup_totals.present(db)

    def _table(self, f: ProgressFilter | None, by: str | None = None) -> str:
        """The smallest rollup table that answers a query over ``f`` grouped ``by``."""
        dated = f is not None and (f.since is not None or f.until is not None)
        grouped = f is not None and bool(f.competencies or f.kinds)
        return rollup_totals.table_for(self.coarse, dated=dated, grouped=grouped, by=by)

    def attempt_count(self) -> int:
        return int(self.db.execute(f"SELECT TOTAL(attempts) FROM {self._table(None)}"
                                   ).fetchone()[0])

    def totals(self, f: ProgressFilter) -> tuple[int, float, float | None, float | None]:
        """(attempts, seconds, first and last julian day) of every attempt in ``f``."""
        w, params = where(f, answers=False)
        n, s, j0, j1 = self.db.execute(
            "SELECT TOTAL(attempts), TOTAL(seconds), MIN(first_jd), MAX(last_jd) "
            f"FROM {self._table(f)} "
            f"{w}", params).fetchone()
        return int(n), float(s), j0, j1

    def averages(self, f: ProgressFilter) -> tuple[int, dict[str, float | None]]:
        """(scored answers, the average of each score over them)."""
        w, params = where(f)
        row = self.db.execute(f"SELECT TOTAL(scored), {_sums(ROLLUP_SCORES)} "
                              f"FROM {self._table(f)} {w}", params).fetchone()
        return int(row[0]), _ratios(row[1:], ROLLUP_SCORES)

    def day_points(self, f: ProgressFilter) -> list[DayPoint]:
        """Per local day with scored answers, oldest first."""
        w, params = where(f)
        w = f"{w} AND scored > 0" if w else "WHERE scored > 0"
        sql = (f"SELECT TOTAL(scored_jd), TOTAL(scored), "
               f"MAX(CASE WHEN scored > 0 THEN latest_id END), {_sums(ROLLUP_KEYS)} "
               f"FROM {self._table(f, 'day')} {w} GROUP BY day ORDER BY day")
        out = []
        for r in self.db.execute(sql, params).fetchall():
            sums = {k: (float(r[3 + 2 * i]), int(r[4 + 2 * i] or 0))
                    for i, k in enumerate(ROLLUP_KEYS)}
            out.append(DayPoint(float(r[0]), int(r[1]), r[2], sums))
        return out

    def coverage(self, f: ProgressFilter) -> list[tuple]:
        """(competency, answers, best, latest, last julian day, averages) per competency."""
        w, params = where(f)
        table = self._table(f, "competency")
        rows = self.db.execute(
            f"SELECT competency, TOTAL(attempts), MAX(best), MAX(last_jd), "
            f"{_sums(ROLLUP_SCORES)} FROM {table} {w} GROUP BY competency ORDER BY competency",
            params).fetchall()
        w2 = f"{w} AND latest_jd IS NOT NULL" if w else "WHERE latest_jd IS NOT NULL"
        latest = dict(self.db.execute(
            "SELECT competency, latest_overall FROM (SELECT competency, latest_overall, "
            "ROW_NUMBER() OVER (PARTITION BY competency ORDER BY latest_jd DESC, latest_id DESC)"
            f" AS rn FROM {table} {w2}) WHERE rn = 1", params).fetchall())
        return [(r[0], int(r[1]), r[2], latest.get(r[0]), r[3], _ratios(r[4:], ROLLUP_SCORES))
                for r in rows]

    def weeks(self, f: ProgressFilter) -> list[tuple[date, float, int]]:
        w, params = where(f, answers=False)
        sql = (f"SELECT date(day, 'weekday 0', '-6 days') AS w, TOTAL(seconds), "
               f"TOTAL(attempts) FROM {self._table(f, 'day')} {w} GROUP BY w ORDER BY w")
        return [(day, float(s), int(n)) for d, s, n in self.db.execute(sql, params).fetchall()
                if (day := calendar_day(d)) is not None]

    def practice_days(self, f: ProgressFilter, limit: int) -> list[date]:
        w, params = where(f, answers=False)
        sql = f"SELECT DISTINCT day FROM {self._table(f, 'day')} {w} ORDER BY day DESC LIMIT ?"
        return [day for (d,) in self.db.execute(sql, [*params, limit])
                if (day := calendar_day(d)) is not None]

    def recurring_tips(self, f: ProgressFilter, ids: tuple[str, ...], limit: int,
                       prefix: str) -> list[tuple[str, int, str | None]]:
        w, params = where(f)
        marks = ", ".join("?" for _ in ids) or "NULL"
        tip = f"(tip_id IN ({marks}) OR tip_id LIKE ?)"
        w = f"{w} AND {tip}" if w else f"WHERE {tip}"
        # text is a bare column: SQLite takes it from the row holding MAX(last_jd), the most
        # recent wording.
        tips = rollup_totals.tip_table_for(self.coarse, dated=f.since is not None or
                                           f.until is not None)
        sql = (f"SELECT tip_id, TOTAL(attempts), text, MAX(last_jd) FROM {tips} {w} "
               "GROUP BY tip_id ORDER BY TOTAL(attempts) DESC, MAX(last_jd) DESC LIMIT ?")
        rows = self.db.execute(sql, [*params, *ids, prefix + "%", limit]).fetchall()
        return [(t, int(n), text) for t, n, text, _j in rows]

    def question_stats(self, f: ProgressFilter) -> list[tuple[str, int, float | None, Any]]:
        """Per question (the filter's dates are not applied: see Progress.question_stats)."""
        parts: list[str] = []
        params: list[Any] = []
        for column, values in (("q.competency", f.competencies), ("q.kind", f.kinds)):
            if values:
                parts.append(f"{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        if not f.include_follow_ups:
            parts.append("p.answer = 1")
        w = ("WHERE " + " AND ".join(parts)) if parts else ""
        join = " LEFT JOIN questions AS q ON q.id = p.question_id" if (
            f.competencies or f.kinds) else ""
        sql = (f"SELECT p.question_id, TOTAL(p.attempts), MAX(p.last_jd), MAX(p.best) "
               f"FROM {QUESTIONS} AS p{join} {w} GROUP BY p.question_id")
        return [(q, int(n), j, best) for q, n, j, best in self.db.execute(sql, params)]
