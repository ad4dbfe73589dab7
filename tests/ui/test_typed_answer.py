"""Type an answer in the window: the editor (draft kept, word count, Ctrl+Enter, Esc), stored
and scored like a spoken answer without delivery timing, marked as typed in History."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from desktop_app.domain import AnswerInput, AttemptStatus
from desktop_app.practice.flow import Event
from tests.analysis.samples import STRONG

pytestmark = pytest.mark.gui


def test_a_typed_answer_is_stored_scored_and_shown_as_typed(services, make_window, qtbot):
    w = make_window(services, load_model=False)  # no model, no microphone: typing still works
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    pv = w.practice_view
    seen = []
    pv.flow.subscribe(lambda u: seen.append(u.event))
    assert not pv.record_button.isEnabled() and pv.type_button.isEnabled()
    question = pv.picker.next_question()
    pv.type_button.click()
    assert pv.typed.isVisible()
    qtbot.waitUntil(pv.typed.editor.hasFocus)
    assert question.text in pv.typed.heading.text()
    assert not pv.typed.submit_button.isEnabled()  # nothing to submit yet
    qtbot.keyClicks(pv.typed.editor, "We shipped")
    assert pv.typed.count_label.text() == "2 words"
    qtbot.keyClick(pv.typed.editor, Qt.Key.Key_Escape)  # cancel keeps the draft
    assert not pv.typed.isVisible() and services.attempts.count() == 0
    pv.type_answer()
    assert pv.typed.editor.toPlainText() == "We shipped"
    pv.typed.editor.setPlainText(STRONG)
    assert pv.typed.count_label.text() == f"{len(STRONG.split())} words"
    with qtbot.waitSignal(pv.attempt_scored, timeout=30000) as scored:
        qtbot.keyClick(pv.typed.editor, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    attempt_id = scored.args[0]
    assert not pv.typed.isVisible() and pv.current_attempt_id == attempt_id
    qtbot.waitUntil(pv.scorecard.isVisible, timeout=5000)
    stored = services.attempts.load(attempt_id)
    assert stored.attempt.input == AnswerInput.TYPED and stored.attempt.status == \
        AttemptStatus.SCORED
    assert stored.transcript.text == STRONG and stored.analysis.scores["delivery"] is None
    assert stored.attempt.question_id == question.id
    assert pv.status_label.text().startswith("Scored")
    assert [e for e in seen if e is not Event.PHASE and e is not Event.QUESTION_SHOWN] == [
        Event.STOPPED, Event.SCORING, Event.SCORED, Event.FOLLOW_UP_CHOSEN]  # the window's flow
    pv.type_answer()
    assert pv.typed.editor.toPlainText() == ""  # the submitted draft is gone

    hv = w.history_view
    hv.refresh()
    assert hv.row_ids() == [attempt_id]
    length = hv.model.index(0, 2).data()
    assert length == "typed"
    hv.open_attempt(attempt_id)
    assert "typed" in hv.detail_title.text()
