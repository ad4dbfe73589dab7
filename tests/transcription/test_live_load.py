"""The live path under load: it measures its real-time factor, drops speculation when the
worker is slow, keeps committed chunks up with the speech and says when it is catching up.

The engine is a stand-in that works for ``rtf x audio`` seconds (a Whisper call on a busy
machine cannot be produced on demand); time runs ``SCALE`` times faster than the wall clock for
both the feed and the LoadMeter's clock, so 150 s of speech take 15 s. The real engine's figures
under real load are in bench/stop_latency.py --load N.
"""

from __future__ import annotations

import dataclasses
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


def sentences(
    seconds: float, rng: np.random.Generator, pause: tuple[float, float] = (0.6, 1.0)
) -> np.ndarray:
    """Voice-like sentences of 3-6 s with pauses (0.6-1.0 s) between them."""
    out: list[np.ndarray] = []
    while sum(map(len, out)) < seconds * SR:
        out.append(syllables(rng.uniform(3.0, 6.0), rng))
        out.append(np.zeros(int(rng.uniform(*pause) * SR), np.float32))
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


class RefiningModel(SlowModel):
    """SlowModel with ``refine`` (a beam re-decode): its words say ``R`` and it takes
    ``refine_s`` scaled seconds."""

    purpose = "live"

    def __init__(self, meter: LoadMeter) -> None:
        super().__init__(meter)
        self.refine_s = 0.5
        self.refines: list[float] = []

    def refine(self, audio: np.ndarray, offset: float, *, before: str) -> Transcript:
        self.refines.append(offset)
        time.sleep(self.refine_s / SCALE)
        mid = offset + audio.size / SR / 2
        w = Word(" R", mid - 0.1, mid + 0.1, 0.9)
        return Transcript(text=w.text, segments=[Segment(w.text, w.start, w.end, (w,))])


def run_refining(model: RefiningModel, live: LiveTranscriber, seconds: float) -> np.ndarray:
    # thinking pauses: the speculative chain covers the tail for a while, "stop" would need no
    # call, so the worker is free for a re-decode
    audio = sentences(seconds, np.random.default_rng(11), pause=(2.0, 3.0))
    block = SR // 10
    for i in range(0, audio.size, block):
        live.feed(audio[i : i + block])
        time.sleep(0.1 / SCALE)
    return audio


def refining(cls: type[RefiningModel]) -> tuple[RefiningModel, LiveTranscriber]:
    """A model of class ``cls`` and a live transcriber on the scaled clock; a loaded test
    machine adds thread wake-up time to every (scaled) call, so longer passes are allowed."""
    config = dataclasses.replace(LiveConfig.load(), refine_max_pass_s=10.0)
    meter = LoadMeter(config, clock=scaled_clock)
    model = cls(meter)
    return model, LiveTranscriber(model, config=config, meter=meter)


def test_idle_time_re_decodes_replace_committed_chunks():
    model, live = refining(RefiningModel)
    run_refining(model, live, 75.0)
    assert live.wait_idle(30)
    result = live.finish(timeout=30)
    refined = [c for c in live.chunks if c.refined]
    assert model.refines and refined, live.chunks
    assert [w.text.strip() for w in result.words].count("R") == len(refined)
    assert live.refiner.used == len(refined) <= live.refiner.passes


def test_a_re_decode_running_at_stop_is_not_waited_for():
    model, live = refining(RefiningModel)
    model.refine_s = 20.0  # predicted as a quick pass; takes 20 s of scaled time (2 s wall)
    run_refining(model, live, 45.0)
    deadline = time.monotonic() + 10
    while live.refiner.job is None and time.monotonic() < deadline:
        live.feed(np.zeros(SR // 10, np.float32))  # the candidate pauses before Stop
        time.sleep(0.1 / SCALE)
    assert live.refiner.job is not None
    began = time.monotonic()
    result = live.finish(timeout=30)
    assert time.monotonic() - began < 1.0  # the 2 s re-decode was not waited for
    # the pass in flight is dropped (its chunk keeps the greedy text); finished ones are used
    assert live.refiner.passes == len(model.refines) - 1
    assert [w.text.strip() for w in result.words].count("R") == live.refiner.used


def test_a_re_decode_that_gave_way_is_tried_again():
    """Through an EngineHost a re-decode runs at idle priority and any other request interrupts
    it (tests/transcription/test_host.py, real Whisper); the chunk goes back in the queue."""
    from desktop_app.transcription.engines import DecodeCancelled

    class GivesWayOnce(RefiningModel):
        def refine(self, audio: np.ndarray, offset: float, *, before: str) -> Transcript:
            if not self.refines:
                self.refines.append(offset)
                raise DecodeCancelled("a committed chunk came")
            return super().refine(audio, offset, before=before)

    model, live = refining(GivesWayOnce)
    run_refining(model, live, 75.0)
    assert live.wait_idle(30)
    live.finish(timeout=30)
    refined = [c for c in live.chunks if c.refined]
    assert live.refiner.interrupted == 1
    assert model.refines[0] == model.refines[1]  # the same chunk, again
    assert refined and refined[0].audio_start_s == pytest.approx(model.refines[0])
