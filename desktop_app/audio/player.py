"""Non-blocking, stoppable playback through an injected ``sounddevice``-like module."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .devices import resolve_output
from .resample import resample, to_mono
from .wavio import read_audio

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)


class PlaybackError(Exception):
    """The output device could not be opened; the message is meant for the user."""


class _Playback:
    """State of one play() call, shared with the PortAudio callback and its reaper thread.

    ``ended`` is the end the user sees (natural end, stop(), a newer play()); ``finished`` is
    PortAudio's own end of the stream. Only the reaper thread touches the stream after start().
    """

    def __init__(self, samples: np.ndarray, rate: int, on_finished: Callable[[], None] | None,
                 start: int = 0):
        self.samples, self.rate, self.on_finished = samples, rate, on_finished
        self.pos = start  # the next frame the callback hands to PortAudio
        self.anchor = start  # the frame of the last start or seek: nothing before it is heard
        self.seek_to: int | None = None  # set by seek(); the callback moves pos there
        self.latency = 0.0  # the stream's output latency (s): frames handed out, not yet heard
        self.abort = False  # set by stop(); the callback then ends the stream at once
        self.ended = threading.Event()
        self.finished = threading.Event()
        self.stream: Any = None

    def stream_finished(self) -> None:  # PortAudio's finished_callback
        self.finished.set()
        self.ended.set()


class Player:
    """Plays one mono signal at a time on ``device`` (name, index or None = default output).

    ``on_finished()`` is called once per play(), from a helper thread, when playback ends —
    naturally or by stop() or by a newer play(). ``stop()`` never waits for PortAudio: it flags
    the sound, whose callback then ends the stream; the sound's own reaper thread notifies and
    closes the stream once PortAudio says it has ended.

    Two rules, each learnt from a hang. One thread per stream touches it after start() (an
    ``abort()`` from the caller racing the reaper's ``close()`` hung for good). And a stream is
    never aborted, nor closed while its callback thread runs: on ALSA both cancel that thread
    (``pthread_cancel``), and a thread cancelled while it waits for Python's GIL dies holding
    the GIL's mutex, which hangs the whole process. So the reaper waits up to ``end_grace``
    seconds for the stream to end (PulseAudio can hold a new stream's first blocks ~2 s), then
    calls ``stop()``, which joins the callback thread without cancelling it, then ``close()``.
    A teardown call that does not return within ``stuck_after`` seconds is abandoned: the stream
    is left to its thread, ``stuck_streams`` counts it and ``on_stuck(message)`` reports it.
    """

    def __init__(
        self,
        sd: Any,
        device: str | int | None = None,
        *,
        on_stuck: Callable[[str], None] | None = None,
        stuck_after: float = 3.0,
        end_grace: float = 2.5,
    ) -> None:
        self._sd = sd
        self.device = device
        self.on_stuck = on_stuck
        self.stuck_after = float(stuck_after)
        self.end_grace = float(end_grace)
        self.stuck_streams = 0
        self._current: _Playback | None = None
        self._reapers: list[threading.Thread] = []
        self._lock = threading.Lock()

    @property
    def is_playing(self) -> bool:
        cur = self._current
        return cur is not None and not cur.ended.is_set()

    @property
    def position(self) -> float:
        """Seconds into the current (or last) sound, from the stream itself: the frames its
        callback has handed to PortAudio, less the stream's output latency (what is still
        buffered), never before the last start or seek; the whole length once it played out."""
        cur = self._current
        if cur is None:
            return 0.0
        if cur.finished.is_set() and cur.pos >= cur.samples.size:
            return cur.samples.size / cur.rate  # played out: PortAudio drained its buffer
        heard = max(cur.anchor, cur.pos - int(cur.latency * cur.rate))
        return min(heard, cur.samples.size) / cur.rate

    def seek(self, seconds: float) -> bool:
        """Move the playing sound to ``seconds`` (clamped to its length); the callback jumps
        there in its next block. False when nothing plays (then play(start=…) instead)."""
        cur = self._current
        if cur is None or cur.ended.is_set():
            return False
        frame = int(min(max(0.0, seconds), cur.samples.size / cur.rate) * cur.rate)
        cur.anchor = frame
        cur.seek_to = frame
        return True

    @property
    def duration(self) -> float:
        cur = self._current
        return cur.samples.size / cur.rate if cur is not None else 0.0

    def play(
        self, samples: np.ndarray, rate: int, on_finished: Callable[[], None] | None = None,
        start: float = 0.0,
    ) -> None:
        """Start playing (stops whatever is playing) from ``start`` seconds; returns at once.
        Raises PlaybackError."""
        self.stop()
        dev = resolve_output(self._sd, self.device)
        x = to_mono(samples)
        rate = int(rate)
        if not self._rate_ok(dev.index, rate):
            target = int(dev.default_samplerate or 48000)
            x, rate = resample(x, rate, target), target
        pb = _Playback(x, rate, on_finished, int(min(max(0.0, start) * rate, x.size)))

        def callback(outdata, frames, time_info, status) -> None:  # PortAudio thread
            if pb.abort:
                outdata[:] = 0
                raise self._sd.CallbackAbort
            target = pb.seek_to
            if target is not None:
                pb.seek_to = None
                pb.pos = target
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
                finished_callback=pb.stream_finished,
            )
        except Exception as exc:
            raise PlaybackError(f"Could not open the speaker '{dev.name}': {exc}") from exc
        try:  # known once the stream is open; read before start(), while no thread runs it
            pb.latency = max(0.0, min(1.0, float(pb.stream.latency)))
        except (AttributeError, TypeError, ValueError):
            pb.latency = 0.0
        try:
            pb.stream.start()
        except Exception as exc:
            pb.ended.set()
            self._watched("close", pb.stream.close)  # it never started: nothing runs
            raise PlaybackError(f"Could not start the speaker '{dev.name}': {exc}") from exc
        with self._lock:
            self._current = pb
            self._reapers = [t for t in self._reapers if t.is_alive()]
            reaper = threading.Thread(target=self._reap, args=(pb,), name="rehearse-player",
                                      daemon=True)
            self._reapers.append(reaper)
        reaper.start()

    def play_file(self, path: Path, on_finished: Callable[[], None] | None = None,
                  start: float = 0.0) -> None:
        """Play an audio file at its own rate (raises UnreadableAudio / PlaybackError)."""
        samples, rate = read_audio(Path(path))
        self.play(samples, rate, on_finished, start)

    def stop(self) -> None:
        """Stop now (drops buffered audio); returns at once, never waits for the audio system.
        Safe to call from any thread, and when nothing plays."""
        with self._lock:
            cur = self._current
        if cur is None or cur.ended.is_set():
            return
        cur.abort = True  # the callback ends the stream in its next block
        cur.ended.set()  # the reaper notifies, then closes the stream once it has ended

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the current sound ends; False on timeout."""
        cur = self._current
        return True if cur is None else cur.ended.wait(timeout)

    def close(self, timeout: float = 2.0) -> bool:
        """Stop and wait up to ``timeout`` s for every stream to be torn down (shutdown).
        False if one is still busy (it is left to its daemon thread)."""
        self.stop()
        deadline = time.monotonic() + max(0.0, timeout)
        with self._lock:
            reapers = list(self._reapers)
        for t in reapers:
            t.join(max(0.0, deadline - time.monotonic()))
        return not any(t.is_alive() for t in reapers)

    def _rate_ok(self, index: int, rate: int) -> bool:
        check = getattr(self._sd, "check_output_settings", None)
        if check is None:
            return True
        try:
            check(device=index, channels=1, dtype="float32", samplerate=rate)
            return True
        except Exception:  # noqa: BLE001
            return False

    # ---- reaper thread -------------------------------------------------------------------------
    def _reap(self, pb: _Playback) -> None:
        """Wait for the end, notify, then tear the stream down off the caller's thread."""
        pb.ended.wait()
        if pb.on_finished is not None:  # notify first: teardown can be slow on some back-ends
            try:
                pb.on_finished()
            except Exception:  # noqa: BLE001
                log.exception("on_finished callback failed")
        # The callback ends the stream in its next block (CallbackAbort after stop(),
        # CallbackStop at the end); callbacks can stall for a while on a new PulseAudio stream.
        # PortAudio calls "finished" from the callback thread before that thread is gone, so
        # stop() (which joins it, never cancels it) always comes before close().
        pb.finished.wait(self.end_grace)
        if self._watched("stop", pb.stream.stop):
            self._watched("close", pb.stream.close)
        # else stuck or failed: leave the stream to its thread, never close a running one

    def _watched(self, what: str, call: Callable[[], Any]) -> bool:
        """Run one teardown call on this thread; report it stuck if it outlasts stuck_after.
        False if it raised."""
        watchdog = threading.Timer(self.stuck_after, self._report_stuck, (what,))
        watchdog.daemon = True
        watchdog.start()
        try:
            call()
            return True
        except Exception as exc:  # noqa: BLE001
            log.warning("%s of the playback stream failed: %s", what, exc)
            return False
        finally:
            watchdog.cancel()

    def _report_stuck(self, what: str) -> None:
        with self._lock:
            self.stuck_streams += 1
        message = (f"The speaker stopped responding ({what} of an audio stream took over "
                   f"{self.stuck_after:.0f} s); Rehearse left it behind and carries on. If "
                   "you hear nothing, check the output device or restart the app.")
        log.warning(message)
        if self.on_stuck is not None:
            try:
                self.on_stuck(message)
            except Exception:  # noqa: BLE001
                log.exception("on_stuck callback failed")
