"""Delivery: filler context rules, hedges, pace and pauses from word times, text-only fallback."""

from desktop_app.analysis import Analyzer
from tests.analysis.samples import STRONG, timed_transcript


def _kinds(a, kind: str) -> list[str]:
    return [f.text.lower() for f in a.findings if f.kind == kind]


def test_like_is_a_filler_only_in_filler_positions(analyzer: Analyzer) -> None:
    a = analyzer.analyze(
        "I'd like to explain. It looks like the cache was cold. I felt like a fraud. "
        "And it was, like, really slow. He was like, no way. We had like 40 errors."
    )
    assert _kinds(a, "filler") == ["like", "like", "like"]
    starts = [f.char_start for f in a.findings if f.kind == "filler"]
    assert all(a.text[s : s + 4].lower() == "like" for s in starts)
    assert a.text.index("was, like") + 5 in starts


def test_um_uh_you_know_and_repetitions_count(analyzer: Analyzer) -> None:
    a = analyzer.analyze(
        "Um, so I I fixed it, uh, you know, the the cache. You know what the issue was?"
    )
    assert a.delivery.fillers == 5  # um, I I, uh, you know, the the — not "you know what"
    assert a.delivery.fillers_per_min is None


def test_about_plus_number_is_not_a_hedge(analyzer: Analyzer) -> None:
    a = analyzer.analyze(
        "It took roughly 3 days. I think it maybe worked, roughly speaking, sort of."
    )
    assert _kinds(a, "hedge") == ["i think", "maybe", "roughly", "sort of"]
    assert a.delivery.hedges == 4


def test_timed_transcript_gives_wpm_pauses_and_fillers_per_minute(analyzer: Analyzer) -> None:
    t = timed_transcript(STRONG, wpm=150, pauses={30: 2.5, 60: 1.4})
    a = analyzer.analyze(t)
    d = a.delivery
    assert d.timed and d.long_pauses == 2
    assert 140 <= d.wpm <= 165  # the 2.5 s gap is not speaking time
    assert d.fillers_per_min is not None
    pause = [f for f in a.findings if f.kind == "long_pause"]
    assert pause[0].start is not None and pause[0].text == STRONG.split()[30].strip(",.")
    assert any(f.start is not None for f in a.findings if f.kind == "number")


def test_fast_speech_scores_lower_than_normal_pace(analyzer: Analyzer) -> None:
    normal = analyzer.analyze(timed_transcript(STRONG, wpm=150))
    fast = analyzer.analyze(timed_transcript(STRONG, wpm=260))
    assert fast.scores["delivery"] < normal.scores["delivery"] - 10
    assert any("words a minute" in t for t in fast.tips)


def test_text_only_leaves_time_fields_empty_and_does_not_penalise(analyzer: Analyzer) -> None:
    a = analyzer.analyze(STRONG)
    d = a.delivery
    assert (d.wpm, d.fillers_per_min, d.duration_s, d.long_pauses) == (None, None, None, 0)
    assert a.scores["delivery"] >= 90
    assert any("No word timings" in n for n in a.notes)


def test_filler_heavy_text_loses_delivery_points(analyzer: Analyzer) -> None:
    disfluent = STRONG.replace(", ", ", um, like, ").replace(". ", ". Uh, you know, ")
    a = analyzer.analyze(disfluent)
    assert a.scores["delivery"] < analyzer.analyze(STRONG).scores["delivery"] - 20
    assert any("filler" in t for t in a.tips)
