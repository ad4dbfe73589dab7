"""The one-click review-grade override in the Practice scorecard (offscreen Qt, real services,
SQLite file and Analyzer): a typed answer is scored, its grade from the scores shows with when
the question comes back, one click on another grade moves that date and is stored as the
candidate's choice; a later answer to the question locks the earlier one's grade."""

from __future__ import annotations

import pytest

from desktop_app.session.kit import open_schedule
from tests.analysis.samples import STRONG

pytestmark = pytest.mark.gui


def _typed_answer(pv, qtbot, text: str) -> int:
    pv.type_answer()
    pv.typed.editor.setPlainText(text)
    with qtbot.waitSignal(pv.attempt_scored, timeout=30000) as scored:
        pv.typed.submit_button.click()
    return scored.args[0]


def test_another_grade_in_one_click_changes_when_the_question_comes_back(
        services, make_window, qtbot):
    w = make_window(services, load_model=False)
    pv = w.practice_view
    pv.picker.next_question()
    g = pv.grade_override
    with qtbot.waitSignal(g.shown, timeout=20000):
        attempt_id = _typed_answer(pv, qtbot, STRONG)
    assert g.isVisible() and g.state.attempt_id == attempt_id
    auto = g.state.grade
    assert g.buttons[auto].isChecked() and f"graded {auto.title()} from your scores" in \
        g.label.text() and g.label.text().startswith("Comes back ")
    schedule = open_schedule(services.repo, fuzz=False)
    before = schedule.store.card(g.state.question_id).due_at

    with qtbot.waitSignal(g.grade_changed, timeout=20000):
        g.buttons["again"].click()  # one click
    review = schedule.store.review_of(attempt_id)
    assert review.grade == "again" and review.source == "user" and review.auto_grade == auto
    assert schedule.store.card(g.state.question_id).due_at != before
    assert g.buttons["again"].isChecked() and "Comes back tomorrow" in g.label.text()
    assert f"you chose Again (your scores said {auto.title()})" in g.label.text()


def test_a_follow_up_has_no_grade_and_an_older_answer_cannot_be_regraded(
        services, make_window, qtbot):
    w = make_window(services, load_model=False)
    pv = w.practice_view
    question = pv.picker.next_question()
    g = pv.grade_override
    with qtbot.waitSignal(g.shown, timeout=20000):
        first = _typed_answer(pv, qtbot, STRONG)
    with qtbot.waitSignal(g.shown, timeout=20000):
        _typed_answer(pv, qtbot, STRONG)  # a second answer to the same question
    assert pv.flow.question.id == question.id
    g.show_for(first)
    qtbot.waitUntil(lambda: g.state is not None and g.state.attempt_id == first, timeout=20000)
    assert not g.state.changeable and "a later answer was reviewed since" in g.label.text()
    assert not any(b.isEnabled() for b in g.buttons.values())

    pv.flow.follow_up = (pv.current_attempt_id, "How did you measure it?")
    pv.type_answer()
    pv.typed.editor.setPlainText("I measured it every week on the dashboard.")
    with qtbot.waitSignal(pv.attempt_scored, timeout=30000):
        pv.typed.submit_button.click()
    assert not g.isVisible()  # a follow-up answer has no review of its own
