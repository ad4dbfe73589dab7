"""Keeps a round on disk: its row in ``sessions``, every state the machine saves, and at the end
its report and the schedule of each question it answered. A round the app never finished (a
crash, a power cut) is found at the next start and can be resumed or closed; closing reports the
answers it kept."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from desktop_app.session import round_io as io
from desktop_app.session.config import RoundConfig
from desktop_app.session.plan import Plan
from desktop_app.session.report import AttemptReader, RoundReport, build_report
from desktop_app.session.round import RoundMachine
from desktop_app.session.round_state import ItemRecord
from desktop_app.session.schedule import Schedule
from desktop_app.storage.repository import Repository
from desktop_app.storage.rounds import CLOSED, RoundRow, RoundStore

ABORTED = ("skip", "pause", "end", "failed")  # answers cut short come back soon


class RoundKeeper:
    """Persists rounds. Call :meth:`apply` with every batch of actions the machine returns."""

    def __init__(self, repo: Repository, reader: AttemptReader, config: RoundConfig,
                 schedule: Schedule | None = None) -> None:
        self.repo, self.reader, self.config, self.schedule = repo, reader, config, schedule
        self.store = RoundStore(repo.db, repo.path)

    def start(self, plan: Plan, clock: Callable[[], float]) -> tuple[int, RoundMachine]:
        """A new round row and its machine (the plan's questions are recorded too, so History
        can name a values question after its pack changes)."""
        self.repo.sync_questions(plan.questions)
        machine = RoundMachine(plan, self.config, clock)
        round_id = self.store.create(plan.to_dict())
        self.store.save_state(round_id, machine.snapshot())
        return round_id, machine

    def apply(self, round_id: int, machine: RoundMachine, actions: Iterable[io.Action]
              ) -> RoundReport | None:
        """Write what must be written; returns the report when the round finished."""
        report = None
        for action in actions:
            if isinstance(action, io.Save):
                self.store.save_state(round_id, action.state)
            elif isinstance(action, io.Finished):
                report = self._finish(round_id, machine.plan, machine.items, action.reason)
        return report

    def unfinished(self) -> list[RoundRow]:
        return self.store.unfinished()

    def resume(self, row: RoundRow, clock: Callable[[], float]) -> RoundMachine:
        """The machine of an unfinished round, ready for ``Begin``."""
        if row.state is None:
            return RoundMachine(Plan.from_dict(row.plan), self.config, clock)
        return RoundMachine.restore(Plan.from_dict(row.plan), self.config, clock, row.state)

    def close(self, row: RoundRow) -> RoundReport:
        """End an unfinished round as it stands and report the answers it kept."""
        plan = Plan.from_dict(row.plan)
        items = ([ItemRecord(**i) for i in row.state["items"]] if row.state
                 else [ItemRecord(n, q.id) for n, q in enumerate(plan.questions)])
        for item in items:
            if item.status == "pending":
                item.status = "not_asked"
        return self._finish(row.id, plan, items, CLOSED)

    def report(self, round_id: int) -> RoundReport | None:
        row = self.store.get(round_id)
        return RoundReport.from_dict(row.report) if row and row.report else None

    def _finish(self, round_id: int, plan: Plan, items: list[ItemRecord], status: str
                ) -> RoundReport:
        report = build_report(plan, items, self.reader, self.config, round_id=round_id,
                              status=status)
        self.store.finish(round_id, report.to_dict(), status)
        if self.schedule is not None:
            for item, planned in zip(report.items, plan.items, strict=False):
                a = item.answer
                if a is None or a.attempt_id is None or a.status != "scored":
                    continue
                got = self.reader.read(a.attempt_id)
                analysis = got[1].to_dict() if got and got[1] is not None else None
                self.schedule.review_attempt(a.attempt_id, planned.question.id, analysis,
                                             aborted=a.ended_by in ABORTED,
                                             duration_s=a.duration_s)
        return report
