"""The Analyzer API: result shape, spans, anti-gaming, tips, follow-ups, reasoning weight."""

import json

import pytest

from desktop_app.analysis import Analysis, Analyzer
from desktop_app.analysis.resources import AnalysisConfigError
from desktop_app.domain import Question, Transcript
from tests.analysis.samples import STRONG, timed_transcript

STUFFED = (
    "Situation: there was a situation. Task: my task was the task. Action: I took action and "
    "leveraged synergy. Result: as a result the result was 50% better, as a result of results."
)


def test_strong_answer_labels_star_in_order(analyzer: Analyzer) -> None:
    a = analyzer.analyze(STRONG)
    labels = [s.label for s in a.star.sentences]
    assert labels == ["S", "T", "A", "A", "A", "A", "R", "R"]
    assert a.star.present == {"S": True, "T": True, "A": True, "R": True}
    assert a.star.order == ["S", "T", "A", "R"] and a.star.result_measured and a.star.lesson
    assert a.scores["star"] >= 80 and a.scores["overall"] >= 75
    assert abs(sum(a.star.balance.values()) - 1.0) < 1e-6


def test_keyword_stuffing_scores_low(analyzer: Analyzer) -> None:
    for text in (STUFFED, "situation task action result 50% as a result"):
        a = analyzer.analyze(text)
        assert a.scores["star"] < 25, text
        assert a.scores["overall"] < 35, text
        assert a.scores["specificity"] < 30, text
    assert "keywords" in analyzer.analyze(STUFFED).tips[0]


def test_missing_result_is_the_follow_up(analyzer: Analyzer) -> None:
    cut = STRONG[: STRONG.index("As a result")]
    a = analyzer.analyze(cut)
    assert not a.star.present["R"]
    assert a.scores["star"] < analyzer.analyze(STRONG).scores["star"]
    assert a.follow_up == "What was the outcome, and how did you measure it?"
    assert any("no Result" in t for t in a.tips)


def test_result_without_number_tip(analyzer: Analyzer) -> None:
    text = STRONG.replace("timeouts dropped from 8% to under 0.5%", "timeouts mostly went away")
    a = analyzer.analyze(text)
    assert a.star.present["R"] and not a.star.result_measured
    assert "Your Result has no number — how much, how fast, how many?" in a.tips


def test_findings_spans_index_into_text(analyzer: Analyzer) -> None:
    a = analyzer.analyze("  Um, we used like KPI dashboards; it took roughly 3 days.  " + STRONG)
    assert a.findings
    for f in a.findings:
        assert a.text[f.char_start : f.char_end] == f.text
    for s in a.star.sentences:
        assert a.text[s.char_start : s.char_end] == s.text


def test_to_dict_has_the_issue_3_json_shape(analyzer: Analyzer) -> None:
    d = analyzer.analyze(timed_transcript(STRONG)).to_dict()
    json.dumps(d)
    assert set(d["scores"]) == {"overall", "star", "specificity", "jargon", "delivery", "reasoning"}
    assert {"text", "label", "start", "end"} <= set(d["star"]["sentences"][0])
    assert set(d["star"]["present"]) == {"S", "T", "A", "R"}
    assert {"wpm", "fillers", "fillers_per_min", "hedges", "long_pauses"} <= set(d["delivery"])
    assert {"quantities", "named", "i_ratio", "hypothetical"} <= set(d["specificity"])
    assert {"terms", "acronyms"} <= set(d["jargon"])
    assert {"kind", "text", "char_start", "char_end"} <= set(d["findings"][0])
    assert isinstance(d["tips"], list) and len(d["tips"]) <= 3
    assert d["star"]["sentences"][0]["start"] is not None


def test_reasoning_weighs_nothing_for_behavioural_questions(analyzer: Analyzer) -> None:
    text = STRONG + " The trade-off was speed over safety, because the sale could not wait."
    beh = Question("b", "Tell me", "x", "behavioural")
    tech = Question("t", "Explain", "x", "technical-reasoning")
    a_beh, a_tech = analyzer.analyze(text, beh), analyzer.analyze(text, tech)
    # Not judged for behavioural questions: None in scores and in the sub-result (never "0"),
    # while the evidence (counts, findings) is still there.
    assert a_beh.scores["reasoning"] is None and a_beh.reasoning.score is None
    assert a_beh.reasoning.counts == a_tech.reasoning.counts
    assert a_tech.scores["reasoning"] == a_tech.reasoning.score > 0
    assert a_beh.weights["reasoning"] == 0.0 < a_tech.weights["reasoning"]
    assert any(f.kind == "tradeoff" for f in a_beh.findings)
    no_tradeoff = analyzer.analyze(STRONG, tech)
    assert no_tradeoff.follow_up == (
        "What other options did you consider, and why did you pick this one?"
    )


def test_follow_up_falls_back_to_question_probes(analyzer: Analyzer) -> None:
    q = Question("q", "Tell me", "x", "behavioural", follow_ups=("Who disagreed?", "What next?"))
    a = analyzer.analyze(STRONG, q)
    assert a.follow_up in q.follow_ups
    assert a.question_id == "q"
    assert analyzer.analyze(STRONG, q).follow_up == a.follow_up  # deterministic


def test_transcript_with_words_but_no_text_is_rebuilt(analyzer: Analyzer) -> None:
    t = timed_transcript(STRONG)
    a = analyzer.analyze(Transcript(text="", segments=t.segments, duration=t.duration))
    assert a.text == STRONG and a.delivery.timed


def test_bad_input_type_and_bad_config_have_clear_messages(tmp_path) -> None:
    with pytest.raises(TypeError, match="Transcript or str"):
        Analyzer().analyze(42)  # type: ignore[arg-type]
    with pytest.raises(AnalysisConfigError, match="star.toml: analysis data file is missing"):
        Analyzer(tmp_path)


def test_analysis_is_exported_and_deterministic(analyzer: Analyzer) -> None:
    a, b = analyzer.analyze(STRONG), analyzer.analyze(STRONG)
    assert isinstance(a, Analysis)
    assert a.to_dict() == b.to_dict()
