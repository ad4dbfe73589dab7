"""A finished mock interview round in a real database, made headless: the real planner,
machine, runner and keeper, typed answers scored by the real Analyzer (test_runner's
TypedAnswers), every question answered with its follow-up."""

from __future__ import annotations

from desktop_app.session import round_io as io
from desktop_app.session.keeper import RoundKeeper
from desktop_app.session.kit import InterviewKit
from desktop_app.session.plan import PlanRequest
from desktop_app.session.report import StoredAttempts
from desktop_app.session.runner import RoundRunner
from desktop_app.session.voice import VoiceTracker
from desktop_app.transcription.live import LiveConfig
from desktop_app.transcription.vad import VoiceActivityDetector
from tests.session.conftest import ManualClock
from tests.session.test_runner import ScriptVoice, TypedAnswers


def finished_round(repo, bank, *, questions: int = 3, seed: int = 7, schedule=None):
    """(round id, RoundReport) of a completed round."""
    kit = InterviewKit.load(None, bank)
    clock = ManualClock()
    plan = kit.planner.plan(PlanRequest(role="software-engineer", questions=questions,
                                        seed=seed))
    keeper = RoundKeeper(repo, StoredAttempts(repo), kit.config, schedule)
    round_id, machine = keeper.start(plan, clock)
    flow = TypedAnswers(repo, round_id)
    vad = LiveConfig.load().vad
    runner = RoundRunner(keeper, round_id, machine, ScriptVoice(), flow,
                         lambda: VoiceTracker(VoiceActivityDetector(vad)), clock)
    flow.runner = runner
    runner.start()
    runner.speech_finished()  # greeting
    for _ in range(questions):
        runner.speech_finished()  # the question
        runner.send(io.StartAnswer())
        clock.advance(30)
        runner.send(io.StopAnswer())
        flow.deliver()  # scored: the follow-up is asked
        runner.speech_finished()
        runner.send(io.StartAnswer())
        clock.advance(10)
        runner.send(io.StopAnswer())
        flow.deliver()
    runner.speech_finished()  # closing
    assert runner.report is not None
    return round_id, runner.report
