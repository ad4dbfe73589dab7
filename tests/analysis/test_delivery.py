"""Delivery: filler context rules, hedges, pace and pauses from word times, text-only fallback."""

from desktop_app.analysis import Analyzer
from desktop_app.domain import Segment, Transcript, Word
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


def test_typed_text_is_not_judged_on_delivery(analyzer: Analyzer) -> None:
    """Issue 13 point 8: typed text has no timing, so delivery is None (not "100") with a note,
    and the overall score weighs only what was judged."""
    a = analyzer.analyze(STRONG)
    d = a.delivery
    assert (d.wpm, d.fillers_per_min, d.duration_s, d.long_pauses) == (None, None, None, 0)
    assert a.scores["delivery"] is None and d.score is None
    assert d.note and "not judged" in d.note
    data = a.to_dict()
    assert data["scores"]["delivery"] is None and data["delivery"]["score"] is None
    assert a.weights["delivery"] == 0.0
    judged = {k: w for k, w in a.weights.items() if w}
    expect = sum(a.scores[k] * w for k, w in judged.items()) / sum(judged.values())
    assert a.scores["overall"] <= expect + 1e-6


def test_filler_heavy_text_still_gets_a_filler_tip(analyzer: Analyzer) -> None:
    disfluent = STRONG.replace(", ", ", um, like, ").replace(". ", ". Uh, you know, ")
    a = analyzer.analyze(disfluent)
    assert a.scores["delivery"] is None
    assert a.delivery.fillers > 10
    assert any("filler" in t for t in a.tips)


def test_filler_heavy_speech_loses_delivery_points(analyzer: Analyzer) -> None:
    disfluent = STRONG.replace(", ", ", um, like, ").replace(". ", ". Uh, you know, ")
    a = analyzer.analyze(timed_transcript(disfluent))
    assert a.scores["delivery"] < analyzer.analyze(timed_transcript(STRONG)).scores["delivery"] - 20
    assert any("filler" in t for t in a.tips)


def test_every_pace_tip_matches_the_delivery_thresholds(analyzer: Analyzer) -> None:
    """Issue 8 point 4: one source of truth. A pace tip fires exactly when pace loses points
    (outside delivery.toml's ideal band); 175 wpm used to lose points with no tip."""
    pace = analyzer.resources.delivery["pace"]
    for wpm in (110, 120, 130, 150, 165, 175, 185, 200):
        a = analyzer.analyze(timed_transcript(STRONG, wpm=wpm))
        outside = not pace["ideal_low"] <= a.delivery.wpm <= pace["ideal_high"]
        tip = bool({"fast", "slow"} & set(a.tip_ids))
        assert tip == outside, (wpm, a.delivery.wpm, a.tips)
        assert (a.delivery.parts["pace"] < 1.0) == outside, (wpm, a.delivery.parts)
    fast = analyzer.analyze(timed_transcript(STRONG, wpm=175))
    assert any(f"{pace['ideal_low']}–{pace['ideal_high']}" in t for t in fast.tips), fast.tips


def test_uncertain_words_are_marked_and_never_jargon_or_names(analyzer: Analyzer) -> None:
    """Issue 11: misheard fragments ("remuse", "Perfect West") had counted as rare jargon and as
    named systems; words below the probability threshold now never do, and are reported."""
    text = ("Last year I moved our weekly reports to remuse and asked Perfect West to check them "
            "before they went out. The reports were late every Monday, so I rewrote the export "
            "script. After that they went out by nine every morning.")
    t = timed_transcript(text)
    unsure = {"remuse", "Perfect", "West"}
    words = tuple(
        Word(w.text, w.start, w.end, 0.2 if w.text.strip(" .,") in unsure else 0.95)
        for w in t.segments[0].words
    )
    a = analyzer.analyze(Transcript(text, [Segment(text, words[0].start, words[-1].end, words)],
                                    duration=t.duration))
    kinds = {(f.kind, f.text) for f in a.findings}
    assert ("uncertain", "remuse") in kinds and ("uncertain", "Perfect West") in kinds
    assert not {k for k in kinds if k[0] in ("jargon", "named", "acronym")
                and set(k[1].split()) & unsure}
    assert "remuse" not in a.jargon.terms
    assert any("unsure" in n for n in a.notes)
    sure = analyzer.analyze(timed_transcript(text))
    assert "remuse" in sure.jargon.terms  # the same word, heard with confidence, is jargon
