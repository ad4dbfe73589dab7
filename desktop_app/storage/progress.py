"""Progress queries: trends, coverage, practice time, streaks, recurring tips and retakes.

Every figure is an SQL aggregate over the per-day rollup (:mod:`desktop_app.storage.rollup`),
or, when that is not current (another time zone), over the score columns and the metric side
tables (:mod:`desktop_app.storage.metrics`); no analysis JSON is decoded here. A trend holds one
point per scored answer up to ``max_points`` of them; beyond that, one point per local day (the
average of that day's answers; its ``count`` says how many), and past ``max_points`` days,
neighbouring days are averaged into equal stretches of time. Drawing the chart and reading its
points costs the same at 10,000 attempts as at 100.

Dates in a :class:`ProgressFilter` are local calendar days, inclusive; weeks start on Monday,
local time. "Answers" are attempts at a question, not answers to a follow-up (those are judged on
what the follow-up asked), unless ``include_follow_ups`` is set.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlite_utils import Database

from desktop_app.domain import SCORE_KEYS
from desktop_app.storage.metrics import METRICS
from desktop_app.storage.progress_rollup import DayPoint, RollupQueries, calendar_day
from desktop_app.storage.rollup import usable

DIMENSIONS = SCORE_KEYS[1:]  # star, specificity, jargon, delivery, reasoning
DELIVERY_KEYS = ("wpm", "fillers_per_min", "hedges")
SERIES_KEYS = (*SCORE_KEYS, *DELIVERY_KEYS)
_VALUE_SQL = {**{k: f"a.score_{k}" for k in SCORE_KEYS},
              **{k: f"m.m_{k}" for k in DELIVERY_KEYS}}
_Q = " LEFT JOIN questions AS q ON q.id = a.question_id"
_M = " LEFT JOIN attempt_metrics AS m ON m.attempt_id = a.id"
_J2000 = datetime(2000, 1, 1, 12, tzinfo=timezone.utc)  # julian day 2451545.0
STAR_PARTS = ("S", "T", "A", "R")


def from_julian(jd: float) -> datetime:
    """A UTC datetime from SQLite's julianday()."""
    return _J2000 + timedelta(seconds=round((float(jd) - 2451545.0) * 86400))


def utc_bound(day: date) -> str:
    """Local midnight at the start of ``day``, as a stored (UTC ISO) timestamp."""
    local = datetime.combine(day, time()).astimezone()
    return local.astimezone(timezone.utc).isoformat(timespec="seconds")


def source(f: ProgressFilter | None = None, *, questions: bool = False,
           metrics: bool = False) -> str:
    """The FROM clause: attempts ``a``, with questions ``q`` when the filter or the query needs
    them and metrics ``m`` when the query reads them (each join costs a lookup per attempt)."""
    need_q = questions or bool(f and (f.competencies or f.kinds))
    return "FROM attempts AS a" + (_Q if need_q else "") + (_M if metrics else "")


@dataclass(frozen=True)
class ProgressFilter:
    """Which attempts a view or a report covers. Empty tuples mean "all"."""

    since: date | None = None
    until: date | None = None
    competencies: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    include_follow_ups: bool = False

    def where(self, *, scored: bool = False, answers: bool = True) -> tuple[str, list[Any]]:
        """The WHERE clause (with its parameters) over :func:`source`'s aliases."""
        parts: list[str] = []
        params: list[Any] = []
        if self.since is not None:
            parts.append("a.started_at >= ?")
            params.append(utc_bound(self.since))
        if self.until is not None:
            parts.append("a.started_at < ?")
            params.append(utc_bound(self.until + timedelta(days=1)))
        for column, values in (("q.competency", self.competencies), ("q.kind", self.kinds)):
            if values:
                parts.append(f"{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        if answers and not self.include_follow_ups:
            parts.append("a.prompt_text IS NULL")
        if scored:
            parts.append("a.score_overall IS NOT NULL")
        return ("WHERE " + " AND ".join(parts)) if parts else "", params


@dataclass(frozen=True)
class SeriesPoint:
    """One point of a trend: one attempt, or the average of ``count`` attempts close in time."""

    at: datetime
    count: int
    attempt_id: int | None  # set when the point is one attempt
    values: dict[str, float | None]


@dataclass(frozen=True)
class Summary:
    attempts: int  # every attempt in the period, follow-up answers and unscored ones included
    scored: int  # scored answers
    practice_s: float
    first_at: datetime | None
    last_at: datetime | None
    averages: dict[str, float | None]
    start: dict[str, float | None]  # average of the first few scored answers of the period
    end: dict[str, float | None]  # … and of the last few
    window: int  # how many answers "the first few" and "the last few" are

    @property
    def change(self) -> dict[str, float | None]:
        return {k: None if self.start[k] is None or self.end[k] is None
                else self.end[k] - self.start[k] for k in SCORE_KEYS}


@dataclass(frozen=True)
class CompetencyRow:
    competency: str
    attempts: int
    best: float | None
    latest: float | None
    last_at: datetime | None
    averages: dict[str, float | None] = field(default_factory=dict)

    @property
    def weakest(self) -> str | None:
        return weakest_of(self.averages)


@dataclass(frozen=True)
class Week:
    start: date  # Monday
    seconds: float
    attempts: int


@dataclass(frozen=True)
class Tip:
    tip_id: str
    count: int
    text: str


@dataclass(frozen=True)
class Retake:
    """One attempt at a question, as the retakes comparison lists it."""

    id: int
    started_at: str
    duration_s: float
    status: str
    scores: dict[str, float | None]
    star: dict[str, bool | None]


@dataclass(frozen=True)
class QuestionStat:
    question_id: str
    attempts: int
    last_at: datetime | None
    best: float | None


def weakest_of(averages: dict[str, float | None]) -> str | None:
    judged = {k: v for k, v in averages.items() if k in DIMENSIONS and v is not None}
    return min(judged, key=judged.__getitem__) if judged else None


def strongest_of(averages: dict[str, float | None]) -> str | None:
    judged = {k: v for k, v in averages.items() if k in DIMENSIONS and v is not None}
    return max(judged, key=judged.__getitem__) if judged else None


def _dt(jd: float | None) -> datetime | None:
    return None if jd is None else from_julian(jd)


def _merged(days: list[DayPoint], max_points: int) -> list[SeriesPoint]:
    """Day points as series points; over ``max_points`` days, neighbouring days are merged
    into equal stretches of time (like the attempt-level buckets)."""
    if len(days) > max_points:
        j0, j1 = days[0].jd_sum / days[0].count, days[-1].jd_sum / days[-1].count
        width = max((j1 - j0) / max_points, 1e-9)
        groups: dict[int, DayPoint] = {}
        for d in days:
            i = int((d.jd_sum / d.count - j0) / width)
            groups[i] = groups[i].merge(d) if i in groups else d
        days = [groups[i] for i in sorted(groups)]
    return [SeriesPoint(from_julian(d.jd_sum / d.count), d.count,
                        d.latest_id if d.count == 1 else None, d.values) for d in days]


class Progress:
    """The queries, over one open database (used on the thread that opened it).

    They read the rollup tables (:mod:`.progress_rollup`, cost set by days and competencies)
    when those are current, else the attempts themselves; ``rollup=False`` forces the latter.
    Both give the same results."""

    def __init__(self, db: Database, *, rollup: bool = True) -> None:
        self.db = db
        self.fast = rollup and usable(db)
        self._r = RollupQueries(db)

    def _one(self, sql: str, params: list[Any]) -> tuple:
        return self.db.execute(sql, params).fetchone()

    def attempt_count(self) -> int:
        """Every attempt stored."""
        if self.fast:
            return self._r.attempt_count()
        return int(self._one("SELECT COUNT(*) FROM attempts", [])[0])

    def series(self, f: ProgressFilter, max_points: int = 400) -> list[SeriesPoint]:
        """Scored answers oldest first, at most ``max_points`` points (see the module note)."""
        where, params = f.where(scored=True)
        if self.fast:
            n = self._r.averages(f)[0]
            if n > max_points:
                return _merged(self._r.day_points(f), max_points)
        else:
            n, j0, j1 = self._one(
                f"SELECT COUNT(*), MIN(julianday(a.started_at)), MAX(julianday(a.started_at)) "
                f"{source(f)} {where}", params)
        if not n:
            return []
        values = ", ".join(f"AVG({sql})" for sql in _VALUE_SQL.values())
        src = source(f, metrics=True)
        if n <= max_points:
            plain = ", ".join(_VALUE_SQL.values())
            sql = (f"SELECT julianday(a.started_at), 1, a.id, {plain} {src} {where} "
                   "ORDER BY a.started_at, a.id")
        else:
            width = max((j1 - j0) / max_points, 1e-9)
            bucket = f"CAST((julianday(a.started_at) - {j0!r}) / {width!r} AS INTEGER)"
            sql = (f"SELECT AVG(julianday(a.started_at)), COUNT(*), "
                   f"CASE WHEN COUNT(*) = 1 THEN MIN(a.id) END, {values} {src} {where} "
                   f"GROUP BY {bucket} ORDER BY 1")
        rows = self.db.execute(sql, params).fetchall()
        return [SeriesPoint(from_julian(r[0]), int(r[1]), r[2],
                            dict(zip(SERIES_KEYS, r[3:], strict=True))) for r in rows]

    def _edges(self, f: ProgressFilter, k: int) -> tuple[dict, dict]:
        """The average scores of the first ``k`` and of the last ``k`` scored answers."""
        where, params = f.where(scored=True)
        cols = ", ".join(f"a.score_{key} AS {key}" for key in SCORE_KEYS)
        avg = ", ".join(f"AVG({key})" for key in SCORE_KEYS)
        out = []
        for order in ("", " DESC"):
            row = self._one(f"SELECT {avg} FROM (SELECT {cols} {source(f)} {where} "
                            f"ORDER BY a.started_at{order}, a.id{order} LIMIT ?)", [*params, k])
            out.append(dict(zip(SCORE_KEYS, row, strict=True)))
        return out[0], out[1]

    def summary(self, f: ProgressFilter, window: int = 5) -> Summary:
        if self.fast:
            count, seconds, j0, j1 = self._r.totals(f)
            scored, averages = self._r.averages(f)
        else:
            where_all, p_all = f.where(answers=False)
            count, seconds, j0, j1 = self._one(
                "SELECT COUNT(*), TOTAL(a.duration_s), MIN(julianday(a.started_at)), "
                f"MAX(julianday(a.started_at)) {source(f)} {where_all}", p_all)
            where, params = f.where(scored=True)
            avg = ", ".join(f"AVG(a.score_{key})" for key in SCORE_KEYS)
            row = self._one(f"SELECT COUNT(*), {avg} {source(f)} {where}", params)
            scored, averages = row[0], dict(zip(SCORE_KEYS, row[1:], strict=True))
        k = max(1, min(window, scored // 2)) if scored else 0
        start, end = self._edges(f, k)
        return Summary(int(count), int(scored), float(seconds or 0.0), _dt(j0), _dt(j1),
                       averages, start, end, k)

    def coverage(self, f: ProgressFilter) -> list[CompetencyRow]:
        """One row per competency practised in the period (never-practised ones: see
        :func:`desktop_app.reports.model.coverage_of`); averages are over scored answers."""
        if self.fast:
            return [CompetencyRow(c or "(unknown)", n, best, latest, _dt(jd), avgs)
                    for c, n, best, latest, jd, avgs in self._r.coverage(f)]
        where, params = f.where()
        cols = ", ".join(f"a.score_{k} AS {k}" for k in SCORE_KEYS)
        avgs = ", ".join(f"AVG(CASE WHEN overall IS NOT NULL THEN {k} END)" for k in SCORE_KEYS)
        sql = (
            f"WITH s AS (SELECT q.competency AS c, a.started_at AS at, {cols}, ROW_NUMBER() "
            f"OVER (PARTITION BY q.competency ORDER BY (a.score_overall IS NULL), "
            f"a.started_at DESC, a.id DESC) AS recent {source(f, questions=True)} {where}) "
            f"SELECT c, COUNT(*), MAX(overall), MAX(CASE WHEN recent = 1 THEN overall END), "
            f"MAX(julianday(at)), {avgs} FROM s GROUP BY c ORDER BY c")
        out = []
        for r in self.db.execute(sql, params).fetchall():
            out.append(CompetencyRow(r[0] or "(unknown)", int(r[1]), r[2], r[3], _dt(r[4]),
                                     dict(zip(SCORE_KEYS, r[5:], strict=True))))
        return out

    def weeks(self, f: ProgressFilter) -> list[Week]:
        """Practice time per local week (Monday first), every attempt counted, oldest first."""
        if self.fast:
            return [Week(*w) for w in self._r.weeks(f)]
        where, params = f.where(answers=False)
        monday = "date(a.started_at, 'localtime', 'weekday 0', '-6 days')"
        sql = (f"SELECT {monday} AS w, TOTAL(a.duration_s), COUNT(*) {source(f)} {where} "
               "GROUP BY w ORDER BY w")
        return [Week(day, float(s), int(n)) for w, s, n in self.db.execute(sql, params).fetchall()
                if (day := calendar_day(w)) is not None]

    def practice_days(self, f: ProgressFilter | None = None, limit: int = 1000) -> list[date]:
        """The local days with at least one attempt, newest first."""
        if self.fast:
            return self._r.practice_days(f or ProgressFilter(), limit)
        where, params = (f or ProgressFilter()).where(answers=False)
        sql = (f"SELECT DISTINCT date(a.started_at, 'localtime') AS d {source(f)} {where} "
               "ORDER BY d DESC LIMIT ?")
        return [day for (d,) in self.db.execute(sql, [*params, limit])
                if (day := calendar_day(d)) is not None]

    def recurring_tips(self, f: ProgressFilter, ids: tuple[str, ...], limit: int = 3,
                       prefix: str = "focus_") -> list[Tip]:
        """The tip rules in ``ids`` (or starting with ``prefix``) given most often in the
        period, with the most recent wording of each."""
        if self.fast:
            return [Tip(t, n, text or "")
                    for t, n, text in self._r.recurring_tips(f, ids, limit, prefix)]
        where, params = f.where(scored=True)
        marks = ", ".join("?" for _ in ids) or "NULL"
        # The attempts in the period first (from the covering index), then their tips by key:
        # CROSS JOIN keeps SQLite from starting at the tips and looking each attempt up.
        sql = (f"SELECT t.tip_id, COUNT(DISTINCT s.id), t.text, MAX(s.at) FROM "
               f"(SELECT a.id AS id, a.started_at AS at {source(f)} {where}) AS s "
               f"CROSS JOIN attempt_tips AS t ON t.attempt_id = s.id "
               f"WHERE (t.tip_id IN ({marks}) OR t.tip_id LIKE ?) "
               "GROUP BY t.tip_id ORDER BY COUNT(DISTINCT s.id) DESC, MAX(s.at) DESC "
               "LIMIT ?")
        rows = self.db.execute(sql, [*params, *ids, prefix + "%", limit])
        return [Tip(tid, int(n), text or "") for tid, n, text, _at in rows.fetchall()]

    def retakes(self, question_id: str) -> list[Retake]:
        """Every answer to ``question_id`` (follow-up answers left out), oldest first."""
        scores = ", ".join(f"a.score_{k}" for k in SCORE_KEYS)
        star = ", ".join(f"m.m_star_{p.lower()}" for p in STAR_PARTS)
        sql = (f"SELECT a.id, a.started_at, a.duration_s, a.status, {scores}, {star} "
               f"{source(metrics=True)} "
               "WHERE a.question_id = ? AND a.prompt_text IS NULL ORDER BY a.started_at, a.id")
        n = len(SCORE_KEYS)
        return [Retake(r[0], r[1], float(r[2] or 0.0), r[3] or "",
                       dict(zip(SCORE_KEYS, r[4:4 + n], strict=True)),
                       {p: None if v is None else bool(v)
                        for p, v in zip(STAR_PARTS, r[4 + n:], strict=True)})
                for r in self.db.execute(sql, [question_id]).fetchall()]

    def question_stats(self, f: ProgressFilter | None = None) -> dict[str, QuestionStat]:
        """Per question: answers, when last practised and the best overall score."""
        f = f or ProgressFilter()
        if self.fast and f.since is None and f.until is None:
            return {qid: QuestionStat(qid, n, _dt(j), best)
                    for qid, n, j, best in self._r.question_stats(f)}
        where, params = f.where()
        sql = (f"SELECT a.question_id, COUNT(*), MAX(julianday(a.started_at)), "
               f"MAX(a.score_overall) {source(f)} {where} GROUP BY a.question_id")
        return {qid: QuestionStat(qid, int(n), _dt(j), best)
                for qid, n, j, best in self.db.execute(sql, params).fetchall()}

    def attempt_ids(self, f: ProgressFilter) -> list[int]:
        """Every attempt in the period (follow-up answers included), oldest first."""
        where, params = f.where(answers=False)
        sql = f"SELECT a.id {source(f)} {where} ORDER BY a.started_at, a.id"
        return [r[0] for r in self.db.execute(sql, params).fetchall()]

    def table_rows(self, f: ProgressFilter) -> tuple[list[str], list[tuple]]:
        """Every attempt in the period as flat columns (no JSON): the CSV's source."""
        where, params = f.where(answers=False)
        cols = ["a.id", "a.started_at", "a.ended_at", "a.duration_s", "a.status",
                "a.question_id", "q.text", "q.competency", "q.kind", "a.parent_attempt_id",
                "a.prompt_text", "a.model", *(f"a.score_{k}" for k in SCORE_KEYS),
                *(f"m.{c}" for c in METRICS), "a.note"]
        src = source(f, questions=True, metrics=True)
        cur = self.db.execute(f"SELECT {', '.join(cols)} {src} {where} "
                              "ORDER BY a.started_at, a.id", params)
        return [d[0] for d in cur.description], cur.fetchall()
