"""Parts split out of the History and Practice views, on their own: the list pane's narrow
layout and search pause, the question header without a speaker."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

from desktop_app.ui.history_list import SEARCH_DELAY_MS, HistoryList
from desktop_app.ui.question_header import PLACEHOLDER, QuestionHeader

pytestmark = pytest.mark.gui


def test_narrow_history_list_drops_the_duration_column(services, qtbot):
    pane = HistoryList(services.attempts, services.bank)
    qtbot.addWidget(pane)
    pane.resize(900, 400)
    pane.show()
    qtbot.waitExposed(pane)
    qtbot.waitUntil(lambda: pane.table.viewport().width() > 600, timeout=3000)
    assert not pane.table.isColumnHidden(2)
    pane.resize(380, 400)
    qtbot.waitUntil(lambda: pane.table.isColumnHidden(2), timeout=3000)
    assert not pane.table.isColumnHidden(1)  # the Question column stays
    pane.resize(900, 400)
    qtbot.waitUntil(lambda: not pane.table.isColumnHidden(2), timeout=3000)


def test_history_search_waits_for_typing_to_pause(services, qtbot):
    pane = HistoryList(services.attempts, services.bank)
    qtbot.addWidget(pane)
    pane.model.reload(None, keep_loaded=False)
    fired: list[str | None] = []
    pane.search_changed.connect(lambda: fired.append(pane.search()))
    for text in ("b", "bi", "bil", "billing "):
        pane.search_edit.setText(text)
    assert fired == []  # nothing searched while typing
    qtbot.waitUntil(lambda: fired == ["billing"], timeout=SEARCH_DELAY_MS * 20)
    pane.model.reload(pane.search(), keep_loaded=False)
    pane.search_edit.setText("billing")  # the same search once trimmed: not searched again
    qtbot.wait(SEARCH_DELAY_MS * 3)
    assert fired == ["billing"]
    pane.clear_search()  # emptied by the view: no search of its own
    qtbot.wait(SEARCH_DELAY_MS * 3)
    assert fired == ["billing"] and pane.search() is None


def test_question_header_without_a_speaker(services, qtbot):
    column = QWidget()
    qtbot.addWidget(column)
    header = QuestionHeader(None, column)
    header.add_to(QVBoxLayout(column))
    assert header.question_label.parent() is column
    assert header.question_label.text() == PLACEHOLDER
    assert not header.speak_button.isEnabled() and not header.skip_button.isEnabled()
    assert "unavailable" in header.speak_button.toolTip()
    header.say("Tell me about a conflict.")  # no speaker: nothing happens, nothing raises
    header.stop_speech()
    q = services.bank.questions[0]
    header.show_question(q)
    assert header.question_label.text() == q.text
    assert q.competency in header.meta_label.text() and q.id in header.meta_label.toolTip()
    header.show_follow_up("What would you do differently?")
    assert header.question_label.text() == "Follow-up: What would you do differently?"


def test_a_long_question_wraps_onto_as_many_lines_as_it_needs(services, make_window, qtbot):
    w = make_window(services, load_model=False)
    pv = w.practice_view
    longest = max(services.bank.questions, key=lambda q: len(q.text))
    pv.picker.select(longest.id)
    label = pv.question_label
    assert label.text() == longest.text
    QApplication.processEvents()  # one pass: what the next frame paints
    assert label.height() >= label.heightForWidth(label.width()) > label.fontMetrics().height()
