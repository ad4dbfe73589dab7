"""WhisperEngine on real tiny.en weights and real espeak-ng speech."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from desktop_app.transcription.engine import (
    FILLER_PROMPT,
    ModelLoadError,
    WhisperEngine,
    load_prompt,
    load_whisper,
)
from tests.speech_metrics import wer

ANSWER = (Path(__file__).parent / "answer_incident.txt").read_text().strip()
ESPEAK_RATE = 150  # words per minute: an unhurried interview pace


@pytest.fixture(scope="module")
def spoken_answer(tmp_path_factory) -> Path:
    if not shutil.which("espeak-ng"):
        if os.environ.get("REHEARSE_REQUIRE_REAL") == "1":
            pytest.fail("espeak-ng is required (REHEARSE_REQUIRE_REAL=1)")
        pytest.skip("espeak-ng is not installed")
    wav = tmp_path_factory.mktemp("speech") / "answer.wav"
    subprocess.run(["espeak-ng", "-s", str(ESPEAK_RATE), "-w", str(wav), ANSWER],
                   check=True, timeout=60)  # fmt: skip
    return wav


@pytest.fixture(scope="module")
def transcribed(tiny_engine, spoken_answer):
    fractions: list[float] = []
    t0 = time.perf_counter()
    transcript = tiny_engine.transcribe_file(spoken_answer, progress=fractions.append)
    elapsed = time.perf_counter() - t0
    return transcript, elapsed, fractions


def test_prompt_comes_from_assets():
    assert "Umm" in FILLER_PROMPT and "#" not in FILLER_PROMPT
    assert load_prompt(Path("/nonexistent/prompt.txt"))  # a built-in fallback, never empty


@pytest.mark.whisper
def test_spoken_answer_transcribed_within_15_percent_wer(transcribed):
    transcript, elapsed, fractions = transcribed
    error = wer(ANSWER, transcript.text)
    rtf = elapsed / transcript.duration
    print(f"\ntiny.en: WER {error:.1%}, RTF {rtf:.3f} on {transcript.duration:.1f} s of espeak-ng")
    assert error <= 0.15, f"WER {error:.1%}: {transcript.text}"
    assert 15 < transcript.duration < 35
    assert transcript.model == "tiny.en" and transcript.language == "en"
    assert fractions[0] == 0.0 and fractions[-1] == 1.0


@pytest.mark.whisper
def test_word_timestamps_are_ordered_and_inside_the_audio(transcribed):
    transcript, _, _ = transcribed
    words = transcript.words
    assert len(words) >= 0.8 * len(ANSWER.split())
    assert all(w.text == w.text.strip() and w.text for w in words)
    assert all(0.0 <= w.start <= w.end <= transcript.duration + 0.05 for w in words)
    assert all(a.start <= b.start for a, b in zip(words, words[1:], strict=False))
    assert all(0.0 <= w.probability <= 1.0 for w in words)
    assert words[-1].end > 0.7 * transcript.duration  # timings span the answer, not bunched
    for seg in transcript.segments:
        assert seg.words and seg.start <= seg.words[0].start + 0.05


@pytest.mark.whisper
def test_time_offset_shifts_every_time(tiny_engine, transcribed, spoken_answer):
    from desktop_app.audio.wavio import read_audio_16k

    base, _, _ = transcribed
    shifted = tiny_engine.transcribe(read_audio_16k(spoken_answer), time_offset=42.5)
    assert [w.text for w in shifted.words] == [w.text for w in base.words]
    for a, b in zip(base.words, shifted.words, strict=True):
        assert b.start == pytest.approx(a.start + 42.5, abs=0.002)
        assert b.end == pytest.approx(a.end + 42.5, abs=0.002)
    assert shifted.segments[0].start == pytest.approx(base.segments[0].start + 42.5, abs=0.002)


@pytest.mark.whisper
def test_silence_gives_empty_transcript_and_bad_shapes_are_refused(tiny_engine):
    silent = tiny_engine.transcribe(np.zeros(16000 * 2, dtype=np.float32))
    assert silent.text == "" and silent.words == [] and silent.duration == 2.0
    with pytest.raises(ValueError, match="expected mono audio"):
        tiny_engine.transcribe(np.zeros((2, 3, 4), dtype=np.float32))


@pytest.mark.whisper
def test_load_is_idempotent_and_uses_injected_loader(tiny_model):
    calls = []

    def loader(info):
        calls.append(info.name)
        return load_whisper(info)

    engine = WhisperEngine(tiny_model, loader=loader, threads=1)
    assert not engine.is_loaded
    engine.load()
    engine.load()
    assert calls == ["tiny.en"] and engine.is_loaded


def test_damaged_model_file_gives_clear_load_error(tmp_path):
    from desktop_app.transcription.models import ModelInfo

    bad = tmp_path / "tiny.en.pt"
    bad.write_bytes(b"\x00" * 1000)
    info = ModelInfo("tiny.en", bad, "imported", 1000, {}, "tiny.en")
    expected = r"Could not load Whisper model 'tiny.en' from .*tiny.en.pt"
    with pytest.raises(ModelLoadError, match=expected):
        WhisperEngine(replace(info), threads=1).load()
