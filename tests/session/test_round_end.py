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
