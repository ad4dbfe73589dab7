"""The Interview tab's screens on real services (no audio): the setup's plan, length and swap;
the run screen's clocks and cues from the machine's view; the round report with a one-click
grade override; History's rounds list; due questions first in the practice picker."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from PySide6.QtCore import QUrl

from desktop_app.session import round_io as io
from desktop_app.session.keeper import RoundKeeper
from desktop_app.session.kit import InterviewKit, open_schedule
from desktop_app.session.plan import PlanRequest
from desktop_app.session.report import StoredAttempts
from desktop_app.session.round_state import RoundView
from desktop_app.session.runner import RoundRunner
from desktop_app.session.voice import VoiceTracker
from desktop_app.transcription.live import LiveConfig
from desktop_app.transcription.vad import VoiceActivityDetector
from desktop_app.ui.due_watch import DueWatch
from desktop_app.ui.interview_run import InterviewRun
from tests.session.conftest import ManualClock
from tests.session.test_runner import ScriptVoice, TypedAnswers


def test_setup_shows_a_plan_that_follows_length_values_and_swaps(services, make_window):
    w = make_window(services, load_model=False)
    setup = w.interview_view.setup
    setup.count_spin.setValue(4)
    assert setup.plan_list.count() == 4 and "4 questions" in setup.summary.text()
    setup.by_time.setChecked(True)
    setup.minutes_combo.setCurrentIndex(setup.minutes_combo.findData(30))
    n = w.interview_view.kit.config.questions_for_minutes(30)
    assert len(setup.plan.items) == n == setup.plan_list.count()
    pack = setup.values_combo.itemData(1)
    setup.values_combo.setCurrentIndex(1)
    assert any(i.value for i in setup.plan.items), "a values pack adds values questions"
    assert setup.plan.request.values == pack
    before = [i.question.id for i in setup.plan.items]
    setup.swap(0)
    after = [i.question.id for i in setup.plan.items]
    assert after[0] != before[0] and after[1:] == before[1:]
    assert setup.plan_list.item(0).text().startswith(f"1. {setup.plan.items[0].question.text}")
    cfg = setup.config()
    assert cfg.answer.think_s == 20 and cfg.answer.target_s == 120
    assert cfg.hands_free.enabled and cfg.answer.hard_stop_s == 240
    setup.hard_stop_check.setChecked(False)
    assert setup.config().answer.hard_stop_s == 0


def _view(phase: str, *, think: float | None = None, answer: float | None = None,
          cue: str | None = None, paused: bool = False) -> RoundView:
    return RoundView(phase, "main", 1, 3, "Tell me about a time…", think, answer, 120.0, 240.0,
                     cue, paused)


def test_run_screen_shows_both_clocks_and_the_cues(qtbot):
    run = InterviewRun()
    qtbot.addWidget(run)
    run.show_view(_view("thinking", think=14.2))
    assert run.think_label.text() == "Think 0:15" and run.think_label.isEnabled()
    assert run.answer_label.text().startswith("Answer 0:00 / target 2:00")
    assert not run.answer_label.isEnabled()  # shown, not running yet
    assert run.progress_label.text() == "Question 2 of 3"
    run.show_view(_view("answering", answer=65))
    assert run.answer_label.text() == "Answer 1:05 / target 2:00 · stops at 4:00"
    assert run.answer_label.isEnabled() and run.cue_label.text() == ""
    assert run.answer_button.text().startswith("Stop answer")
    run.show_view(_view("answering", answer=121, cue="target"))
    assert "wrapping up" in run.cue_label.text() and "#f0b429" in run.answer_bar.styleSheet()
    run.show_view(_view("answering", answer=151, cue="over"))
    assert "finish your answer" in run.cue_label.text()
    assert "#d64545" in run.answer_bar.styleSheet()
    run.show_view(_view("answering", answer=151, paused=True))
    assert run.pause_button.text().startswith("Resume") and "Paused" in run.phase_label.text()
    assert not run.answer_button.isEnabled()


def test_round_report_regrades_with_one_click_and_is_listed_in_history(
        services, make_window, qtbot):
    repo = services.repo
    kit = InterviewKit.load(None, services.bank)
    config, clock = kit.config, ManualClock()
    plan3 = kit.planner.plan(PlanRequest(role="software-engineer", questions=3, seed=7))
    schedule = open_schedule(repo, fuzz=False)
    keeper = RoundKeeper(repo, StoredAttempts(repo), config, schedule)
    round_id, machine = keeper.start(plan3, clock)
    voice, flow = ScriptVoice(), TypedAnswers(repo, round_id)
    vad = LiveConfig.load().vad
    runner = RoundRunner(keeper, round_id, machine, voice, flow,
                         lambda: VoiceTracker(VoiceActivityDetector(vad)), clock)
    flow.runner = runner
    runner.start()
    for _ in range(2):  # greeting, question 1
        runner.speech_finished()
    runner.send(io.StartAnswer())
    runner.send(io.StopAnswer())
    flow.deliver()
    runner.send(io.End())  # the follow-up is not answered: the round ends early
    runner.speech_finished()
    assert runner.report is not None
    first = runner.report.items[0].answer.attempt_id
    auto = schedule.store.review_of(first).grade

    w = make_window(services, load_model=False)
    assert w.rounds_list.round_ids() == [round_id]
    w.rounds_list.open_round(round_id)
    view = w.interview_view.report_view
    assert w.tabs.currentWidget() is w.interview_view and view.isVisible()
    text = view.browser.toPlainText()
    assert "Ended early" in text and f"review as {auto.title()}" in text
    other = "easy" if auto != "easy" else "hard"
    due_before = schedule.store.card(plan3.items[0].question.id).due_at
    view.browser.anchorClicked.emit(QUrl(f"grade:{first}:{other}"))
    review = schedule.store.review_of(first)
    assert review.grade == other and review.source == "user" and review.auto_grade == auto
    assert schedule.store.card(plan3.items[0].question.id).due_at != due_before
    assert f"review as {other.title()}" in view.browser.toPlainText()
    assert "Changed to" in view.banner.text()


def test_due_questions_come_first_in_the_practice_picker(services, make_window, qtbot):
    bank = services.bank
    a, b = bank.questions[5], bank.questions[9]
    schedule = open_schedule(services.repo, fuzz=False)
    long_ago = datetime.now(timezone.utc) - timedelta(days=60)
    schedule.review(b.id, "again", at=long_ago)
    schedule.review(a.id, "again", at=long_ago + timedelta(days=5))
    schedule.review(bank.questions[1].id, "easy")  # answered well just now: not due
    w = make_window(services)
    picker = w.practice_view.picker
    qtbot.waitUntil(lambda: picker.visible_ids()[:2] == [b.id, a.id], timeout=10000)
    assert picker.list.item(0).text() == f"Due · {b.text}"
    assert bank.questions[1].id not in picker.visible_ids()[:2]
    assert "2 due for review" in picker.count_label.text()
    assert len(picker.visible_ids()) == len(bank.questions)


def test_due_watch_reports_nothing_due_on_a_fresh_database(services, qtbot):
    watch = DueWatch(services.paths.database)
    with qtbot.waitSignal(watch.changed, timeout=10000) as got:
        watch.refresh()
    assert got.args == [[]]


def test_due_watch_gone_before_its_answer_is_quiet(services, qtbot, monkeypatch):
    """The window closes while the watch is still working (shutdown): its answer goes nowhere,
    with no "Signal source has been deleted" from the worker thread."""
    import threading

    import shiboken6

    errors: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    watch = DueWatch(services.paths.database)
    release = threading.Event()
    real = watch._due_now
    monkeypatch.setattr(watch, "_due_now", lambda: (release.wait(10), real())[1])
    watch.refresh()
    worker = next(t for t in threading.enumerate() if t.name == "due-watch")
    shiboken6.delete(watch)  # as the window's children go at shutdown
    release.set()
    worker.join(10)
    assert not worker.is_alive() and errors == []


def test_an_unfinished_round_is_offered_at_start_and_closes_into_a_report(
        services, make_window):
    kit = InterviewKit.load(None, services.bank)
    plan = kit.planner.plan(PlanRequest(questions=3, seed=3))
    keeper = RoundKeeper(services.repo, StoredAttempts(services.repo), kit.config)
    round_id, machine = keeper.start(plan, ManualClock())
    keeper.apply(round_id, machine, machine.handle(io.Begin()))  # then the app died
    w = make_window(services, load_model=False)
    iv = w.interview_view
    assert w.tabs.currentWidget() is iv  # the window opens on the offer
    assert iv.resume_banner.isVisible() and "did not finish" in iv.resume_banner.text()
    assert iv.resume_button.isVisible() and iv.close_button.isVisible()
    iv.close_unfinished()
    assert not iv.resume_banner.isVisible()
    assert iv.stack.currentWidget() is iv.report_view
    assert iv.report_view.report.status == "closed"
    assert "Closed after a restart" in iv.report_view.browser.toPlainText()
    assert keeper.unfinished() == [] and w.rounds_list.round_ids() == [round_id]


def test_the_run_screen_outlines_the_round_so_far(services, qtbot):
    from desktop_app.session.round_state import ItemRecord
    from desktop_app.ui.interview_view import outline

    kit = InterviewKit.load(None, services.bank)
    plan = kit.planner.plan(PlanRequest(questions=4, seed=5))
    items = [ItemRecord(0, "a", "answered", 1, 83.0, follow_up_status="answered"),
             ItemRecord(1, "b", "skipped"), ItemRecord(2, "c"), ItemRecord(3, "d")]
    rows = outline(plan, items, 2, False)
    assert [r[0] for r in rows] == ["✓", "–", "▶", "·"]
    assert rows[0][2] == "1:23 + follow-up" and rows[1][2] == "skipped"
    run = InterviewRun()
    qtbot.addWidget(run)
    run.show_outline(rows)
    assert "<b>▶" in run.outline.text() and "1:23 + follow-up" in run.outline.text()


def test_a_plan_being_set_up_follows_practice_done_meanwhile(services, make_window, qtbot):
    """The plan said "not practised yet" for a question just answered in Practice (seen in a
    new-user run): it is redone when the schedule changes, while still on the setup screen."""
    w = make_window(services)
    setup = w.interview_view.setup
    qtbot.waitUntil(lambda: setup.plan is not None and bool(setup.plan.items), timeout=10000)
    first = setup.plan.items[0].question
    assert "not practised yet" in setup.plan_list.item(0).text()
    schedule = open_schedule(services.repo, fuzz=False)
    schedule.review(first.id, "again", at=datetime.now(timezone.utc) - timedelta(days=30))
    w.due_watch.refresh()

    def marked_due() -> bool:
        rows = [setup.plan_list.item(i).text() for i in range(setup.plan_list.count())]
        return any(first.text in r and "due for review" in r for r in rows)

    qtbot.waitUntil(marked_due, timeout=10000)
