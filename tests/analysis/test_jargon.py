"""Jargon: frequency bands, unexplained acronyms, buzzwords, audience-aware strictness."""

from desktop_app.analysis import Analyzer
from desktop_app.domain import Question

TECHY = (
    "I traced the p99 regression to an idempotent retry in the sharded ingestion path, "
    "then I added a circuit breaker around the Kafka consumer so the backlog drained."
)


def _q(audience: str, kind: str = "communication") -> Question:
    return Question("q", "Explain it", "communication", kind, audience=audience)


def test_rare_words_are_jargon_findings(analyzer: Analyzer) -> None:
    a = analyzer.analyze(TECHY)
    assert {"idempotent", "sharded"} <= set(a.jargon.terms)
    assert {"idempotent", "sharded"} <= {f.text for f in a.findings if f.kind == "jargon"}


def test_non_technical_audience_is_judged_more_strictly(analyzer: Analyzer) -> None:
    lay = analyzer.analyze(TECHY, _q("non-technical")).scores["jargon"]
    tech = analyzer.analyze(TECHY, _q("technical")).scores["jargon"]
    assert lay < tech - 10


def test_unexplained_acronyms_but_not_expanded_or_common_ones(analyzer: Analyzer) -> None:
    a = analyzer.analyze(
        "Our CEO set an OKR on the SLA. I tracked the mean time to recovery (MTTR) weekly "
        "and reported it to HR and the CEO."
    )
    assert a.jargon.acronyms == ["OKR", "SLA"]
    assert "MTTR" in a.jargon.explained_acronyms
    assert [f.text for f in a.findings if f.kind == "acronym"] == ["OKR", "SLA"]


def test_buzzwords_cost_points(analyzer: Analyzer) -> None:
    plain = "I asked the two teams to meet weekly so they could agree on one plan."
    buzz = (
        "I leveraged synergies to move the needle and circle back on low-hanging fruit "
        "so the teams could agree on one plan."
    )
    a = analyzer.analyze(buzz)
    assert len(a.jargon.buzzwords) >= 4
    assert a.scores["jargon"] < analyzer.analyze(plain).scores["jargon"] - 20
