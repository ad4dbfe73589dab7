"""Hands-free stop on real speech: espeak-ng answers through the live transcriber's voice
detector into the round machine. A 1.5 s pause or a cough never ends an answer; 4 s of
silence after the answer does."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from desktop_app.session import round_io as io
from desktop_app.session.round import RoundMachine
from desktop_app.session.voice import VoiceTracker
from desktop_app.transcription.live import LiveConfig
from desktop_app.transcription.vad import VoiceActivityDetector
from tests.fixtures_audio import make_spoken_wav

SR = 16000
BLOCK = 1600  # 0.1 s, as the recorder hands them on


def room(seconds: float, seed: int = 0, level: float = 0.002) -> np.ndarray:
    """Quiet room tone (a laptop microphone is never digitally silent)."""
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(int(SR * seconds))
    pink = np.convolve(white, np.ones(8) / 8, mode="same")
    return (level * pink / (np.std(pink) or 1.0)).astype(np.float32)


def cough(seed: int = 1) -> np.ndarray:
    """A cough: a 0.35 s burst of loud, broadband noise with a sharp attack."""
    rng = np.random.default_rng(seed)
    n = int(SR * 0.35)
    env = np.minimum(1.0, np.arange(n) / (0.01 * SR)) * np.exp(-np.arange(n) / (0.09 * SR))
    return (0.4 * env * rng.standard_normal(n)).astype(np.float32)


def speech(tmp_path, text: str, name: str) -> np.ndarray:
    data, rate = sf.read(make_spoken_wav(text, tmp_path / f"{name}.wav", rate=SR),
                         dtype="float32")
    assert rate == SR
    return data + room(data.size / SR, seed=len(text))


def run(plan, config, clock, audio: np.ndarray) -> tuple[float | None, list[io.Heard]]:
    """Feed ``audio`` block by block while answering; the time the machine stopped it."""
    m = RoundMachine(plan, config, clock)
    m.handle(io.Begin())
    m.handle(io.Skip())  # past the greeting
    m.handle(io.StartAnswer())
    assert m.view().phase == "answering"
    tracker = VoiceTracker(VoiceActivityDetector(LiveConfig.load().vad))
    heard = []
    for start in range(0, audio.size, BLOCK):
        clock.advance(BLOCK / SR)
        h = tracker.feed(audio[start:start + BLOCK])
        heard.append(h)
        if any(isinstance(a, io.StopRecording) for a in m.handle(h)):
            return (start + BLOCK) / SR, heard
    return None, heard


@pytest.fixture(scope="module")
def answer_parts(tmp_path_factory):
    d = tmp_path_factory.mktemp("voice")
    return (speech(d, "I led the migration of our billing service to the new database.", "a"),
            speech(d, "We cut the error rate from four percent to under one percent.", "b"))


def test_a_pause_of_one_and_a_half_seconds_does_not_stop_the_answer(plan3, config, clock,
                                                                     answer_parts):
    a, b = answer_parts
    audio = np.concatenate([a, room(1.5, 3), b, room(1.5, 4), a, room(1.0, 5)])
    stopped, heard = run(plan3, config, clock, audio)
    assert stopped is None
    assert max(h.silence_s for h in heard) < config.hands_free.silence_s
    assert heard[-1].speech_s > 5.0  # the detector did hear the speech


def test_silence_after_the_answer_stops_it_about_four_seconds_in(plan3, config, clock,
                                                                 answer_parts):
    a, b = answer_parts
    end_of_speech = (a.size + SR + b.size) / SR
    audio = np.concatenate([a, room(1.0, 6), b, room(8.0, 7)])
    stopped, _ = run(plan3, config, clock, audio)
    assert stopped is not None
    waited = stopped - end_of_speech
    assert config.hands_free.silence_s - 0.3 <= waited <= config.hands_free.silence_s + 0.8


def test_a_cough_before_the_answer_starts_does_not_end_it(plan3, config, clock):
    audio = np.concatenate([room(1.0, 8), cough(), room(7.0, 9), cough(2), room(6.0, 10)])
    stopped, heard = run(plan3, config, clock, audio)
    assert stopped is None
    assert heard[-1].speech_s < config.hands_free.armed_after_speech_s


def test_a_cough_inside_a_pause_does_not_end_the_answer(plan3, config, clock, answer_parts):
    a, b = answer_parts
    audio = np.concatenate([a, room(1.5, 11), cough(3), room(1.5, 12), b, room(1.0, 13)])
    stopped, _ = run(plan3, config, clock, audio)
    assert stopped is None
