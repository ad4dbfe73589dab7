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

    other = "easy" if auto != "easy" else "again"  # the farthest from the scores' grade
    with qtbot.waitSignal(g.grade_changed, timeout=20000):
        g.buttons[other].click()  # one click
    review = schedule.store.review_of(attempt_id)
    assert review.grade == other and review.source == "user" and review.auto_grade == auto
    after = schedule.store.card(g.state.question_id).due_at
    assert (after > before) if other == "easy" else (after < before)
    assert g.buttons[other].isChecked() and not g.buttons[auto].isChecked()
    assert f"you chose {other.title()} (your scores said {auto.title()})" in g.label.text()
    assert ("Comes back in " if other == "easy" else "Comes back tomorrow") in g.label.text()
