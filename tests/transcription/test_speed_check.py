"""Model recommendation from this computer's measured speed (issue 12.4)."""

from __future__ import annotations

import pytest

from desktop_app.transcription.speed_check import (
    MAX_RTF,
    advise,
    clip,
    measure_speed,
    predictions,
    recommend,
)


def test_recommendation_follows_the_measured_speed():
    # as measured on an idle 2-core machine (tiny.en 0.05): base.en keeps up, small.en does not
    assert recommend("tiny.en", 0.05).model.name == "base.en"
    # a machine twice as slow (busy, or older): only tiny.en keeps up
    assert recommend("tiny.en", 0.10).model.name == "tiny.en"
    # a fast desktop: small.en
    assert recommend("tiny.en", 0.02).model.name == "small.en"
    # nothing keeps up: the fastest, said plainly
    slow = recommend("tiny.en", 1.0)
    assert slow.model.name == "tiny.en" and not slow.keeps_up
    assert "cannot keep up" in slow.text and "75 MB" in slow.text
    # below real time but without room to spare: it falls behind, it does not "fail"
    tight = recommend("tiny.en", 0.24)
    assert not tight.keeps_up and "falls behind" in tight.text
    assert "Even the fastest model" in advise("tiny.en", None, 0.24).text
    # measured with another model: scaled by the catalogue's relative speeds
    by_base = {c.model.name: c.rtf for c in predictions("base", 0.09)}
    assert by_base["tiny.en"] == pytest.approx(0.05)
    assert all(c.keeps_up == (c.rtf <= MAX_RTF) for c in predictions("tiny.en", 0.05))


def test_the_bundled_clip_is_speech_and_measures_a_real_engine(tiny_engine):
    audio = clip()
    assert 10 < audio.size / 16000 < 20
    rtf = measure_speed(tiny_engine, runs=1)
    assert 0 < rtf < 5
    words = tiny_engine.decode(audio).text.lower()
    assert "data centre" in words.replace("center", "centre") or "payment" in words


def test_advice_names_the_best_model_and_whether_the_installed_one_is_it():
    idle = advise("tiny.en", None, 0.05)
    assert idle.best.model.name == "base.en" and not idle.installed_is_best
    assert "base.en" not in [c.model.name for c in idle.others]
    assert all(c.model.name.endswith(".en") for c in idle.others)
    assert idle.text.startswith("This computer runs tiny.en at 0.05 s per second of speech.")
    assert "Recommended: base.en (145 MB)" in idle.text and "tiny.en (75 MB)" in idle.text
    assert advise("tiny.en", None, 0.10).installed_is_best  # busy: stay with tiny.en
    # an imported multilingual base is timed as what it is, and scaled from there
    imported = advise("base", "base", 0.09)
    assert imported.best.model.name == "base.en" and not imported.installed_is_best
