"""The live worker's view of the stream: audio not yet committed, its voice-activity frames.

:class:`AudioStream` appends the recorder's blocks, measures each 30 ms frame once for the
voice-activity detector, answers "where is the speech in [start, end)?" and frees what no later
chunk needs as the commit point ``p0`` moves on. Sample indices are absolute (on the recording).
Owned by the worker thread; nothing here locks.
"""

from __future__ import annotations

import numpy as np

from desktop_app.transcription.live.config import LiveConfig
from desktop_app.transcription.vad import (
    FRAME_LEN,
    FRAME_S,
    SAMPLE_RATE,
    FrameFeatures,
    VoiceActivityDetector,
    empty_features,
    frame_features,
)

# (a, b, v0, v1): audio to send [a, b) and the detected speech inside it [v0, v1)
SpeechSpan = tuple[int, int, int, int]


class AudioStream:
    """Audio from the commit point ``p0`` on, with per-frame features for the VAD."""

    def __init__(self, config: LiveConfig) -> None:
        self.config = config
        self._vad = VoiceActivityDetector(config.vad)
        self._buf = np.zeros(0, dtype=np.float32)
        self._buf_start = 0  # absolute sample index of _buf[0]
        self.total = 0  # samples appended so far
        self._feats = empty_features()
        self._feat_start = 0  # absolute frame index of _feats[0]
        self.p0 = 0  # first sample not yet transcribed or skipped (frame-aligned)

    @property
    def pending_s(self) -> float:
        """Seconds appended but not yet committed."""
        return (self.total - self.p0) / SAMPLE_RATE

    def append(self, blocks: list[np.ndarray]) -> None:
        new = np.concatenate(blocks)
        self._buf = np.concatenate([self._buf, new]) if self._buf.size else new
        self.total += new.size
        done = self._feat_start + len(self._feats)  # frames measured so far
        first = done * FRAME_LEN - self._buf_start
        feats = frame_features(self._buf[first:])
        if len(feats):
            self._feats = FrameFeatures.concat([self._feats, feats])

    def audio(self, a: int, b: int) -> np.ndarray:
        """Samples [a, b) as a contiguous array (a >= p0)."""
        return np.ascontiguousarray(self._buf[a - self._buf_start : b - self._buf_start])

    def decisions(self) -> np.ndarray:
        """Speech decisions for each complete frame from p0 on (earlier frames give context)."""
        p0f = self.p0 // FRAME_LEN
        ctx = min(p0f - self._feat_start, int(self.config.vad.floor_window_s / 2 / FRAME_S))
        lo = p0f - ctx - self._feat_start
        return self._vad.classify(self._feats.slice(lo, len(self._feats)))[ctx:]

    def energy_db(self) -> np.ndarray:
        """Frame energies from p0 on (for choosing among pauses)."""
        return self._feats.energy_db[self.p0 // FRAME_LEN - self._feat_start :]

    def speech_span(
        self, start: int, end: int, speech: np.ndarray, origin: int | None = None
    ) -> SpeechSpan | None:
        """(a, b, v0, v1): audio to send [a, b) and detected speech [v0, v1) in [start, end).

        ``speech`` holds the decisions from ``origin`` on (default: from ``start``); None when
        there is less than ``min_speech_s`` of speech."""
        c = self.config
        origin = start if origin is None else origin
        f0 = (start - origin) // FRAME_LEN
        f1 = min(speech.size, (end - origin) // FRAME_LEN)
        voiced = np.flatnonzero(speech[f0:f1]) + f0 if f1 > f0 else np.zeros(0, dtype=int)
        if voiced.size * FRAME_S < c.min_speech_s:
            return None
        pad = int(round(c.trim_pad_s * SAMPLE_RATE))
        v0 = origin + int(voiced[0]) * FRAME_LEN
        v1 = origin + (int(voiced[-1]) + 1) * FRAME_LEN
        return max(start, v0 - pad), min(end, v1 + pad), v0, v1

    def advance(self, end: int) -> None:
        """Move p0 to ``end`` and free audio and features no later chunk needs (features keep
        the noise floor's context)."""
        self.p0 = end
        drop = end - self._buf_start
        if drop > 0:
            self._buf = self._buf[drop:].copy()
            self._buf_start = end
        keep_from = end // FRAME_LEN - int(self.config.vad.floor_window_s / 2 / FRAME_S)
        cut = keep_from - self._feat_start
        if cut > 0:
            self._feats = self._feats.slice(cut, len(self._feats))
            self._feat_start = keep_from
