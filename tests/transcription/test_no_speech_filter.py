"""Issue 8 point 3: the live path's ``no_speech_prob`` filter (assets/live.toml) is live — the
setting reaches the cleaner, real Whisper segments carry the probability through decoding, and
a segment Whisper itself calls silent (high no_speech_prob, unsure words) is dropped."""

from __future__ import annotations

import numpy as np
import pytest
import tomllib

from desktop_app.audio.wavio import read_audio_16k
from desktop_app.domain import Segment, Word
from desktop_app.paths import assets_dir
from desktop_app.transcription.live import LiveConfig, LiveTranscriber
from tests.fixtures_audio import make_spoken_wav


def test_the_setting_reaches_the_live_cleaner():
    with open(assets_dir() / "live.toml", "rb") as f:
        want = tomllib.load(f)["filter"]["no_speech_prob"]
    live = LiveTranscriber(lambda audio, offset: None, config=LiveConfig.load())
    try:
        assert live.cleaner.no_speech_prob == want == LiveConfig.load().no_speech_prob
        silent = Segment("Thank you.", 0.2, 0.6, (Word("Thank", 0.2, 0.4, 0.2),
                                                  Word("you.", 0.4, 0.6, 0.2)),
                         no_speech_prob=min(0.99, want + 0.1))
        speech = np.full(16000, 0.1, dtype=np.float32)  # the region counts as voiced
        kept, dropped = live.cleaner.clean([silent], speech, 0.0)
        assert kept == [] and dropped == 1 and live.cleaner.counts["silent"] == 1
        confident = Segment("Thank you.", 0.2, 0.6, (Word("Thank", 0.2, 0.4, 0.95),
                                                     Word("you.", 0.4, 0.6, 0.95)),
                            no_speech_prob=min(0.99, want + 0.1))
        assert live.cleaner.clean([confident], speech, 0.0)[0]  # sure words are kept
    finally:
        live.cancel()


@pytest.mark.whisper
def test_real_segments_carry_whispers_no_speech_probability(tiny_engine, tmp_path):
    wav = make_spoken_wav("We moved the release by a week and told the customer.",
                          tmp_path / "a.wav", 16000)
    audio = read_audio_16k(wav)
    speech = tiny_engine.decode(audio)
    quiet = tiny_engine.decode(np.random.default_rng(1).normal(0, 0.003, 16000 * 4)
                               .astype(np.float32))
    assert speech.segments and all(0.0 <= s.no_speech_prob < 0.5 for s in speech.segments)
    probs = [s.no_speech_prob for s in speech.segments + quiet.segments]
    assert any(p > 0 for p in probs)  # carried from Whisper, not the 0.0 default
