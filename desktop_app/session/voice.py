"""Hands-free answers: how much speech an answer holds and how long it has been silent, from the
same voice-activity detector the live transcriber cuts at (transcription/vad.py, thresholds in
assets/live.toml).

Feed it the 16 kHz mono blocks the recorder hands the live transcriber; each call returns a
:class:`~desktop_app.session.round_io.Heard` for the round machine. The detector bridges gaps
between words and drops blips, and the machine only stops an answer once real speech was heard,
so a cough, a breath or a short pause never ends one.
"""

from __future__ import annotations

import numpy as np

from desktop_app.session.round_io import Heard
from desktop_app.transcription.vad import (
    FRAME_LEN,
    FRAME_S,
    FrameFeatures,
    VoiceActivityDetector,
    empty_features,
    frame_features,
)


class VoiceTracker:
    """Speech heard and trailing silence in one answer, updated block by block."""

    def __init__(self, detector: VoiceActivityDetector) -> None:
        self.detector = detector
        c = detector.config
        self._window = max(1, int(round(c.floor_window_s / FRAME_S)))  # frames judged together
        self._settle = int(round((c.bridge_s + c.pad_s) / FRAME_S)) + 1  # still open to change
        self._pending = np.zeros(0, dtype=np.float32)
        self._feats = empty_features()
        self._first = 0  # absolute index of _feats[0]
        self._final = 0  # frames before this have final decisions
        self._speech_frames = 0  # final speech frames
        self._last_speech = -1  # absolute index of the last final speech frame

    def feed(self, block: np.ndarray) -> Heard:
        """Add a block of 16 kHz mono float32 audio; the voice activity so far."""
        x = np.asarray(block, dtype=np.float32).reshape(-1)
        self._pending = np.concatenate([self._pending, x]) if self._pending.size else x
        n = self._pending.size // FRAME_LEN
        if n:
            new = frame_features(self._pending[: n * FRAME_LEN])
            self._pending = self._pending[n * FRAME_LEN:]
            self._feats = FrameFeatures.concat([self._feats, new])
        return self._update()

    def _update(self) -> Heard:
        total = self._first + len(self._feats)
        if total == 0:
            return Heard(0.0, 0.0)
        lo = max(0, len(self._feats) - self._window)
        speech = self.detector.classify(self._feats.slice(lo, len(self._feats)))
        base = self._first + lo  # absolute index of speech[0]
        settled = max(self._final, total - self._settle)
        for i in range(self._final, settled):
            if i >= base and speech[i - base]:
                self._speech_frames += 1
                self._last_speech = i
        self._final = settled
        last = self._last_speech
        tail = np.flatnonzero(speech[max(0, settled - base):])
        provisional = 0
        if tail.size:
            last = max(last, max(settled, base) + int(tail[-1]))
            provisional = int(tail.size)
        keep = max(0, len(self._feats) - self._window)  # forget what no window reaches
        if keep:
            self._feats = self._feats.slice(keep, len(self._feats))
            self._first += keep
        silence = (total - 1 - last) * FRAME_S if last >= 0 else total * FRAME_S
        return Heard(round((self._speech_frames + provisional) * FRAME_S, 3),
                     round(max(0.0, silence), 3))
