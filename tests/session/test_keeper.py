"""A round kept on disk: a process killed mid-round leaves a round that the next start finds,
resumes at its first unfinished step, or closes with its finished answers reported."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.session import round_io as io
from desktop_app.session.keeper import RoundKeeper
from desktop_app.session.kit import open_schedule
from desktop_app.session.report import RoundReport, StoredAttempts
from desktop_app.storage.repository import Repository

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def crashed(tmp_path):
    db = tmp_path / "rehearse.db"
    proc = subprocess.run([sys.executable, "-m", "tests.session.round_child", str(db)],
                          cwd=REPO, env=dict(os.environ, PYTHONPATH=str(REPO)),
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == -9, proc.stderr  # killed, as a crash would
    round_id, first, second = map(int, proc.stdout.split())
    repo = Repository.open(db)
    yield repo, round_id, first, second
    repo.close()


def test_a_crashed_round_is_found_and_resumed_at_its_first_unfinished_step(crashed, config,
                                                                            clock):
    repo, round_id, first, second = crashed
    keeper = RoundKeeper(repo, StoredAttempts(repo), config)
    (row,) = keeper.unfinished()
    assert row.id == round_id and row.state is not None
    machine = keeper.resume(row, clock)
    out = machine.handle(io.Begin())
    say = next(a for a in out if isinstance(a, io.Say))
    assert say.caption == machine.plan.items[1].question.text  # question 2, asked again
    assert say.text.startswith(config.script.resumed)
    assert machine.items[0].attempt_id == first and machine.items[0].follow_up_attempt_id == second
    keeper.apply(round_id, machine, out)
    assert keeper.unfinished()[0].state["state"]["restored"] is True


def test_closing_a_crashed_round_reports_the_answers_it_kept(crashed, config):
    repo, round_id, first, second = crashed
    schedule = open_schedule(repo, fuzz=False)
    keeper = RoundKeeper(repo, StoredAttempts(repo), config, schedule)
    report = keeper.close(keeper.unfinished()[0])
    assert keeper.unfinished() == []
    assert report.status == "closed" and report.answered == 1
    q1 = report.items[0]
    assert q1.answer.attempt_id == first and q1.answer.scores["overall"] > 0
    assert q1.follow_up and q1.follow_up_answer.attempt_id == second
    assert q1.follow_up_answer.scores.get("focus") is not None
    assert [i.status for i in report.items[1:]] == ["not_asked", "not_asked"]
    assert report.overall == q1.answer.scores["overall"] and report.strongest
    stored = keeper.report(round_id)
    assert stored == RoundReport.from_dict(report.to_dict()) == report
    assert [d.question_id for d in schedule.items()] == [q1.question_id]
    row = keeper.store.get(round_id)
    assert row.ended_at is not None and row.status == "closed"
    assert {a.session_id for a in (repo.get_attempt(first), repo.get_attempt(second))} == {
        round_id}
