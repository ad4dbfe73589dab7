"""Transcript versions in the window (issue 12 §5): from History or Review the candidate lists
every transcript of an answer, compares two with the differing words marked, and puts an
earlier one back — scored again, and the one it replaces kept (real window, scorer, SQLite)."""

from __future__ import annotations

import pytest

from desktop_app.analysis import Analyzer
from desktop_app.ui.retranscribe import changed_words
from desktop_app.ui.versions_dialog import ADDED_STYLE, REMOVED_STYLE, marked_pair
from tests.ui.test_transcript_edit import SAID, whisper_like

pytestmark = pytest.mark.gui

# What a second transcription heard instead (a real re-transcription with another model).
AGAIN = SAID.replace("holiday sale", "holiday sail").replace("ten minutes", "two minutes")


def two_versions(services) -> int:
    """A scored spoken answer whose re-transcription (base) the candidate kept."""
    q = services.bank.questions[0]
    analyzer = Analyzer()
    attempts = services.attempts
    audio = services.paths.recordings / "v.wav"
    audio.parent.mkdir(parents=True, exist_ok=True)
    audio.write_bytes(b"RIFF")
    aid = attempts.begin(q.id, audio, started_at="2024-01-02T09:00:00+00:00")
    attempts.recorded(aid, audio, 40.0)
    first = whisper_like(SAID)
    attempts.transcribed(aid, first, model="tiny.en")
    attempts.scored(aid, analyzer.analyze(first, q))
    again = whisper_like(AGAIN)
    again.model = "base"
    attempts.rescored(aid, again, analyzer.analyze(again, q), model="base")
    return aid


def test_marked_pair_marks_only_the_differing_words():
    left, right, n = marked_pair("We shipped it, on time.", "we shipped it late on time")
    assert n == 1  # "it," and "it", "time." and "time" are the same word
    assert REMOVED_STYLE not in left  # nothing only on the left (case, punctuation ignored)
    assert f'<span style="{ADDED_STYLE}">late</span>' in right
    left, right, n = marked_pair("a <b> c", "a d c")
    assert "&lt;b&gt;" in left and n == 1  # the transcript's text is escaped, never markup


def test_history_lists_compares_and_puts_back_an_earlier_version(services, make_window, qtbot):
    aid = two_versions(services)
    w = make_window(services, load_model=False)
    hv = w.history_view
    w.tabs.setCurrentWidget(hv)
    assert hv.open_attempt(aid)
    button = hv.scorecard.versions_button
    assert button.isVisible() and button.text() == "Versions (2)…"

    button.click()
    dialog = w.versions[0].dialog
    assert dialog is not None and dialog.isVisible()
    cells = [[dialog.table.item(r, c).text() for c in range(5)] for r in range(2)]
    assert cells[0][:3] == ["In use now", "Re-transcribed", "base"]
    assert cells[1][0].startswith("Until ") and cells[1][1:3] == ["Original", "tiny.en"]
    assert cells[0][3] == str(len(whisper_like(AGAIN).text.split())) and cells[1][4] != "—"
    # side by side: in use on the left, the original on the right, the differences marked
    assert dialog.right_combo.currentIndex() == 1
    assert "sail" in dialog.left_view.toPlainText() and "sale" in dialog.right_view.toPlainText()
    assert f'{REMOVED_STYLE}">sail' in marked_pair(AGAIN, SAID)[0]
    assert dialog.diff_label.text().startswith(f"{changed_words(AGAIN, SAID)} words differ")
    dialog.show_version(0)  # the one in use cannot be "used" again
    assert not dialog.use_button.isEnabled()
    dialog.table.selectRow(1)
    assert dialog.right_combo.currentIndex() == 1 and dialog.use_button.isEnabled()

    with qtbot.waitSignal(w.pipeline.attempt_scored, timeout=60000) as blocker:
        assert dialog.use_right()
    assert blocker.args[0] == aid and not dialog.isVisible()
    stored = services.attempts.load(aid)
    assert stored.transcript.text == whisper_like(SAID).text and stored.attempt.model == "tiny.en"
    assert stored.analysis is not None and str(stored.attempt.status) == "scored"
    (kept,) = services.attempts.versions.of(aid)  # the re-transcription is kept, not lost
    assert kept.source == "retranscribed" and "sail" in kept.transcript_text
    qtbot.waitUntil(lambda: "sale" in hv.scorecard.transcript_view.toPlainText())
    assert button.isVisible() and button.text() == "Versions (2)…"


def test_review_offers_versions_and_shows_the_restored_one(services, make_window, qtbot):
    aid = two_versions(services)
    w = make_window(services, load_model=False)
    rv = w.review_view
    w.tabs.setCurrentWidget(rv)
    rv.open_attempt(aid)
    assert rv.scorecard.versions_button.isVisible()
    dialog = w.versions[1].open_dialog()
    assert "sail" in dialog.left_view.toPlainText()
    with qtbot.waitSignal(w.pipeline.attempt_scored, timeout=60000):
        dialog.use_right()
    qtbot.waitUntil(lambda: "sale" in rv.scorecard.transcript_view.toPlainText(), timeout=5000)
    assert "sail" not in rv.scorecard.transcript_view.toPlainText()


def test_one_transcript_offers_no_versions_and_a_busy_attempt_is_refused(
        services, make_window, qtbot):
    q = services.bank.questions[0]
    analyzer = Analyzer()
    only = services.attempts.typed(q.id, SAID)
    services.attempts.scored(only, analyzer.analyze(services.attempts.load(only).transcript, q))
    aid = two_versions(services)
    w = make_window(services, load_model=False)
    hv = w.history_view
    w.tabs.setCurrentWidget(hv)
    assert hv.open_attempt(only) and not hv.scorecard.versions_button.isVisible()
    assert hv.open_attempt(aid) and hv.scorecard.versions_button.isVisible()
    dialog = w.versions[0].open_dialog()
    with qtbot.waitSignal(w.pipeline.attempt_scored, timeout=60000):
        w.pipeline.analyse(aid, services.attempts.load(aid).transcript)  # scoring it now
        assert not dialog.use_right()
    assert dialog.status_label.isVisible() and "being" in dialog.status_label.text()
    assert "sail" in services.attempts.load(aid).transcript.text  # nothing changed
    assert len(services.attempts.versions.of(aid)) == 1
