"""Non-blocking, stoppable playback through an injected ``sounddevice``-like module."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .devices import resolve_output
from .resample import resample, to_mono
from .wavio import read_audio

log = logging.getLogger(__name__)


class PlaybackError(Exception):
    """The output device could not be opened; the message is meant for the user."""


class _Playback:
    """State of one play() call, shared with the PortAudio callback."""

    def __init__(self, samples: np.ndarray, rate: int, on_finished: Callable[[], None] | None):
        self.samples, self.rate, self.on_finished = samples, rate, on_finished
        self.pos = 0
        self.abort = False  # set by stop(); the callback then ends the stream at once
        self.done = threading.Event()
        self.stream = None


class Player:
    """Plays one mono signal at a time on ``device`` (name, index or None = default output).

    ``on_finished()`` is called once per play(), from a helper thread, when playback ends —
    naturally or by stop() or by a newer play().
    """

    def __init__(self, sd: Any, device: str | int | None = None) -> None:
        self._sd = sd
        self.device = device
        self._current: _Playback | None = None
        self._lock = threading.Lock()

    @property
    def is_playing(self) -> bool:
        cur = self._current
        return cur is not None and not cur.done.is_set()

    @property
    def position(self) -> float:
        """Seconds played of the current (or last) sound."""
        cur = self._current
        return cur.pos / cur.rate if cur is not None else 0.0

    @property
    def duration(self) -> float:
        cur = self._current
        return cur.samples.size / cur.rate if cur is not None else 0.0

    def play(
        self, samples: np.ndarray, rate: int, on_finished: Callable[[], None] | None = None
    ) -> None:
        """Start playing (stops whatever is playing); returns at once. Raises PlaybackError."""
        self.stop()
        dev = resolve_output(self._sd, self.device)
        x = to_mono(samples)
        rate = int(rate)
        if not self._rate_ok(dev.index, rate):
            target = int(dev.default_samplerate or 48000)
            x, rate = resample(x, rate, target), target
        pb = _Playback(x, rate, on_finished)

        def callback(outdata, frames, time_info, status) -> None:  # PortAudio thread
            if pb.abort:
                outdata[:] = 0
                raise self._sd.CallbackAbort
            chunk = pb.samples[pb.pos : pb.pos + frames]
            n = chunk.size
            outdata[:n, 0] = chunk
            if n < frames:
                outdata[n:] = 0
            pb.pos += n
            if n < frames:
                raise self._sd.CallbackStop

        try:
            pb.stream = self._sd.OutputStream(
                device=dev.index,
                samplerate=rate,
                channels=1,
                dtype="float32",
                callback=callback,
                finished_callback=pb.done.set,
            )
        except Exception as exc:
            raise PlaybackError(f"Could not open the speaker '{dev.name}': {exc}") from exc
        with self._lock:
            self._current = pb
        threading.Thread(target=self._reap, args=(pb,), name="rehearse-player", daemon=True).start()
        try:
            pb.stream.start()
        except Exception as exc:
            pb.done.set()
            raise PlaybackError(f"Could not start the speaker '{dev.name}': {exc}") from exc

    def play_file(self, path: Path, on_finished: Callable[[], None] | None = None) -> None:
        """Play an audio file at its own rate (raises UnreadableAudio / PlaybackError)."""
        samples, rate = read_audio(Path(path))
        self.play(samples, rate, on_finished)

    def stop(self) -> None:
        """Stop at once (drops buffered audio). Safe to call when nothing plays."""
        with self._lock:
            cur = self._current
        if cur is None or cur.done.is_set() or cur.stream is None:
            return
        cur.abort = True  # ends in the next callback (one block, a few ms)
        if not cur.done.wait(0.3):  # callbacks stalled (a back-end hiccup): abort from here
            try:
                cur.stream.abort()
            except Exception as exc:  # noqa: BLE001
                log.warning("aborting playback failed: %s", exc)
            cur.done.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the current sound ends; False on timeout."""
        cur = self._current
        return True if cur is None else cur.done.wait(timeout)

    def _rate_ok(self, index: int, rate: int) -> bool:
        check = getattr(self._sd, "check_output_settings", None)
        if check is None:
            return True
        try:
            check(device=index, channels=1, dtype="float32", samplerate=rate)
            return True
        except Exception:  # noqa: BLE001
            return False

    @staticmethod
    def _reap(pb: _Playback) -> None:
        """Wait for the end, notify, then close the stream off the PortAudio thread."""
        pb.done.wait()
        if pb.on_finished is not None:  # notify first: closing can be slow on some back-ends
            try:
                pb.on_finished()
            except Exception:  # noqa: BLE001
                log.exception("on_finished callback failed")
        try:
            pb.stream.close()
        except Exception as exc:  # noqa: BLE001
            log.warning("closing playback stream failed: %s", exc)
