"""The scorecard renders a real Analysis: scores, STAR colours, findings linked to words, tips."""

from __future__ import annotations

import json

import pytest

from desktop_app.analysis import Analyzer
from desktop_app.domain import Question, Segment, Transcript, Word
from desktop_app.ui.scorecard import Scorecard
from desktop_app.ui.transcript_view import STAR_COLOURS

pytestmark = pytest.mark.gui

ANSWER = (
    "Last year our checkout API was failing for about 10% of users at peak. "
    "I was the on-call lead, so my task was to find the cause. "
    "Um, I think we basically looked at the dashboards, and I added tracing and found the "
    "database connection pool was exhausted. I raised the pool size and added a circuit breaker. "
    "As a result, errors dropped from 10% to 0.2% within two days, and I learned to load test "
    "before launches."
)


def timed(text: str, wps: float = 2.5) -> Transcript:
    """A transcript of ``text`` with one word every 1/wps seconds."""
    words = tuple(Word(w, i / wps, (i + 0.8) / wps) for i, w in enumerate(text.split()))
    return Transcript(text=text, segments=[Segment(text, 0.0, words[-1].end, words)],
                      duration=words[-1].end)


@pytest.fixture(scope="module")
def analysis():
    return Analyzer().analyze(ANSWER)


def test_scorecard_shows_scores_transcript_and_tips(qtbot, analysis):
    card = Scorecard()
    qtbot.addWidget(card)
    card.show_analysis(analysis, Transcript.from_text(ANSWER))
    for key in ("overall", "star", "specificity", "jargon", "delivery"):
        shown = card.tiles[key].value.text()
        value = analysis.to_dict()["scores"][key]
        assert shown == ("—" if value is None else str(round(value))), key
    # typed text: delivery is not judged, and the card says so (issue 13 point 8)
    assert card.tiles["delivery"].value.text() == "—"
    assert "not judged" in card.note_label.text()
    # a behavioural question: reasoning is computed but not weighed, and the tile says so
    assert not analysis.reasoning.weighted
    assert card.tiles["reasoning"].value.text() == "—"
    assert "behavioural" in card.tiles["reasoning"].toolTip()

    assert card.transcript_view.toPlainText() == ANSWER
    labels = [label for _s, _e, label in card.transcript_view.sentence_formats]
    assert labels == [s["label"] for s in analysis.to_dict()["star"]["sentences"]]
    assert {"S", "A", "R"} <= set(labels)
    # STAR colour really applied to the first sentence's characters
    cursor = card.transcript_view.textCursor()
    cursor.setPosition(3)
    colour = cursor.charFormat().background().color().name()
    assert colour == STAR_COLOURS[labels[0]]
    assert [t.text() for t in card.tips_labels] == [
        f"{i}. {tip}" for i, tip in enumerate(analysis.tips[:3], 1)
    ]
    if analysis.follow_up:
        assert card.follow_up_text() == analysis.follow_up
        assert not card.follow_up_box.isHidden()


def test_vague_answer_gets_tips(qtbot):
    vague = ("Typically we would just do various things, stuff like meetings and a lot of "
             "syncing, and I guess it usually works out fine in the end more or less.")
    analysis = Analyzer().analyze(vague)
    card = Scorecard()
    qtbot.addWidget(card)
    card.show_analysis(analysis, vague)
    assert 1 <= len(card.tips_labels) <= 3
    assert card.tips_labels[0].text() == f"1. {analysis.tips[0]}"


def test_clicking_a_finding_selects_its_words_and_gives_its_time(qtbot, analysis):
    card = Scorecard()
    qtbot.addWidget(card)
    card.show_analysis(analysis.to_dict(), timed(ANSWER))
    findings = analysis.to_dict()["findings"]
    assert card.findings_list.count() == len(findings)
    row = next(i for i, f in enumerate(findings) if f["kind"] == "filler")
    with qtbot.waitSignal(card.finding_activated) as blocker:
        card.activate_finding(row)
    assert card.transcript_view.selected_text() == findings[row]["text"]
    cs, ce, when = blocker.args
    assert (cs, ce) == (findings[row]["char_start"], findings[row]["char_end"])
    # "Um," is word 27 of the answer at 2.5 words/s
    index = ANSWER[:cs].count(" ")
    assert when == pytest.approx(index / 2.5, abs=0.01)


def test_scorecard_from_stored_json_and_follow_up_request(qtbot, analysis):
    card = Scorecard()
    qtbot.addWidget(card)
    data = analysis.to_dict()
    data["follow_up"] = "What was your own part in that?"
    card.show_analysis(json.dumps(data), ANSWER)
    assert card.tiles["overall"].value.text() == str(round(analysis.scores["overall"]))
    with qtbot.waitSignal(card.answer_follow_up_requested) as blocker:
        card.answer_follow_up_button.click()
    assert blocker.args == ["What was your own part in that?"]
    card.clear()
    assert card.tiles["overall"].value.text() == "—" and card.findings_list.count() == 0


def test_reasoning_tile_shows_the_score_when_it_counts(qtbot):
    question = Question(id="t", text="Walk me through a design choice.", competency="Design",
                        kind="technical-reasoning")
    result = Analyzer().analyze(ANSWER, question)
    card = Scorecard()
    qtbot.addWidget(card)
    card.show_analysis(result, Transcript.from_text(ANSWER))
    assert card.tiles["reasoning"].value.text() == str(round(result.scores["reasoning"]))
