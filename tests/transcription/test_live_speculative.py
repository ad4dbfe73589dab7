"""Speculative tail: the tail is transcribed in the background at a pause and reused at "stop"
when only silence followed (no Whisper call after stop); new speech after it is transcribed."""

from __future__ import annotations

import dataclasses
import threading
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from desktop_app.domain import Segment, Transcript, Word
from desktop_app.transcription.live import LiveConfig, LiveTranscriber, engine_chunk_fn
from desktop_app.transcription.live.load import LoadMeter
from tests.fixtures_audio import make_spoken_wav
from tests.transcription.test_live import (
    ANSWER,
    assert_joins_keep_every_word,
    syllables,
    wer,
)

SR = 16000
FIRST = ("Last year our checkout service started failing during peak traffic. I was the senior "
         "engineer on call, so I took ownership of the incident.")
SECOND = ("First I checked the dashboards and saw that the database connection pool was "
          "exhausted. I rolled back the latest release.")


def silence(seconds: float) -> np.ndarray:
    return np.zeros(int(seconds * SR), np.float32)


def speak(text: str, path: Path) -> np.ndarray:
    if not path.exists():
        make_spoken_wav(text, path, SR)
    audio, rate = sf.read(path, dtype="float32")
    assert rate == SR
    return audio


def trim_end(audio: np.ndarray) -> np.ndarray:
    """Cut the trailing quiet (so nothing after this looks like a pause)."""
    loud = np.flatnonzero(np.abs(audio) > 0.01)
    return audio[: int(loud[-1]) + 1]


def feed(live: LiveTranscriber, audio: np.ndarray) -> None:
    for i in range(0, audio.size, SR // 10):
        live.feed(audio[i : i + SR // 10])


def words(t: Transcript) -> list[tuple[str, float, float]]:
    return [(w.text, w.start, w.end) for w in t.words]


class PreviewModel:
    """Fast stand-in with the preview/accept interface: one word per call."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def preview(self, audio: np.ndarray, offset: float, after: str | None = None) -> Transcript:
        self.calls.append("preview" if after is None else f"preview after {after}")
        mid = offset + audio.size / SR / 2
        w = Word(f" w{len(self.calls)}", mid - 0.1, mid + 0.1, 0.9)
        return Transcript(text=w.text, segments=[Segment(w.text, w.start, w.end, (w,))])

    def accept(self, result: Transcript) -> None:
        self.calls.append("accept")

    def __call__(self, audio: np.ndarray, offset: float) -> Transcript:
        result = self.preview(audio, offset)
        self.calls[-1] = "call"
        return result


def test_pass_reused_at_finish_without_another_call():
    model, previews = PreviewModel(), []
    live = LiveTranscriber(model, on_text=previews.append)
    feed(live, np.concatenate([syllables(4.0, np.random.default_rng(1)), silence(1.0)]))
    assert live.wait_idle(30)
    assert model.calls == ["preview"] and live.spec_passes == 1
    assert previews and previews[-1].text == "w1"  # the uncommitted tail is shown
    assert live.transcript.text == ""  # ...but not committed
    feed(live, silence(1.5))  # the pause before Stop
    result = live.finish(timeout=30)
    assert model.calls == ["preview", "accept"]  # no call after finish
    assert result.text == "w1" and live.chunks[-1].reused


def test_config_rejects_spec_pause_inside_trim_pad(tmp_path):
    bad = tmp_path / "live.toml"
    bad.write_text("[speculation]\nspec_pause_s = 0.1\n")
    with pytest.raises(ValueError, match="spec_pause_s"):
        LiveConfig.load(bad)


@pytest.fixture(scope="module")
def first(tmp_path_factory) -> np.ndarray:
    return speak(FIRST, tmp_path_factory.mktemp("spec") / "first.wav")


@pytest.fixture(scope="module")
def second(tmp_path_factory) -> np.ndarray:
    return trim_end(speak(SECOND, tmp_path_factory.mktemp("spec") / "second.wav"))


@pytest.mark.whisper
def test_speculative_result_reused_when_only_silence_follows(tiny_engine, first):
    calls: list[float] = []

    class Counting:
        def decode(self, audio, **kw):
            calls.append(kw.get("time_offset", 0.0))
            return tiny_engine.decode(audio, **kw)

    live = LiveTranscriber(engine_chunk_fn(Counting()))
    live.feed(np.concatenate([first, silence(1.0)]))  # one piece: the tail as a whole
    assert live.wait_idle(120)
    assert live.spec_passes >= 1
    n_before_stop = len(calls)
    feed(live, silence(1.0))
    result = live.finish(timeout=120)
    assert len(calls) == n_before_stop  # no Whisper call after "stop"
    assert live.chunks[-1].reused

    off = dataclasses.replace(LiveConfig.load(), spec_pause_s=0.0)
    plain = LiveTranscriber(engine_chunk_fn(tiny_engine), config=off)
    feed(plain, np.concatenate([first, silence(2.0)]))
    expected = plain.finish(timeout=120)
    assert plain.spec_passes == 0 and not plain.chunks[-1].reused
    assert words(result) == words(expected) and len(result.words) > 15
    assert result.text == expected.text


@pytest.mark.whisper
def test_new_speech_after_the_pass_is_transcribed(tiny_engine, first, second):
    live = LiveTranscriber(engine_chunk_fn(tiny_engine))
    feed(live, np.concatenate([first, silence(1.0)]))
    assert live.wait_idle(120) and live.spec_passes >= 1
    spec_text = live.preview.text
    feed(live, second)  # speaking again, then Stop at once
    result = live.finish(timeout=120)
    chunks = [c for c in live.chunks if not c.skipped]
    assert not chunks[-1].reused  # the new speech went to Whisper...
    assert chunks[-2].reused  # ...and only it: the pass covered the first part
    assert chunks[-1].audio_start_s >= first.size / SR - 0.5
    text = result.text.lower()
    assert "release" in text and "ownership" in text, text
    assert result.text.startswith(spec_text)
    starts = [w.start for w in result.words]
    assert starts == sorted(starts) and result.words[-1].end > (first.size + SR) / SR


def speech_then_pause(seconds: float, seed: int, pause: float = 0.8) -> np.ndarray:
    return np.concatenate([syllables(seconds, np.random.default_rng(seed)), silence(pause)])


def test_new_speech_gets_a_short_pass_then_the_chain_one_pass():
    model, previews = PreviewModel(), []
    live = LiveTranscriber(model, on_text=previews.append)
    feed(live, speech_then_pause(4.0, 1))
    assert live.wait_idle(30) and model.calls == ["preview"]
    feed(live, speech_then_pause(3.0, 2))
    assert live.wait_idle(30)
    # only the new speech, prompted with the text before it; then the two pieces as one
    assert model.calls == ["preview", "preview after w1", "preview"]
    assert [p.text for p in previews] == ["w1", "w1 w2", "w3"]
    result = live.finish(timeout=30)
    assert model.calls[3:] == ["accept"] and result.text == "w3"
    assert len(live.chunks) == 1 and live.chunks[0].reused


class GatedModel(PreviewModel):
    """PreviewModel whose calls from number ``block_from`` on wait for ``gate``."""

    def __init__(self) -> None:
        super().__init__()
        self.block_from: int | None = None
        self.entered, self.gate = threading.Event(), threading.Event()

    def preview(self, audio: np.ndarray, offset: float, after: str | None = None) -> Transcript:
        result = super().preview(audio, offset, after)
        if self.block_from is not None and len(self.calls) >= self.block_from:
            self.entered.set()
            assert self.gate.wait(60)
        return result


def test_finish_does_not_wait_for_a_pass_the_chain_does_not_need():
    model = GatedModel()
    live = LiveTranscriber(model)
    feed(live, speech_then_pause(4.0, 3))
    assert live.wait_idle(30)
    model.block_from = 3  # the pass that would join the two pieces hangs
    feed(live, speech_then_pause(3.0, 4))
    assert model.entered.wait(30)
    try:
        result = live.finish(timeout=30)  # raises TimeoutError if it waited for the gate
    finally:
        model.gate.set()
    assert model.calls == ["preview", "preview after w1", "preview", "accept", "accept"]
    assert result.text == "w1 w2"
    chunks = live.chunks
    assert [c.reused for c in chunks] == [True, True] and chunks[0].end_s == chunks[1].start_s
    assert chunks[1].end_s == pytest.approx(live.transcript.duration)


def test_pieces_that_heard_a_chunk_are_committed_without_a_call():
    model = PreviewModel()
    live = LiveTranscriber(model)
    for seed in range(5):  # 5 x 5.6 s: a chunk falls due (~22 s) during the answer
        feed(live, speech_then_pause(4.8, 10 + seed))
        assert live.wait_idle(30)
    result = live.finish(timeout=30)
    assert "call" not in model.calls  # every chunk came from a speculative pass
    chunks = [c for c in live.chunks if not c.skipped]
    assert len(chunks) >= 2 and all(c.reused for c in chunks)
    assert chunks[0].end_s - chunks[0].start_s >= live.config.min_s
    assert len(result.words) == len(chunks)  # one word per reused pass, none lost or doubled


@pytest.mark.whisper
def test_chain_keeps_whole_file_accuracy(tiny_engine, answer, whole):
    """A worker that keeps up (it is idle at every pause): the transcript comes from speculative
    passes — short passes on new speech, joined into one pass when time allows — and is as good
    as transcribing the file whole, with no word lost or doubled at the joins. The LoadMeter's
    clock stands still: the machine counts as idle however busy the test machine is (under load
    the live path drops speculation on purpose: tests/transcription/test_live_load.py)."""
    config = dataclasses.replace(LiveConfig.load(), refine_max_pass_s=0.0)
    idle = LoadMeter(config, clock=lambda: 0.0)
    live = LiveTranscriber(engine_chunk_fn(tiny_engine), config=config, meter=idle)
    for i in range(0, answer.size, SR // 10):  # real-time blocks; each handled at once
        live.feed(answer[i : i + SR // 10])
        assert live.wait_idle(120)
    for _ in range(10):  # a second's pause before Stop
        live.feed(silence(0.1))
        assert live.wait_idle(120)
    result = live.finish(timeout=120)
    chunks = [c for c in live.chunks if not c.skipped]
    assert len(chunks) >= 4 and sum(c.reused for c in chunks) >= len(chunks) - 1
    live_wer, whole_wer = wer(ANSWER, result.text), wer(ANSWER, whole.text)
    assert live_wer <= whole_wer + 0.02, (live_wer, whole_wer, result.text)
    assert_joins_keep_every_word(live, result, whole)
    starts = [w.start for w in result.words]
    assert starts == sorted(starts) and result.words[-1].end <= answer.size / SR + 0.05
