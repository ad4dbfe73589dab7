"""Esc (End) in every step of a follow-up, and while the interviewer waits for scores, always
ends in a round report: whether the last answer's scores arrive, the answer held no speech, or
its scores never come. The round runs headless on the real machine, keeper and SQLite file
(typed answers scored by the real Analyzer), on an injected clock ticked the way the window
ticks it."""

from __future__ import annotations

import pytest

from desktop_app.session import round_io as io
from tests.session.test_runner import (  # noqa: F401 - round_env is the fixture
    _speak_line,
    answer_first_question,
    round_env,
)


def _window_ticks(runner, clock, seconds: float, step: float = 0.5) -> None:
    """What the Interview tab's timer does: tick while the runner says it needs ticks."""
    end = clock.t + seconds
    while clock.t < end:
        clock.advance(step)
        if runner.active:
            runner.tick()


def _to_follow_up(runner, flow, clock) -> int:
    """Greeting, question 1 answered and scored: the follow-up is being asked."""
    answer_first_question(runner, clock, 25)
    attempt = runner.machine.items[0].attempt_id
    clock.advance(3)
    flow.deliver()
    assert runner.view().part == "follow_up" and runner.view().phase == "asking"
    return attempt


@pytest.mark.parametrize("phase", ["asking", "thinking", "answering", "saving"])
@pytest.mark.parametrize("outcome", ["scored", "silent", "never"])
def test_esc_during_a_follow_up_always_ends_in_a_report(round_env, clock, phase,  # noqa: F811
                                                        outcome):
    runner, voice, flow, repo, finished = round_env
    _to_follow_up(runner, flow, clock)
    if phase != "asking":
        _speak_line(runner, clock, 3.0)  # the follow-up heard: its think time runs
    if phase in ("answering", "saving"):
        runner.send(io.StartAnswer())
        runner.recording_started()
        clock.advance(2)
    if phase == "saving":  # hands-free: silence ended the follow-up; Esc while it is saved
        flow.hold = True  # the recorder has not reported the saved file yet
        runner.send(io.Heard(3.0, 5.0))
        assert runner.view().phase == "saving"
    runner.send(io.End())
    if phase == "saving":
        flow.release()  # now the recording is stored
    assert runner.view().phase == "closing"
    _speak_line(runner, clock)  # "Let's stop there…"
    answered = phase in ("answering", "saving")
    fu_id = runner.machine.items[0].follow_up_attempt_id
    assert (fu_id is not None) == answered
    if answered and outcome == "scored":
        clock.advance(8)
        flow.deliver()
    elif answered and outcome == "silent":
        flow.queued.clear()
        runner.answer_silent(fu_id)
    elif answered:
        flow.queued.clear()  # its scores never come (the model crashed, the app was busy)
        _window_ticks(runner, clock, runner.wait_for_last_scores_s + 2)
    (report,) = finished
    assert report.status == "ended" and not runner.active
    item = report.items[0]
    assert item.answer is not None and item.follow_up
    assert (item.follow_up_answer is not None) == answered


@pytest.mark.parametrize("outcome", ["scored", "silent", "never"])
def test_esc_while_the_interviewer_waits_for_scores_ends_in_a_report(round_env, clock,  # noqa: F811
                                                                   outcome):
    runner, voice, flow, repo, finished = round_env
    answer_first_question(runner, clock, 25)
    _window_ticks(runner, clock, 10)
    assert runner.view().phase == "scoring" and runner.view().waited_s == pytest.approx(10)
    runner.send(io.End())
    _speak_line(runner, clock)
    assert runner.finishing and not finished
    attempt = runner.machine.items[0].attempt_id
    if outcome == "scored":
        flow.deliver()
    elif outcome == "silent":
        runner.answer_silent(attempt)
    else:
        _window_ticks(runner, clock, runner.wait_for_last_scores_s + 2)
    (report,) = finished
    assert report.items[0].answer.attempt_id == attempt and report.items[0].follow_up is None


LOCKER = ("import sqlite3, sys\n"
          "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
          "c.execute('BEGIN IMMEDIATE')\n"
          "print('locked', flush=True)\n"
          "sys.stdin.readline()\n")


def test_a_report_that_cannot_be_saved_is_tried_again_not_lost(tmp_path, plan3, config, clock):
    """The database is locked by another process (a backup tool, a second window) just as the
    round ends: the report is not lost (before, the round ended with no report, ever); it is
    saved on a later tick once the lock is gone."""
    import subprocess
    import sys

    from desktop_app.session.keeper import RoundKeeper
    from desktop_app.session.report import StoredAttempts
    from desktop_app.session.runner import RoundRunner
    from desktop_app.session.voice import VoiceTracker
    from desktop_app.storage.repository import Repository
    from desktop_app.storage.rounds import RoundStore
    from desktop_app.transcription.live import LiveConfig
    from desktop_app.transcription.vad import VoiceActivityDetector
    from tests.session.test_runner import ScriptVoice, TypedAnswers

    path = tmp_path / "rehearse.db"
    repo = Repository.open(path, timeout=0.2)
    keeper = RoundKeeper(repo, StoredAttempts(repo), config.with_times(think_s=5))
    round_id, machine = keeper.start(plan3, clock)
    flow, errors, finished = TypedAnswers(repo, round_id), [], []
    vad = LiveConfig.load().vad
    runner = RoundRunner(keeper, round_id, machine, ScriptVoice(), flow,
                         lambda: VoiceTracker(VoiceActivityDetector(vad)), clock,
                         on_finished=finished.append, on_error=errors.append)
    flow.runner = runner
    answer_first_question(runner, clock, 20)
    flow.deliver()
    runner.send(io.End())  # during the follow-up's question
    locker = subprocess.Popen([sys.executable, "-c", LOCKER, str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert locker.stdout.readline().strip() == "locked"
        _speak_line(runner, clock)  # the closing line: the round is over, its report due now
        assert finished == [] and runner.active and runner.finishing
        assert errors and all(e.startswith("Could not save the round") for e in errors)
        _window_ticks(runner, clock, 5)  # still locked: tried again, still held
        assert finished == [] and runner.active
    finally:
        locker.communicate("\n", timeout=10)
    _window_ticks(runner, clock, 3)
    (report,) = finished
    assert not runner.active and report.status == "ended"
    assert RoundStore(repo.db).get(round_id).report is not None
    repo.close()
