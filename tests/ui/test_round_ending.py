"""The hang seen once — hands-free on, Esc during a follow-up, and the round report never
appeared — on the real window (offscreen Qt, real services and SQLite file): the Interview tab
keeps ticking a round whose report waits for the last scores, an answer with no speech ends
that wait, and the Practice tab leaves the round's empty answer alone. The round's clock is
injected, so the waits run in no time. Also: the run screen while the interviewer considers an
answer, and where the follow-up came from."""

from __future__ import annotations

from desktop_app.session.keeper import RoundKeeper
from desktop_app.session.plan import PlanRequest
from desktop_app.session.report import StoredAttempts
from desktop_app.session.round_state import RoundView
from desktop_app.session.runner import RoundRunner
from desktop_app.session.voice import VoiceTracker
from desktop_app.transcription.live import LiveConfig
from desktop_app.transcription.vad import VoiceActivityDetector
from desktop_app.ui.interview_run import InterviewRun
from desktop_app.ui.round_flow import RoundAnswers
from tests.session.conftest import ManualClock
from tests.session.test_runner import ScriptVoice, TypedAnswers


def _round_in_tab(services, w, clock):
    """A round in the window's Interview tab on a manual clock, with typed answers."""
    iv = w.interview_view
    kit = iv.kit
    plan = kit.planner.plan(PlanRequest(role="software-engineer", questions=3, seed=7))
    keeper = RoundKeeper(services.repo, StoredAttempts(services.repo), kit.config)
    round_id, machine = keeper.start(plan, clock)
    voice, flow = ScriptVoice(), TypedAnswers(services.repo, round_id)
    vad = LiveConfig.load().vad
    runner = RoundRunner(keeper, round_id, machine, voice, flow,
                         lambda: VoiceTracker(VoiceActivityDetector(vad)), clock,
                         on_change=iv._show, on_finished=iv._finished)
    flow.runner = runner
    iv.runner, iv.round_id = runner, round_id
    iv.stack.setCurrentWidget(iv.run)
    iv._timer.start()
    return iv, runner, flow


def _esc_during_the_follow_up_answer(iv, runner, flow, clock) -> int:
    runner.start()
    runner.speech_finished()  # greeting
    runner.speech_finished()  # question 1
    iv.press("space")
    runner.recording_started()
    clock.advance(20)
    iv.press("space")
    flow.deliver()
    runner.speech_finished()  # the follow-up was asked
    iv.press("space")  # its answer starts… and Esc comes before a word is said
    runner.recording_started()
    clock.advance(1.5)
    iv.press("esc")
    runner.speech_finished()  # "Let's stop there…"
    assert runner.machine.done and runner.finishing
    flow.queued.clear()  # the empty follow-up answer is never scored
    return runner.machine.items[0].follow_up_attempt_id


def test_the_report_shows_when_the_last_scores_never_come(services, make_window, qtbot):
    w = make_window(services, load_model=False)
    clock = ManualClock()
    iv, runner, flow = _round_in_tab(services, w, clock)
    _esc_during_the_follow_up_answer(iv, runner, flow, clock)
    assert "Scoring your last answers" in iv.run.phase_label.text()
    clock.advance(runner.wait_for_last_scores_s + 1)
    # before the fix the tab stopped ticking once the interviewer was done: no report, ever
    qtbot.waitUntil(lambda: iv.stack.currentWidget() is iv.report_view, timeout=5000)
    assert iv.report_view.report.status == "ended"


def test_a_follow_up_with_no_speech_ends_the_wait_and_is_kept(services, make_window, qtbot):
    w = make_window(services, load_model=False)
    clock = ManualClock()
    iv, runner, flow = _round_in_tab(services, w, clock)
    answers = RoundAnswers(services, w.pipeline, runner.round_id, iv)  # the round's side
    answers.runner = runner
    try:
        fu_id = _esc_during_the_follow_up_answer(iv, runner, flow, clock)
        answers._mine.add(fu_id)  # it recorded this answer
        w.pipeline.attempt_silent.emit(fu_id)  # the transcriber heard no speech in it
        qtbot.waitUntil(lambda: iv.stack.currentWidget() is iv.report_view, timeout=5000)
        item = iv.report_view.report.items[0]
        assert item.follow_up_answer is not None and item.follow_up_answer.attempt_id == fu_id
        # the Practice tab did not delete the round's empty answer as one of its own
        assert services.repo.get_attempt(fu_id) is not None
    finally:
        answers.shutdown()


def _scoring_view(waited: float) -> RoundView:
    return RoundView("scoring", "main", 0, 3, "One moment…", None, None, 120.0, 240.0, None,
                     False, waited, 45.0)


def test_the_run_screen_shows_the_interviewer_considering_and_the_follow_ups_source(qtbot):
    run = InterviewRun()
    qtbot.addWidget(run)
    run.show()
    run.show_view(_scoring_view(7.4), "transcribing")
    assert run.caption.text() == "One moment…" and run.wait_bar.isVisible()
    assert "considering your answer — transcribing the end of your answer · 7 s" in \
        run.phase_label.text()
    run.show_view(_scoring_view(12.0), "scoring")
    assert "scoring it and choosing a follow-up · 12 s" in run.phase_label.text()
    fu = RoundView("asking", "follow_up", 0, 3, "How did you measure it?", None, None, 60.0,
                   150.0, None, False, None, 45.0, "answer")
    run.show_view(fu)
    assert not run.wait_bar.isVisible() and run.source_label.isVisible()
    assert run.source_label.text() == "Follow-up chosen from what your answer lacked."
    late = RoundView("asking", "follow_up", 0, 3, "What did you learn?", None, None, 60.0,
                     150.0, None, False, None, 45.0, "timeout")
    run.show_view(late)
    assert "longer than 45 s to score" in run.source_label.text()
    assert "standard follow-ups" in run.source_label.text()


def test_esc_while_the_report_waits_shows_it_at_once(services, make_window, qtbot):
    w = make_window(services, load_model=False)
    clock = ManualClock()
    iv, runner, flow = _round_in_tab(services, w, clock)
    _esc_during_the_follow_up_answer(iv, runner, flow, clock)
    clock.advance(12)
    qtbot.waitUntil(lambda: "12 s" in iv.run.phase_label.text(), timeout=5000)
    assert "Esc: show the report now" in iv.run.phase_label.text()
    iv.press("esc")
    assert iv.stack.currentWidget() is iv.report_view
    assert not runner.finishing and runner.report is iv.report_view.report
    assert iv.report_view.report.items[0].follow_up_answer is not None  # kept, in the report
