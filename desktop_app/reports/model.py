"""The progress report model: what the Progress view shows and every export writes.

:func:`build_report` gathers it from the database (SQL aggregates, see
:mod:`desktop_app.storage.progress`) and the question bank; with ``with_attempts`` it also reads
every attempt in the period back as typed objects, through the attempt service (for
per-attempt pages and the JSON export).
Nothing here draws or writes a file.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import Protocol

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 needs the tomli backport
    import tomli as tomllib

from desktop_app.domain import Question
from desktop_app.paths import assets_dir
from desktop_app.reports.records import AttemptLoader, AttemptRecord, load_record
from desktop_app.storage.progress import (
    DIMENSIONS,
    CompetencyRow,
    Progress,
    ProgressFilter,
    SeriesPoint,
    Summary,
    Tip,
    Week,
    strongest_of,
    weakest_of,
)

DIMENSION_TITLES = {"overall": "Overall", "star": "STAR", "specificity": "Specificity",
                    "jargon": "Jargon", "delivery": "Delivery", "reasoning": "Reasoning"}


class Bank(Protocol):
    questions: list[Question]

    def get(self, qid: str) -> Question | None: ...

    def competencies(self) -> list[str]: ...


@dataclass(frozen=True)
class Streak:
    current: int  # consecutive days with practice, ending today (or yesterday)
    longest: int
    last_day: date | None
    days_this_week: int


@dataclass(frozen=True)
class FocusPoint:
    """One of the "top three things to work on"."""

    text: str
    why: str  # e.g. "in 7 of 12 answers"


@dataclass
class Report:
    filter: ProgressFilter
    generated_at: datetime
    summary: Summary
    series: list[SeriesPoint]
    coverage: list[CompetencyRow]  # every competency in scope, never-practised ones included
    weeks: list[Week]
    streak: Streak
    tips: list[Tip]
    focus: list[FocusPoint]
    attempts: list[AttemptRecord] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return self.summary.attempts == 0

    @property
    def weakest(self) -> str | None:
        return weakest_of(self.summary.averages)

    @property
    def strongest(self) -> str | None:
        return strongest_of(self.summary.averages)

    def period_text(self) -> str:
        return period_text(self.filter, self.summary)


def period_text(f: ProgressFilter, s: Summary) -> str:
    """"2026-10-01 – 2026-11-30": the filter's dates, else the first and last attempt's."""
    start = f.since or (s.first_at.astimezone().date() if s.first_at else None)
    end = f.until or (s.last_at.astimezone().date() if s.last_at else None)
    if start is None and end is None:
        return "no attempts yet"
    return f"{start or '…'} – {end or '…'}"


def streak_of(days: Sequence[date], today: date) -> Streak:
    """Streaks from the practised days (any order)."""
    unique = sorted(set(days))
    longest = run = 0
    prev: date | None = None
    for d in unique:
        run = run + 1 if prev is not None and d - prev == timedelta(days=1) else 1
        longest = max(longest, run)
        prev = d
    current = 0
    present = set(unique)
    day = today if today in present else today - timedelta(days=1)
    while day in present:
        current += 1
        day -= timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    this_week = sum(1 for d in unique if monday <= d <= today)
    return Streak(current, longest, unique[-1] if unique else None, this_week)


def coverage_of(rows: Sequence[CompetencyRow], competencies: Sequence[str]) -> list[CompetencyRow]:
    """``rows`` plus an empty row for each competency in ``competencies`` never practised,
    in the order of ``competencies`` (then any practised one the bank no longer has)."""
    by_name = {r.competency: r for r in rows}
    out = [by_name.pop(c, None) or CompetencyRow(c, 0, None, None, None, {})
           for c in competencies]
    return out + sorted(by_name.values(), key=lambda r: r.competency.casefold())


@lru_cache(maxsize=1)
def _wording() -> tuple[tuple[str, ...], dict[str, str]]:
    """(the shortfall tip rules, their general wording): feedback.toml's [tips] and
    assets/reports.toml's [work_on]."""
    analysis = assets_dir() / "analysis" / "feedback.toml"
    rules = tuple(tomllib.loads(analysis.read_text(encoding="utf-8")).get("tips", {}))
    work_on = tomllib.loads((assets_dir() / "reports.toml").read_text(encoding="utf-8"))
    return rules, dict(work_on.get("work_on", {}))


def focus_points(tips: Sequence[Tip], s: Summary, coverage: Sequence[CompetencyRow],
                 limit: int = 3) -> list[FocusPoint]:
    """The top things to work on: the tips that recur most, then the weakest dimension and
    the weakest practised competency when fewer tips recur."""
    wording = _wording()[1]
    out = [FocusPoint(wording.get(t.tip_id, t.text), f"in {t.count} of {s.scored} answers")
           for t in tips[:limit]]
    weakest = weakest_of(s.averages)
    if len(out) < limit and weakest is not None:
        value = s.averages[weakest] or 0.0
        out.append(FocusPoint(f"Lift your {DIMENSION_TITLES[weakest]} score, your weakest "
                              "dimension.", f"average {value:.0f}"))
    practised = [r for r in coverage if r.attempts and r.averages.get("overall") is not None]
    if len(out) < limit and len(practised) > 1:
        worst = min(practised, key=lambda r: r.averages["overall"] or 0.0)
        out.append(FocusPoint(f"Practise more {worst.competency} questions.",
                              f"average {worst.averages['overall']:.0f} over "
                              f"{worst.attempts} answers"))
    return out[:limit]


def scope_competencies(bank: Bank, f: ProgressFilter) -> list[str]:
    """The competencies a report covers: the filter's, else the bank's (of the filter's kinds)."""
    if f.competencies:
        return list(f.competencies)
    if f.kinds:
        return sorted({q.competency for q in bank.questions if q.kind in f.kinds},
                      key=str.casefold)
    return bank.competencies()


def build_report(progress: Progress, bank: Bank, f: ProgressFilter, *,
                 store: AttemptLoader | None = None, with_attempts: bool = False,
                 today: date | None = None, max_points: int = 400) -> Report:
    """Everything a report or the Progress view shows for ``f``."""
    today = today or datetime.now().astimezone().date()
    summary = progress.summary(f)
    coverage = coverage_of(progress.coverage(f), scope_competencies(bank, f))
    tips = progress.recurring_tips(f, _wording()[0], limit=3)
    report = Report(
        filter=f,
        generated_at=datetime.now(timezone.utc),
        summary=summary,
        series=progress.series(f, max_points=max_points),
        coverage=coverage,
        weeks=progress.weeks(f),
        streak=streak_of(progress.practice_days(f), today),
        tips=tips,
        focus=focus_points(tips, summary, coverage),
    )
    if with_attempts:
        if store is None:
            raise ValueError("with_attempts needs the attempt store")
        for attempt_id in progress.attempt_ids(f):
            rec = load_record(store, bank, attempt_id)
            if rec is not None:
                report.attempts.append(rec)
    return report


__all__ = ["DIMENSIONS", "DIMENSION_TITLES", "FocusPoint", "Report", "Streak", "build_report",
           "coverage_of", "focus_points", "period_text", "scope_competencies", "streak_of"]
