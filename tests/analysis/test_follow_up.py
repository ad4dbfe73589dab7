"""Follow-up answers are judged on what the follow-up asked (issue 13 point 9)."""

from __future__ import annotations

import pytest

from desktop_app.analysis import Analyzer
from desktop_app.analysis.focus import classify
from desktop_app.domain import Question
from desktop_app.questions import QuestionBank
from tests.analysis.samples import STRONG, timed_transcript

MEASURED = ("We tracked it in the billing dashboard: failed payments went from 4.1 percent to "
            "1.2 percent over the next six weeks, and support tickets about invoices dropped by "
            "half.")
STAR_PART_TIPS = {"no_task", "no_situation", "no_action", "no_result", "result_no_number",
                  "long_situation", "thin_action", "no_lesson"}


def test_a_measured_outcome_answers_how_did_you_measure_it(analyzer: Analyzer) -> None:
    q = Question("q", "Tell me about a time you improved a process.", "x", "behavioural")
    a = analyzer.analyze(timed_transcript(MEASURED), q, follow_up="How did you measure the result?")
    assert a.focus is not None and a.focus.kind == "outcome" and not a.focus.missing
    assert not STAR_PART_TIPS & set(a.tip_ids), a.tips
    assert not any("Situation" in t or "goal or responsibility" in t for t in a.tips), a.tips
    assert a.scores["star"] is None and a.star.score is None
    assert a.scores["focus"] >= 70 and a.weights["focus"] > 0
    assert a.scores["overall"] >= 60
    assert len(a.tips) == 3
    assert a.follow_up != "What was the outcome, and how did you measure it?"
    assert any("follow-up" in n for n in a.notes)
    # judged as a whole story, the same words would be told their Situation and Task are missing
    whole = analyzer.analyze(timed_transcript(MEASURED), q)
    assert whole.scores["star"] is not None and whole.focus is None


def test_an_answer_that_misses_the_focus_is_told_so(analyzer: Analyzer) -> None:
    vague = "It went well and everyone was happy with how it turned out in the end."
    a = analyzer.analyze(vague, follow_up="How did you know it worked?")
    assert a.focus.kind == "outcome" and a.focus.missing == ["number"]
    assert any("name the number that changed" in t for t in a.tips)
    assert a.follow_up == "What exactly changed, and by how much — where did you see it?"
    good = analyzer.analyze(MEASURED, follow_up="How did you know it worked?")
    assert good.scores["focus"] > a.scores["focus"] + 20


def test_own_part_and_differently_follow_ups(analyzer: Analyzer) -> None:
    we = ("We split the backlog between us and we wrote the new checklist together, and we "
          "reviewed every case at the end of the week.")
    i = ("I wrote the checklist myself and I trained the two new starters on it, then I "
         "reviewed their first twenty cases with them.")
    ask = "What was your own part in that?"
    a_we, a_i = analyzer.analyze(we, follow_up=ask), analyzer.analyze(i, follow_up=ask)
    assert a_we.focus.kind == a_i.focus.kind == "own_part"
    assert "focus_first_person" in a_we.tip_ids and "focus_first_person" not in a_i.tip_ids
    assert a_i.scores["focus"] > a_we.scores["focus"]
    lesson = ("Next time I would warn the client about the risk in the first week, and I would "
              "ask for the data export before we start building anything.")
    d = analyzer.analyze(lesson, follow_up="What would you do differently next time?")
    assert d.focus.kind == "differently" and not d.focus.missing
    assert "hypothetical" not in d.tip_ids  # "I would" is what that question asks for


def test_an_example_follow_up_is_judged_as_a_full_story(analyzer: Analyzer) -> None:
    a = analyzer.analyze(STRONG, follow_up="Can you give me an example of when you applied it?")
    assert a.focus.kind == "example" and a.focus.full_star
    assert a.scores["star"] is not None and "focus" not in a.scores


@pytest.mark.parametrize("prompt,kind", [
    ("How did you know it was successful?", "outcome"),
    ("What did you learn about making commitments?", "differently"),
    ("Knowing what you know now, would you make the same decision?", "differently"),
    ("What was your part in the failure, specifically, as opposed to the circumstances?",
     "own_part"),
    ("What other options did you consider, and why did you pick this one?", "reasoning"),
    ("Who pushed back, and how did you bring them along?", "people"),
    ("What was the first thing you did after acknowledging the page?", "steps"),
    ("Can you give me an example of when you applied that lesson later?", "example"),
])
def test_follow_up_prompts_are_classified(analyzer: Analyzer, prompt: str, kind: str) -> None:
    assert classify(analyzer.resources, prompt) == kind


def test_every_bundled_follow_up_gets_a_focus(analyzer: Analyzer) -> None:
    from desktop_app.paths import prompts_dir

    bank = QuestionBank.load([prompts_dir()])
    kinds = [classify(analyzer.resources, f) for q in bank.questions for f in q.follow_ups]
    assert kinds and kinds.count("general") / len(kinds) < 0.25, kinds


def test_positional_call_still_works(analyzer: Analyzer) -> None:
    q = Question("q", "Tell me", "x", "behavioural")
    assert analyzer.analyze(STRONG, q).focus is None
    with pytest.raises(TypeError, match="follow_up must be a str"):
        analyzer.analyze(STRONG, q, follow_up=3)  # type: ignore[arg-type]
