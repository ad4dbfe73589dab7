"""The live path under load: it measures its real-time factor, drops speculation when the
worker is slow, keeps committed chunks up with the speech and says when it is catching up.

The engine is a stand-in that works for ``rtf x audio`` seconds (a Whisper call on a busy
machine cannot be produced on demand); time runs ``SCALE`` times faster than the wall clock for
both the feed and the LoadMeter's clock, so 150 s of speech take 15 s. The real engine's figures
under real load are in bench/stop_latency.py --load N.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from desktop_app.domain import Segment, Transcript, Word
from desktop_app.transcription.live import LiveConfig, LiveTranscriber
from desktop_app.transcription.live.load import LoadMeter
from tests.transcription.test_live import syllables

SR = 16000
SCALE = 10.0


def scaled_clock() -> float:
    return time.perf_counter() * SCALE


def sentences(seconds: float, rng: np.random.Generator) -> np.ndarray:
    """Voice-like sentences of 3-6 s with 0.6-1.0 s pauses between them."""
    out: list[np.ndarray] = []
    while sum(map(len, out)) < seconds * SR:
        out.append(syllables(rng.uniform(3.0, 6.0), rng))
        out.append(np.zeros(int(rng.uniform(0.6, 1.0) * SR), np.float32))
    return np.concatenate(out)[: int(seconds * SR)]


class SlowModel:
    """A transcribe callable with preview/accept whose every call works ``rtf`` x max(audio,
    10 s) seconds of scaled time; it notes the meter's real-time factor when each call starts."""

    def __init__(self, meter: LoadMeter) -> None:
        self.meter = meter
        self.rtf = 0.05
        self.calls: list[tuple[str, float | None, float]] = []  # kind, meter rtf, our rtf
        self.lock = threading.Lock()

    def _work(self, kind: str, audio: np.ndarray, offset: float) -> Transcript:
        with self.lock:
            self.calls.append((kind, self.meter.rtf, self.rtf))
        time.sleep(self.rtf * max(audio.size / SR, 10.0) / SCALE)
        mid = offset + audio.size / SR / 2
        w = Word(f" w{len(self.calls)}", mid - 0.1, mid + 0.1, 0.9)
        return Transcript(text=w.text, segments=[Segment(w.text, w.start, w.end, (w,))])

    def preview(self, audio: np.ndarray, offset: float, after: str | None = None) -> Transcript:
        return self._work("preview", audio, offset)

    def accept(self, result: Transcript) -> None:
        pass

    def __call__(self, audio: np.ndarray, offset: float) -> Transcript:
        return self._work("call", audio, offset)


def test_slow_worker_drops_speculation_keeps_up_and_says_it_is_catching_up():
    config = LiveConfig.load()
    meter = LoadMeter(config, clock=scaled_clock)
    model = SlowModel(meter)
    lags: list[float] = []
    live = LiveTranscriber(model, config=config, meter=meter, on_lag=lags.append)
    audio = sentences(150.0, np.random.default_rng(7))
    block = SR // 10
    phases = {0.0: 0.05, 40.0: 2.5, 62.0: 0.7}  # idle machine, a stall, a busy machine
    lag_after_stall: list[float] = []
    for i in range(0, audio.size, block):
        t = i / SR
        if t in phases:
            model.rtf = phases[t]
        if t == 110.0:
            lag_after_stall.append(live.behind_s)
        live.feed(audio[i : i + block])
        time.sleep(0.1 / SCALE)
    result = live.finish(timeout=60)

    fast = [c for c in model.calls if c[2] == 0.05]
    assert any(kind == "preview" for kind, _, _ in fast), "speculation is on when idle"
    # no speculative pass starts once the measured real-time factor is above spec_max_rtf
    slow_previews = [c for c in model.calls if c[0] == "preview" and (c[1] or 0) > 0.5]
    assert not slow_previews, slow_previews
    assert meter.skipped_passes > 0 and meter.rtf is not None and meter.rtf > 0.5
    # the stall put it behind: the window was told, with how far; then it caught up
    assert max(lags) >= config.catch_up_s, lags
    assert lags[-1] == 0 and lag_after_stall == [0.0], (lags, lag_after_stall)
    # nothing dropped: the chunks cover the whole answer, each one transcribed once
    chunks = live.chunks
    assert chunks[0].start_s == 0 and chunks[-1].end_s == pytest.approx(audio.size / SR)
    assert all(a.end_s == b.start_s for a, b in zip(chunks, chunks[1:], strict=False))
    assert len(result.words) == sum(not c.skipped for c in chunks)


def test_meter_budget():
    config = LiveConfig()
    meter = LoadMeter(config)
    assert meter.rtf is None and meter.allows(25.0, 0.0)  # the first pass measures
    meter.record(20.0, 1.0)  # 0.05: an idle machine
    assert meter.rtf == pytest.approx(0.05)
    assert meter.predict(3.0) == pytest.approx(0.5)  # short calls cost a whole window's floor
    assert meter.allows(5.0, 10.0) and meter.allows(20.0, None)
    assert not meter.allows(5.0, 0.2)  # would still run when the next chunk is due
    for _ in range(6):
        meter.record(20.0, 14.0)  # 0.7: busy
    assert meter.rtf == pytest.approx(0.7, abs=0.02)
    assert not meter.allows(1.0, 20.0) and not meter.allows(1.0, None)
    assert meter.skipped_passes == 3
    assert meter.behind_s(30.0) == pytest.approx(8.0) and meter.behind_s(10.0) == 0
