"""The most natural flow of a new user, in the window, on real parts (issue 13, points 1, 3, 4):
press Record while the question is still being read; answer; answer the follow-up; move on to
the next question. PulseAudio virtual microphone, espeak-ng answers, real tiny.en, Qt offscreen.
"""

from __future__ import annotations

import faulthandler

import pytest
from PySide6.QtCore import Qt

from tests.ui.test_live_window import Lateness

pytestmark = [pytest.mark.gui, pytest.mark.whisper]

ANSWER = ("Last spring I noticed our releases kept slipping, so I set up a short weekly planning "
          "meeting for the team. I owned the agenda and kept it to twenty minutes. Within a "
          "quarter we shipped every release on time, and I learned that a simple routine "
          "beats a long plan.")


def answer(qtbot, pv, svc, wav) -> int:
    """Record ``wav`` played into the microphone; returns the attempt id once it is scored."""
    pv.toggle_recording()
    qtbot.waitUntil(lambda: pv.state == "recording", timeout=15000)
    svc.virtual_audio.play_into_mic(wav)
    qtbot.wait(800)
    with qtbot.waitSignal(pv.attempt_scored, timeout=180000) as blocker:
        pv.toggle_recording()
    return blocker.args[0]


def test_next_question_clears_the_answer_and_the_follow_up_clock_starts_at_zero(
        live_services, make_window, qtbot, spoken_wav):
    svc = live_services
    w = make_window(svc)
    qtbot.waitUntil(lambda: w.pipeline.state == "ready", timeout=180000)
    pv = w.practice_view
    first = svc.bank.questions[0]
    assert pv.picker.select(first.id)
    first_id = answer(qtbot, pv, svc, spoken_wav(ANSWER, rate=16000))
    assert pv.scorecard.isVisible()
    assert pv.scorecard.heading.text() == f"Your answer to: {first.text}"
    assert pv.scorecard.strong_answer.isVisible()  # the question's strong answer, beside it
    answered_in = pv.elapsed_label.text()
    assert answered_in not in ("0:00", "0:01")

    # issue 9: straight from the scorecard into Review, with the recording, and back
    assert pv.answer_area.review_button.isVisible()
    pv.answer_area.review_button.click()
    assert w.tabs.currentWidget() is w.review_view
    assert w.review_view.record.id == first_id
    qtbot.waitUntil(lambda: w.review_view.transport is not None, timeout=10000)
    assert w.review_view.play_button.isEnabled()
    w.practise("")
    assert w.tabs.currentWidget() is pv and pv.scorecard.isVisible()

    # point 4: the follow-up's clock starts at 0:00, not at the last answer's time
    pv.scorecard.answer_follow_up_button.click()
    assert pv.state in ("starting", "recording")
    assert pv.elapsed_label.text() == "0:00", f"still showing {answered_in}"
    qtbot.waitUntil(lambda: pv.state == "recording", timeout=15000)
    svc.virtual_audio.play_into_mic(spoken_wav("I would measure it with the release dates.",
                                               rate=16000))
    qtbot.wait(500)
    with qtbot.waitSignal(pv.attempt_saved, timeout=15000) as saved:
        pv.toggle_recording()
    follow_id = saved.args[0]
    assert svc.repo.get_attempt(follow_id).parent_attempt_id == first_id
    assert pv.scorecard.isHidden()  # the follow-up is being transcribed

    # point 3: another question (Ctrl+N, as a user would) clears the answer area at once
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    qtbot.keyClick(w, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert pv.current_question.id != first.id
    assert pv.question_label.text() == pv.current_question.text
    assert pv.scorecard.isHidden() and pv.live_view.isHidden()
    assert pv.elapsed_label.text() == "0:00"
    assert "History" in pv.status_label.text()
    # the follow-up's scores arrive later: they go to History, not under the new question
    qtbot.waitUntil(lambda: svc.repo.get_attempt(follow_id).status == "scored", timeout=180000)
    qtbot.wait(200)
    assert pv.scorecard.isHidden()
    assert "was scored" in pv.status_label.text() and "History" in pv.status_label.text()

    # a click back on the first question does not bring back a card under a wrong heading
    assert pv.picker.select(first.id)
    assert pv.scorecard.isHidden()


@pytest.mark.parametrize("delay_ms", [200, 700, 1200])
def test_record_while_the_question_is_read_never_freezes(live_services, make_window, qtbot,
                                                         delay_ms):
    """Record calls stop_speech first; stopping the voice in its first ~1.5 s used to block the
    GUI thread for good. A hang kills the run after 120 s with a traceback (not a stuck CI)."""
    svc = live_services
    svc.settings.speak_questions = True
    w = make_window(svc, load_model=False)
    pv = w.practice_view
    assert w.speech is not None
    faulthandler.dump_traceback_later(120, exit=True)
    try:
        with qtbot.waitSignal(w.speech.started, timeout=20000):
            pv.picker.select(svc.bank.questions[3].id)
        lateness = Lateness()
        lateness.start()
        qtbot.wait(delay_ms)
        pv.toggle_recording()  # while the question is still being read
        qtbot.waitUntil(lambda: pv.state == "recording", timeout=15000)
        qtbot.wait(300)
        worst = lateness.stop()
    finally:
        faulthandler.cancel_dump_traceback_later()
    assert not w.speech.speaking and not w.speech.speaker.player.is_playing
    print(f"worst GUI-thread lateness around Record: {worst * 1000:.0f} ms")
    assert worst < 0.25, f"the window froze for {worst:.2f} s"
    with qtbot.waitSignal(pv.attempt_saved, timeout=15000):
        pv.toggle_recording()
