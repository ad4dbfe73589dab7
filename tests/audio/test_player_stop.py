"""Stopping playback never blocks the caller (the GUI thread), on the real PortAudio stream.

The hang this guards against (issue 13, point 1): stopping a sound in its first ~1.5 s — Record,
Skip or Esc while the question is still being read — blocked the caller for good. The PulseAudio
null sink stalls a new stream's callbacks for up to ~1.5 s; ``Player.stop`` then called
``stream.abort()`` from the caller while the player's reaper thread, woken by the ending stream,
called ``stream.close()`` on the same stream: two threads in PortAudio's stream teardown at once,
and the abort never returned. No Qt here: a 5 s tone played with ``Player``, stopped 0.2–1.4 s in.
"""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from desktop_app.audio.player import Player
from tests.fixtures_audio import rms, tone

pytestmark = pytest.mark.audio

STOP_BOUND_S = 0.1  # generous: stop() only flags the stream; a frame is 16 ms


def timed_stop(player: Player, limit: float = 3.0) -> float | None:
    """Seconds ``player.stop()`` took, or None if it was still blocked after ``limit``."""
    took: list[float] = []

    def run() -> None:
        t0 = time.monotonic()
        player.stop()
        took.append(time.monotonic() - t0)

    caller = threading.Thread(target=run, name="stand-in-gui-thread", daemon=True)
    caller.start()
    caller.join(limit)
    return took[0] if took else None


class Watched:
    """The real ``sounddevice`` module, with every output stream's teardown calls noted: which
    were made, and whether the stream was still running when it was closed."""

    def __init__(self) -> None:
        import sounddevice

        self._sd = sounddevice
        self.calls: list[str] = []

    def __getattr__(self, name: str):
        return getattr(self._sd, name)

    def OutputStream(self, **kwargs):  # noqa: N802 (sounddevice API)
        stream, calls = self._sd.OutputStream(**kwargs), self.calls

        class Stream:
            def start(self) -> None:
                stream.start()

            def stop(self) -> None:
                calls.append("stop")
                stream.stop()

            def abort(self) -> None:
                calls.append("abort")
                stream.abort()

            def close(self) -> None:
                calls.append("close while running" if stream.active else "close")
                stream.close()

        return Stream()


@pytest.mark.parametrize("rate", [16000, 22050, 44100, 48000])
def test_stop_in_the_first_seconds_returns_at_once(virtual_audio, rate):
    sd = Watched()
    player = Player(sd)
    for delay in (0.2, 0.5, 0.9, 1.4):
        finished = threading.Event()
        player.play(tone(440.0, rate, 5.0, amplitude=0.3), rate, on_finished=finished.set)
        time.sleep(delay)
        took = timed_stop(player)
        assert took is not None, f"Player.stop() blocked for good ({rate} Hz, {delay} s in)"
        assert took < STOP_BOUND_S, f"stop() took {took:.3f} s ({rate} Hz, {delay} s in)"
        assert not player.is_playing
        assert finished.wait(1.0), "on_finished was not called after stop()"
    # every stream was really torn down, none left stuck; none aborted or closed while its
    # callback thread ran (on ALSA both cancel that thread, which can hang the process)
    assert player.close(timeout=10.0)
    assert player.stuck_streams == 0
    assert sorted(sd.calls) == ["close"] * 4 + ["stop"] * 4, sd.calls


def test_stopped_sound_goes_silent_and_the_next_one_plays(virtual_audio):
    import sounddevice as sd

    player = Player(sd)
    with virtual_audio.capture_output() as cap:
        player.play(tone(440.0, 22050, 5.0, amplitude=0.4), 22050)
        time.sleep(0.4)
        took = timed_stop(player)
        assert took is not None and took < STOP_BOUND_S
        time.sleep(2.5)  # longer than the sink's start-up stall: a leak would be heard here
        done = threading.Event()
        player.play(tone(880.0, 22050, 1.0, amplitude=0.4), 22050, on_finished=done.set)
        assert done.wait(6.0), "the next sound did not play to its end"
        time.sleep(0.2)
        heard = cap.stop()
    assert player.close(timeout=5.0)
    frames = heard[: heard.size // 1600 * 1600].reshape(-1, 1600)  # 100 ms frames at 16 kHz
    loud = np.sqrt(np.mean(frames**2, axis=1)) > 0.05
    # the 880 Hz second: at least 0.8 s of it heard
    assert loud.sum() >= 8, loud.astype(int)
    # the first tone was cut: far less than its 5 s reached the speaker
    first_loud = np.flatnonzero(loud)
    assert first_loud.size < 40, first_loud.size
    assert rms(heard) > 0.01


class _WedgedOutput:
    """A ``sounddevice`` stand-in whose streams never call back and whose stop() never returns:
    a wedged audio back-end cannot be produced on demand, so this is the one fake here (the real
    stream is tested above). It records every stream call: abort() must never be used."""

    class CallbackAbort(Exception):
        pass

    class CallbackStop(Exception):
        pass

    default = type("Default", (), {"device": [-1, 0]})()

    def __init__(self) -> None:
        self.release = threading.Event()  # lets the wedged stop() go at the end of the test
        self.calls: list[str] = []

    @staticmethod
    def query_devices(*_a, **_k):
        return [{"name": "Wedged speaker", "index": 0, "hostapi": 0, "max_input_channels": 0,
                 "max_output_channels": 2, "default_samplerate": 48000.0}]

    @staticmethod
    def query_hostapis(_index=None):
        return {"name": "Fake"}

    def OutputStream(self, **_kwargs):  # noqa: N802 (sounddevice API)
        calls, release = self.calls, self.release
        calls.append("open")

        class Stream:
            def start(self) -> None:
                calls.append("start")

            def stop(self) -> None:
                calls.append("stop")
                release.wait()

            def abort(self) -> None:
                calls.append("abort")

            def close(self) -> None:
                calls.append("close")

        return Stream()


def test_a_wedged_stream_is_abandoned_and_reported_never_aborted():
    sd = _WedgedOutput()
    reports: list[str] = []
    player = Player(sd, on_stuck=reports.append, stuck_after=0.5, end_grace=0.3)
    try:
        finished = threading.Event()
        player.play(np.zeros(48000, np.float32), 48000, on_finished=finished.set)
        took = timed_stop(player)
        assert took is not None and took < STOP_BOUND_S
        assert finished.wait(1.0) and not player.is_playing
        deadline = time.monotonic() + 3.0
        while not reports and time.monotonic() < deadline:
            time.sleep(0.02)
        assert player.stuck_streams == 1
        assert reports and "stopped responding" in reports[0]
        # never cancelled from outside, never closed while it may still run
        assert sd.calls == ["open", "start", "stop"]
        # the app carries on: the next sound opens a new stream at once
        t0 = time.monotonic()
        player.play(np.zeros(480, np.float32), 48000)
        assert time.monotonic() - t0 < STOP_BOUND_S and sd.calls.count("open") == 2
        assert player.is_playing
        t0 = time.monotonic()
        assert player.close(timeout=0.3) is False  # shutdown waits a bounded time, then goes
        assert time.monotonic() - t0 < 1.0
    finally:
        sd.release.set()
    assert player.close(timeout=2.0)
    assert "abort" not in sd.calls and sd.calls.count("close") == 2
