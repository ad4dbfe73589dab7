"""Property test: arbitrary text never breaks the analyser and every score stays in 0-100."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from desktop_app.analysis import Analyzer

_WORDS = st.sampled_from(
    [
        "I",
        "we",
        "situation",
        "task",
        "result",
        "50%",
        "um",
        "like",
        ",",
        ".",
        "?",
        "KPI",
        "Kafka",
        "because",
        "trade-off",
        "über",
        "日本語",
        "مرحبا",
        "—",
        "\n",
        "  ",
        "$3k",
        "twenty",
        "I'd",
    ]
)
_TEXT = st.one_of(
    st.text(max_size=400),
    st.lists(_WORDS, max_size=300).map(" ".join),
    st.lists(_WORDS, max_size=60).map("".join),  # punctuation-free / glued
)


def _check(analyzer: Analyzer, text: str) -> None:
    a = analyzer.analyze(text)
    assert set(a.scores) == {"overall", "star", "specificity", "jargon", "delivery", "reasoning"}
    for k, v in a.scores.items():
        assert v is None or 0.0 <= v <= 100.0, (k, v)
    assert a.scores["overall"] is not None and a.scores["star"] is not None
    assert len(a.tips) <= 3
    for f in a.findings:
        assert a.text[f.char_start : f.char_end] == f.text
    a.to_dict()


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_TEXT)
def test_arbitrary_text_never_raises(analyzer: Analyzer, text: str) -> None:
    _check(analyzer, text)


def test_edge_cases(analyzer: Analyzer) -> None:
    for text in [
        "",
        " ",
        ".",
        "\n\n",
        "a" * 5000,
        "word " * 5000,
        "这是一个没有空格的句子" * 50,
        "I " * 1000,
        "1 2 3 4 5 6 7 8 9 10 %%% $$$",
    ]:
        _check(analyzer, text)
