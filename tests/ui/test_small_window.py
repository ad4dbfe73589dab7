"""At the window's minimum size nothing important clips, in Practice and in History (point 12)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from PySide6.QtWidgets import QApplication, QScrollArea, QWidget

from desktop_app.analysis import Analyzer
from desktop_app.audio.wavio import write_wav
from desktop_app.domain import Attempt, Transcript
from desktop_app.ui.main_window import MIN_SIZE

pytestmark = pytest.mark.gui

ANSWER = ("Last year our checkout API was failing for about 10% of users at peak. I was the "
          "on-call lead, so my task was to find the cause. Um, I think we basically looked at the "
          "dashboards, and I added tracing and found the database connection pool was exhausted. "
          "As a result, errors dropped from 10% to 0.2% within two days.")


def settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def assert_fits(scroll: QScrollArea, widgets: dict[str, QWidget]) -> None:
    """No sideways scrolling, and each widget as wide as it needs and inside the view."""
    assert not scroll.horizontalScrollBar().isVisible(), "the pane scrolls sideways: it clips"
    view = scroll.viewport()
    for name, widget in widgets.items():
        assert widget.isVisible(), name
        assert widget.width() >= widget.minimumSizeHint().width(), f"{name} is squeezed"
        right = widget.mapTo(view, widget.rect().topRight()).x()
        assert right <= view.width(), f"{name} runs past the edge ({right} > {view.width()})"


def tile_parts(card) -> dict[str, QWidget]:
    parts: dict[str, QWidget] = {}
    for key, tile in card.tiles.items():
        parts[f"{key} tile"] = tile
        parts[f"{key} name"] = tile.name
    return parts


def test_minimum_size_is_set_and_kept(services, make_window):
    w = make_window(services, load_model=False)
    assert (w.minimumWidth(), w.minimumHeight()) == MIN_SIZE
    w.resize(400, 300)
    assert (w.width(), w.height()) == MIN_SIZE


def test_history_at_the_minimum_size(services, make_window):
    rel = "recordings/20240101-120000-q.wav"
    write_wav(services.paths.absolute(rel), np.zeros(16000, dtype=np.float32), 16000)
    q = max(services.bank.questions, key=lambda q: len(q.text))  # the longest title
    analysis = Analyzer().analyze(ANSWER, q)
    aid = services.repo.add_attempt(Attempt(
        id=None, question_id=q.id, started_at="2024-01-01T12:00:00+00:00", duration_s=42.0,
        audio_path=rel, status="scored", transcript_text=ANSWER,
        words_json=json.dumps(Transcript.from_text(ANSWER).to_dict()),
        analysis_json=json.dumps(analysis.to_dict()), scores=dict(analysis.scores)))
    w = make_window(services, load_model=False)
    w.resize(*MIN_SIZE)
    hv = w.history_view
    w.tabs.setCurrentWidget(hv)
    assert hv.open_attempt(aid)
    settle()
    scroll = hv.scorecard.parentWidget().parentWidget().parentWidget()
    assert isinstance(scroll, QScrollArea)
    assert_fits(scroll, {"title": hv.detail_title, "transcript": hv.scorecard.transcript_view,
                         "Re-transcribe": hv.transcribe_button, **tile_parts(hv.scorecard)})
    assert hv.detail_title.wordWrap() and q.text in hv.detail_title.text()
    assert hv.scorecard.score_tiles.columns in (2, 3)  # reflowed, not cut


def test_practice_at_the_minimum_size(services, make_window):
    w = make_window(services, load_model=False)
    w.resize(*MIN_SIZE)
    pv = w.practice_view
    q = max(services.bank.questions, key=lambda q: len(q.text))
    assert pv.picker.select(q.id)
    analysis = Analyzer().analyze(ANSWER, q)
    pv.answer_area.show_scored(analysis, Transcript.from_text(ANSWER),
                               f"Your answer to: {q.text}", q.strong_answer)
    settle()
    scroll = pv.answer_area.parentWidget().parentWidget().parentWidget()
    assert isinstance(scroll, QScrollArea)
    assert_fits(scroll, {"question": pv.question_label, "Record": pv.record_button,
                         "clock": pv.elapsed_label, "Speak question": pv.speak_button,
                         "strong answer": pv.scorecard.strong_answer,
                         **tile_parts(pv.scorecard)})
    picker = pv.picker
    assert picker.next_button.width() >= picker.next_button.minimumSizeHint().width()


@pytest.mark.parametrize("size", [MIN_SIZE, (1180, 800)])
def test_history_list_keeps_room_for_the_question(services, make_window, size):
    """The Question column was squeezed to a few letters ("Tell …") beside the fixed
    columns, even at 1180 px wide (seen in a new-user run)."""
    q = services.bank.questions[0]
    services.repo.add_attempt(Attempt(
        id=None, question_id=q.id, started_at="2024-01-01T12:00:00+00:00", duration_s=42.0,
        audio_path=None, status="scored", transcript_text=ANSWER, scores={"overall": 80.0}))
    w = make_window(services, load_model=False)
    w.resize(*size)
    w.tabs.setCurrentWidget(w.history_view)
    w.show()
    settle()
    table = w.history_view.table
    question = table.columnWidth(1)
    enough = 16 * table.fontMetrics().averageCharWidth()  # "Tell me about a …" at least
    assert question >= enough, f"Question column is {question} px of {table.viewport().width()}"
    shown = table.model().index(0, 1).data()
    assert shown and q.text.startswith(shown[:20])


def test_interview_screens_at_the_minimum_size(services, make_window):
    w = make_window(services, load_model=False)
    w.resize(*MIN_SIZE)
    iv = w.interview_view
    w.tabs.setCurrentWidget(iv)
    settle()
    s, r = iv.setup, iv.run
    screens = {"setup": (s, {"role": s.role_combo, "questions": s.count_spin,
                             "time box": s.minutes_combo, "think": s.think_spin,
                             "hard stop": s.hard_stop_check, "hands-free": s.hands_free_check,
                             "plan": s.plan_list, "swap": s.swap_button,
                             "start": s.start_button}),
               "run": (r, {"answer": r.answer_button, "skip": r.skip_button,
                           "pause": r.pause_button, "end": r.end_button, "caption": r.caption})}
    for name, (screen, widgets) in screens.items():
        iv.stack.setCurrentWidget(screen)
        settle()
        for part, widget in widgets.items():
            assert widget.isVisible(), f"{name}: {part}"
            assert widget.width() >= widget.minimumSizeHint().width(), f"{name}: {part} squeezed"
            corner = widget.mapTo(screen, widget.rect().bottomRight())
            assert corner.x() <= screen.width() and corner.y() <= screen.height(), \
                f"{name}: {part} runs past the edge"
    assert s.plan_list.height() >= 120  # room for a few questions of the plan
