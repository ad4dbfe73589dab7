"""How fast the worker transcribes on this machine, right now, and what it can afford.

Every Whisper call the live path makes is timed (:meth:`LoadMeter.record`); the worker's
real-time factor (seconds of work per second of audio) is a moving average of those calls, and
a call's cost is predicted as ``rtf x max(audio, floor_s)`` (Whisper pads every call to a 30 s
window, so short calls cost more per second than long ones). Optional passes — speculative
tails and idle-time beam re-decodes — are allowed only when the committed chunks can afford
them: not while the worker is behind, not when its real-time factor leaves too little headroom,
and only if the pass is predicted to end before the next chunk is due. On a busy laptop they are
the first thing to go, so committed chunks keep up with the speech.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from desktop_app.transcription.live.config import LiveConfig

Clock = Callable[[], float]


class LoadMeter:
    """The worker's measured real-time factor and the budget for optional passes (thread-safe).

    ``clock`` (default ``time.perf_counter``) times the calls."""

    def __init__(self, config: LiveConfig, *, clock: Clock = time.perf_counter) -> None:
        self.config = config
        self.clock = clock
        self._rtf: float | None = None
        self._lock = threading.Lock()
        self.calls = 0
        self.skipped_passes = 0  # optional passes not started because the worker was too busy

    @property
    def rtf(self) -> float | None:
        """Seconds of work per second of audio (moving average), None before the first call."""
        return self._rtf

    def record(self, audio_s: float, took_s: float) -> None:
        """One Whisper call on ``audio_s`` seconds of audio took ``took_s`` seconds."""
        rtf = took_s / max(audio_s, self.config.rtf_floor_s)
        with self._lock:
            a = self.config.rtf_smoothing
            self._rtf = rtf if self._rtf is None else a * rtf + (1 - a) * self._rtf
            self.calls += 1

    def predict(self, audio_s: float) -> float:
        """Expected seconds for a call on ``audio_s`` of audio (0 before any measurement)."""
        return (self._rtf or 0.0) * max(audio_s, self.config.rtf_floor_s)

    def behind_s(self, pending_s: float) -> float:
        """Seconds of ``pending_s`` (audio not yet committed) past the point where a chunk was
        due (target_s + lookahead_s)."""
        return max(0.0, pending_s - self.config.target_s - self.config.lookahead_s)

    def allows(self, audio_s: float, due_in_s: float | None, *, share: float = 1.0) -> bool:
        """May an optional pass on ``audio_s`` of audio start now? ``due_in_s``: seconds of
        speech before the next chunk is due (None: a chunk is due and the pass may stand for
        it); ``share`` < 1 leaves more headroom (beam re-decodes)."""
        c, rtf = self.config, self._rtf
        ok = rtf is None or (
            rtf <= c.spec_max_rtf * share
            and (due_in_s is None or self.predict(audio_s) <= max(0.0, due_in_s) * share)
        )
        if not ok:
            with self._lock:
                self.skipped_passes += 1
        return ok
