"""Unsure words look unlike findings (issue 12 §5): a dotted grey underline per word with its
confidence in the tooltip, and a legend line; findings keep their solid coloured underlines.
Real analyser, real scorecard."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QTextCharFormat, QTextCursor

from desktop_app.analysis import Analyzer
from desktop_app.transcription.edit import edited_transcript
from desktop_app.ui.scorecard import Scorecard
from desktop_app.ui.transcript_view import UNCERTAIN_COLOUR
from tests.ui.test_transcript_edit import SAID, whisper_like

pytestmark = pytest.mark.gui

# A filler and a hedge, so the answer has solid-underlined findings too.
SPOKEN = SAID.replace("First I checked", "Um, I think I checked")


def char_format(view, pos: int) -> QTextCharFormat:
    cursor = QTextCursor(view.document())
    cursor.setPosition(pos + 1)  # the format of the character before the cursor
    return cursor.charFormat()


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def test_unsure_words_are_dotted_grey_with_their_confidence(qtbot, analyzer):
    card = Scorecard()
    qtbot.addWidget(card)
    card.edit_transcript_button.show()  # as Practice does: editing is offered
    card.show()
    transcript = whisper_like(SPOKEN)
    card.show_analysis(analyzer.analyze(transcript), transcript)
    view = card.transcript_view
    text = view.toPlainText()
    tips = {text[a:b]: tip for a, b, tip in view.uncertain_spans}
    assert set(tips) == {"chequeout", "dash", "boards"}  # one per word, not per run
    assert tips["chequeout"] == ("Whisper was unsure of this word (21 %) — Edit transcript… to "
                                 "fix it")
    assert "(32 %)" in tips["boards"]
    fmt = char_format(view, text.index("chequeout"))
    assert fmt.underlineStyle() == QTextCharFormat.UnderlineStyle.DotLine
    assert fmt.underlineColor().name() == UNCERTAIN_COLOUR
    assert fmt.toolTip() == tips["chequeout"]
    others = [(a, k) for a, _b, k in view.finding_spans if k != "uncertain"]
    assert others  # the filler and the hedge
    for start, kind in others:
        style = char_format(view, start).underlineStyle()
        assert style == QTextCharFormat.UnderlineStyle.SingleUnderline, kind
    assert card.uncertain_legend.isVisible()
    assert card.uncertain_legend.label.text().endswith("Edit transcript… to fix them.")


def test_without_editing_the_tip_says_what_the_mark_means(qtbot, analyzer):
    card = Scorecard()  # History and Review: no Edit transcript…
    qtbot.addWidget(card)
    card.show()
    transcript = whisper_like(SAID)
    card.show_analysis(analyzer.analyze(transcript), transcript)
    tip = card.transcript_view.uncertain_spans[0][2]
    assert "Edit" not in tip and "not counted as jargon" in tip
    assert "Edit" not in card.uncertain_legend.label.text()


def test_a_corrected_word_is_no_longer_marked_and_a_sure_answer_has_no_legend(qtbot, analyzer):
    card = Scorecard()
    qtbot.addWidget(card)
    card.show()
    transcript = whisper_like(SAID)
    fixed = edited_transcript(transcript, transcript.text.replace("chequeout", "checkout"))
    card.show_analysis(analyzer.analyze(fixed), fixed)
    text = card.transcript_view.toPlainText()
    marked = {text[a:b] for a, b, _t in card.transcript_view.uncertain_spans}
    assert marked == {"dash", "boards"} and card.edited_label.isVisible()
    sure = edited_transcript(fixed, fixed.text.replace("dash boards", "dashboards"))
    card.show_analysis(analyzer.analyze(sure), sure)
    assert card.transcript_view.uncertain_spans == []
    assert not card.uncertain_legend.isVisible()
