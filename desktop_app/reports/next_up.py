"""What to practise next: a few questions from weak or stale competencies.

A competency's need is its weakness (100 minus its average overall score; 60 when never
practised) plus its staleness (days since last practised, capped at 30; never practised counts
as 30). The neediest competencies each give one question: one never answered first, else the
one answered longest ago. Each suggestion says why it was chosen, in plain words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from desktop_app.domain import Question
from desktop_app.storage.progress import CompetencyRow, QuestionStat

NEVER_SCORE = 60.0  # the weakness given to a competency never practised
STALE_CAP_DAYS = 30.0


@dataclass(frozen=True)
class Suggestion:
    question: Question
    reason: str


def _need(row: CompetencyRow | None, now: datetime) -> float:
    if row is None or not row.attempts:
        return NEVER_SCORE + STALE_CAP_DAYS
    avg = row.averages.get("overall")
    weakness = 100.0 - avg if avg is not None else NEVER_SCORE
    days = (now - row.last_at).total_seconds() / 86400 if row.last_at else STALE_CAP_DAYS
    return weakness + min(STALE_CAP_DAYS, max(0.0, days))


def _reason(row: CompetencyRow | None, now: datetime) -> str:
    if row is None or not row.attempts:
        return "never practised"
    parts = []
    avg = row.averages.get("overall")
    if avg is not None:
        parts.append(f"average {avg:.0f}")
    if row.last_at is not None:
        days = int((now - row.last_at).total_seconds() // 86400)
        parts.append("practised today" if days == 0 else
                     f"last practised {days} day{'s' if days != 1 else ''} ago")
    weakest = row.weakest
    if weakest is not None:
        parts.append(f"weakest: {weakest}")
    return ", ".join(parts)


def suggest(questions: Sequence[Question], coverage: Sequence[CompetencyRow],
            stats: dict[str, QuestionStat], *, limit: int = 3,
            now: datetime | None = None) -> list[Suggestion]:
    """Up to ``limit`` questions, neediest competency first (one question per competency)."""
    now = now or datetime.now(timezone.utc)
    rows = {r.competency: r for r in coverage}
    by_comp: dict[str, list[Question]] = {}
    for q in questions:
        by_comp.setdefault(q.competency, []).append(q)
    ranked = sorted(by_comp, key=lambda c: (-_need(rows.get(c), now), c.casefold()))
    out: list[Suggestion] = []
    for comp in ranked[:limit]:
        def answered_at(q: Question) -> tuple[int, float]:
            st = stats.get(q.id)
            if st is None or st.last_at is None:
                return (0, 0.0)
            return (1, st.last_at.timestamp())

        question = min(by_comp[comp], key=answered_at)
        never = answered_at(question)[0] == 0
        reason = f"{comp}: {_reason(rows.get(comp), now)}"
        if never and rows.get(comp) is not None and rows[comp].attempts:
            reason += "; a question you have not answered yet"
        out.append(Suggestion(question, reason))
    return out
