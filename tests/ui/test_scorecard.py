"""The scorecard renders a real Analysis: scores, STAR colours, findings linked to words, tips."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from desktop_app.analysis import Analyzer
from desktop_app.domain import Attempt, Question, Segment, Transcript, Word
from desktop_app.practice.attempts import read_analysis
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
    for key in ("overall", "star", "specificity", "jargon"):
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
    # typed text has no voice: delivery is not judged (no "100"), and the tile says why
    assert card.tiles["delivery"].value.text() == "—"
    assert card.tiles["delivery"].caption.text() == "not judged"
    assert "Not judged for typed text" in card.tiles["delivery"].toolTip()

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
    card.show_analysis(analysis, timed(ANSWER))
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
    stored = Attempt(1, "q", "2024", analysis_json=json.dumps(data))
    card.show_analysis(read_analysis(stored), ANSWER)  # as History reads it back
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


def test_each_tile_breaks_down_what_went_into_it(qtbot):
    """Hover (the tooltip) and click (the panel under the tiles) show the parts of a score:
    pace, fillers with the words, pauses, hedges, I vs we, numbers, rare words."""
    transcript = timed(ANSWER, wps=3.0)
    words = list(transcript.segments[0].words)
    # a 2.5 s silence before "As a result": one long pause on the timeline
    cut = next(i for i, w in enumerate(words) if w.text == "As")
    shifted = words[:cut] + [type(w)(w.text, w.start + 2.5, w.end + 2.5) for w in words[cut:]]
    transcript = Transcript(text=ANSWER, segments=[Segment(ANSWER, 0.0, shifted[-1].end,
                                                           tuple(shifted))],
                            duration=shifted[-1].end)
    result = Analyzer().analyze(transcript)
    data = result.to_dict()
    card = Scorecard()
    qtbot.addWidget(card)
    card.show()
    card.show_analysis(result, transcript)
    tiles = card.score_tiles

    delivery = tiles.tiles["delivery"]
    assert delivery.value.text() == str(round(data["scores"]["delivery"]))
    tip = delivery.toolTip()
    assert f"{round(data['delivery']['wpm'])} words/min" in tip
    assert data["delivery"]["fillers"] >= 2 and "um" in tip and "basically" in tip
    assert "per minute" in tip
    assert "Long pauses" in tip and data["delivery"]["long_pauses"] >= 1
    assert "Hedges" in tip and "i think" in tip.lower()

    spec = tiles.tiles["specificity"].toolTip()
    assert "“I” vs “we”" in spec
    assert f"{data['specificity']['i_count']} I · {data['specificity']['we_count']} we" in spec
    assert "10%" in spec  # the numbers themselves, not only how many
    jargon = tiles.tiles["jargon"].toolTip()
    assert "Rare words" in jargon

    assert tiles.panel.isHidden()
    qtbot.mouseClick(delivery, Qt.MouseButton.LeftButton)
    assert tiles.open_key == "delivery" and tiles.panel.isVisible()
    assert "words/min" in tiles.panel.text() and "um" in tiles.panel.text()
    qtbot.mouseClick(tiles.tiles["star"], Qt.MouseButton.LeftButton)  # another tile: switches
    assert tiles.open_key == "star" and "Situation" in tiles.panel.text()
    tiles.tiles["star"].setFocus()
    qtbot.keyClick(tiles.tiles["star"], Qt.Key.Key_Space)  # the keyboard works too
    assert tiles.open_key is None and tiles.panel.isHidden()


def test_strong_answer_is_shown_beside_the_candidates_star_parts(qtbot, analysis):
    note = ("A real, specific disagreement with stakes; shows the candidate listened; "
            "ends with the outcome and the relationship afterwards.")
    card = Scorecard()
    qtbot.addWidget(card)
    card.show()
    card.show_analysis(analysis, Transcript.from_text(ANSWER), strong_answer=note)
    panel = card.strong_answer
    assert panel.isVisible()
    strong = panel.strong_label.text()
    assert "What a strong answer covers" in strong
    assert strong.count("<li>") == 3 and "Shows the candidate listened" in strong
    own = panel.own_label.text()
    assert "Your answer, part by part" in own
    first = analysis.to_dict()["star"]["sentences"][0]
    assert first["text"][:40] in own  # the candidate's own words, next to the note
    present = analysis.to_dict()["star"]["present"]
    assert ("✗ not told" in own) == (not all(present[k] for k in "STAR"))
    card.show_analysis(analysis, Transcript.from_text(ANSWER))  # no note: nothing to compare
    assert panel.isHidden()


def test_follow_up_answer_shows_what_the_follow_up_asked_not_star_crosses(qtbot):
    """A follow-up answer is judged on its focus: the card lists what the follow-up asked for
    (told or missing) instead of "Situation ✗ Task ✗", and the STAR tile says why it has no
    number."""
    answer = ("We tracked it in the billing dashboard: failed payments went from 4.1 percent to "
              "1.2 percent over the next six weeks, and invoice tickets dropped by half.")
    result = Analyzer().analyze(Transcript.from_text(answer), None,
                                follow_up="How did you measure the result?")
    card = Scorecard()
    qtbot.addWidget(card)
    card.show()
    card.show_analysis(result, Transcript.from_text(answer))
    summary = card.star_summary.text()
    assert summary.startswith("Follow-up — the outcome and how it was measured")
    assert "The outcome ✓" in summary and "A number or measure ✓" in summary
    assert "Situation" not in summary and "✗" not in summary
    star = card.score_tiles.tiles["star"]
    assert star.value.text() == "—"
    assert "follow-up" in star.toolTip()
    overall = card.score_tiles.tiles["overall"].toolTip()
    assert "Follow-up: the outcome and how it was measured" in overall
