"""Everything a mock interview needs, loaded once: the bank, values packs, roles, the round's
settings and the planner; and the spaced-repetition schedule over an open repository."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from desktop_app.paths import prompts_dir
from desktop_app.questions import PackError, QuestionBank
from desktop_app.session.config import Roles, RoundConfig
from desktop_app.session.plan import Planner
from desktop_app.session.schedule import GradeRules, Schedule
from desktop_app.session.values import ValuesBank
from desktop_app.storage.cards import CardStore
from desktop_app.storage.repository import Repository


@dataclass(frozen=True)
class InterviewKit:
    bank: QuestionBank
    values: ValuesBank
    roles: Roles
    config: RoundConfig
    planner: Planner

    @classmethod
    def load(cls, packs: Path | None, bank: QuestionBank | None = None) -> InterviewKit:
        """From the bundled prompts and the user's ``packs`` folder (``bank``: already loaded)."""
        bank = bank if bank is not None else QuestionBank.load(
            [prompts_dir(), *([packs] if packs else [])])
        values = ValuesBank.load(prompts_dir() / "values", packs, bank.competencies())
        roles, config = Roles.load(), RoundConfig.load()
        return cls(bank, values, roles, config, Planner(bank, roles, values, config))

    @property
    def errors(self) -> list[PackError]:
        return [*self.bank.errors, *self.values.errors]


def parse_interview_date(text: str | None) -> date | None:
    """A stored or typed YYYY-MM-DD date, or None (also for an unreadable one)."""
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def open_schedule(repo: Repository, interview_date: date | None = None, *,
                  fuzz: bool = True) -> Schedule:
    return Schedule(CardStore(repo.db, repo.path), GradeRules.load(), fuzz=fuzz,
                    interview_date=interview_date)
