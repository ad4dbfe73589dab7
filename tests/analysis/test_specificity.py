"""Specificity: quantities (digits and words), names, I vs we in the Action part, hypotheticals."""

from desktop_app.analysis import Analyzer
from tests.analysis.samples import STRONG


def test_quantities_include_spelled_numbers_money_durations_dates(analyzer: Analyzer) -> None:
    a = analyzer.analyze(
        "In March 2022 I had three weeks to save $40k. I cut costs by twenty five percent "
        "in Q3 and hired two engineers last quarter."
    )
    nums = [f.text for f in a.findings if f.kind == "number"]
    assert nums == [
        "March",
        "2022",
        "three weeks",
        "$40k",
        "twenty five percent",
        "Q3",
        "two engineers",
        "last quarter",
    ]


def test_named_things_from_capitals_and_tech_terms(analyzer: Analyzer) -> None:
    a = analyzer.analyze(
        "I asked Priya Shah on the Payments team to move us off kubernetes to ECS."
    )
    assert set(a.specificity.named_terms) >= {"priya shah", "payments", "kubernetes", "ecs"}


def test_we_in_action_part_lowers_ownership(analyzer: Analyzer) -> None:
    we = STRONG.replace("First I pulled", "First we pulled").replace(
        "so I reproduced", "so we reproduced"
    )
    we = we.replace("Then I added", "Then we added").replace("and I wrote", "and we wrote")
    we = we.replace("I also walked", "We also walked").replace("I suspected", "We suspected")
    mine, ours = analyzer.analyze(STRONG), analyzer.analyze(we)
    assert mine.specificity.i_ratio > 0.8 > 0.3 > ours.specificity.i_ratio
    assert ours.scores["specificity"] < mine.scores["specificity"]
    assert any(f.kind == "we" for f in ours.findings)
    assert ours.follow_up == "What was your own part in that?"


def test_hypothetical_answer_is_flagged(analyzer: Analyzer) -> None:
    a = analyzer.analyze(
        "Usually when a deadline slips I would talk to the team first. I'd typically re-plan "
        "the work with them. Generally I try to tell stakeholders early. I always make sure "
        "the risks are written down."
    )
    assert a.specificity.hypothetical
    assert a.scores["specificity"] < 40
    assert "specific time" in (a.follow_up or "")
    assert "would usually do" in a.tips[0]


def test_id_already_is_not_hypothetical(analyzer: Analyzer) -> None:
    a = analyzer.analyze("I'd already fixed the bug when the report came in, so I closed it.")
    assert not [f for f in a.findings if f.kind == "hypothetical"]


def test_vague_words_are_findings(analyzer: Analyzer) -> None:
    a = analyzer.analyze("We did a lot of stuff and various things to make it better.")
    assert {f.text.lower() for f in a.findings if f.kind == "vague"} == {
        "a lot",
        "stuff",
        "various",
        "things",
    }
