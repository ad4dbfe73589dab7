"""Shared pieces for the mock-interview tests: the real bank, config and planner."""

from __future__ import annotations

import pytest

from desktop_app.paths import prompts_dir
from desktop_app.questions import QuestionBank
from desktop_app.session.config import Roles, RoundConfig
from desktop_app.session.plan import Planner, PlanRequest
from desktop_app.session.values import ValuesBank


class ManualClock:
    """A monotonic clock the test moves by hand (the round machine's clock is injected)."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t

    def advance(self, seconds: float) -> None:
        self.t += seconds


@pytest.fixture(scope="session")
def bank() -> QuestionBank:
    return QuestionBank.load([prompts_dir()])


@pytest.fixture(scope="session")
def config() -> RoundConfig:
    return RoundConfig.load()


@pytest.fixture(scope="session")
def values_bank(bank) -> ValuesBank:
    return ValuesBank.load(prompts_dir() / "values", None, bank.competencies())


@pytest.fixture(scope="session")
def planner(bank, config, values_bank) -> Planner:
    return Planner(bank, Roles.load(), values_bank, config)


@pytest.fixture
def plan3(planner):
    return planner.plan(PlanRequest(role="software-engineer", seniority="mid", questions=3,
                                    seed=7))


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()
