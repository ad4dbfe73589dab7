"""Reasoning credit: trade-offs, alternatives, checks — and no credit for a list of cue words."""

from __future__ import annotations

from desktop_app.domain import Question

TECH = Question(id="q", text="Walk me through a design trade-off.", competency="Design",
                kind="technical-reasoning")
BEHAVIOURAL = Question(id="b", text="Tell me about a conflict.", competency="Conflict",
                       kind="behavioural")

REASONED = (
    "We had six weeks before the launch and the search service could not keep up at peak. "
    "I considered two options: caching results in Redis, or moving the ranking into a batch job. "
    "The downside of the batch job was stale results for up to an hour, since the index only "
    "rebuilt nightly. I checked whether users actually needed fresh results by looking at the "
    "logs, and most searches were for items older than a week. So I chose the cache over the "
    "batch job because it kept results fresh and cost us two days instead of two weeks. "
    "Latency at peak dropped from 900 milliseconds to 120."
)
STUFFED = (
    "The trade-off was the downside. Because of the trade-off we chose the option over the other "
    "option. The downside was the upside, which is why we weighed the alternatives."
)


def test_weighed_trade_offs_earn_reasoning_credit(analyzer):
    result = analyzer.analyze(REASONED, TECH)
    assert result.scores["reasoning"] >= 70
    assert result.reasoning.weighted and result.reasoning.tradeoff
    kinds = {f.kind for f in result.findings}
    assert {"tradeoff", "alternative"} <= kinds


def test_a_list_of_reasoning_words_earns_little(analyzer):
    stuffed = analyzer.analyze(STUFFED, TECH).scores["reasoning"]
    assert stuffed < 35
    assert stuffed < analyzer.analyze(REASONED, TECH).scores["reasoning"] - 40


def test_behavioural_questions_compute_reasoning_without_weighing_it(analyzer):
    result = analyzer.analyze(REASONED, BEHAVIOURAL)
    assert not result.reasoning.weighted
    assert result.weights["reasoning"] == 0
