"""Voice-activity detection for 16 kHz mono audio, numpy only.

A loudness threshold alone finds no pauses in noisy audio, so each 30 ms frame is judged on:

- its energy relative to an *adaptive noise floor* (a low percentile of the frame energies in a
  ~10 s window around it, so the floor follows the room and the microphone; frames of digital
  silence — exact zeros, which no real microphone produces — are left out of it);
- its *spectral flatness* (noise is flat, voiced speech is peaky) and *zero-crossing rate* (hiss
  crosses zero far more often than voice): a frame only moderately above the floor counts as speech
  only if it also looks like voice; a frame far above the floor counts regardless;
- then smoothing: short gaps inside speech are bridged (hangover), isolated blips are dropped and
  speech regions are padded, so pauses found here fall between words, never inside one.

:func:`find_cut` picks where to cut a stream into chunks: the longest pause nearest a target time.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np

SAMPLE_RATE = 16000
FRAME_LEN = 480  # 30 ms at 16 kHz
FRAME_S = FRAME_LEN / SAMPLE_RATE
_NFFT = 512
_SILENT_DB = -120.0  # energy reported for digital silence


@dataclass(frozen=True)
class VadConfig:
    """Detector thresholds (defaults mirror assets/live.toml, where their sources are noted)."""

    margin_db: float = 9.0  # above the floor: speech if it also looks like voice
    strong_margin_db: float = 24.0  # above the floor: speech whatever the spectrum
    min_speech_db: float = -58.0  # absolute dBFS below which nothing is speech
    min_floor_db: float = -75.0  # the floor never goes below this (digital silence)
    floor_percentile: float = 10.0
    floor_window_s: float = 10.0
    max_flatness: float = 0.40  # spectral flatness (0 tonal .. 1 white noise) of voice
    max_zcr: float = 0.35  # zero crossings per sample of voice
    bridge_s: float = 0.21  # gaps shorter than this inside speech are speech (hangover)
    min_speech_s: float = 0.06  # speech runs shorter than this are blips
    pad_s: float = 0.09  # speech regions grow by this on both sides

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VadConfig:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown VAD setting(s): {', '.join(unknown)}")
        return cls(**{k: float(v) for k, v in data.items()})


@dataclass(frozen=True)
class FrameFeatures:
    """Per-frame measurements: energy (dBFS), spectral flatness (0..1), zero-crossing rate."""

    energy_db: np.ndarray
    flatness: np.ndarray
    zcr: np.ndarray

    def __len__(self) -> int:
        return int(self.energy_db.size)

    def slice(self, start: int, stop: int) -> FrameFeatures:
        return FrameFeatures(
            self.energy_db[start:stop], self.flatness[start:stop], self.zcr[start:stop]
        )

    @staticmethod
    def concat(parts: list[FrameFeatures]) -> FrameFeatures:
        if not parts:
            return empty_features()
        return FrameFeatures(
            np.concatenate([p.energy_db for p in parts]),
            np.concatenate([p.flatness for p in parts]),
            np.concatenate([p.zcr for p in parts]),
        )


def empty_features() -> FrameFeatures:
    z = np.zeros(0, dtype=np.float32)
    return FrameFeatures(z, z, z)


_WINDOW = np.hanning(FRAME_LEN).astype(np.float32)
_FREQS = np.fft.rfftfreq(_NFFT, 1.0 / SAMPLE_RATE)
_BAND = (_FREQS >= 150.0) & (_FREQS <= 4000.0)  # where voice has its harmonics


def frame_features(samples: np.ndarray) -> FrameFeatures:
    """Measure every complete 30 ms frame of ``samples`` (a trailing partial frame is ignored)."""
    x = np.asarray(samples, dtype=np.float32).reshape(-1)
    n = x.size // FRAME_LEN
    if n == 0:
        return empty_features()
    frames = x[: n * FRAME_LEN].reshape(n, FRAME_LEN)
    power = np.mean(frames.astype(np.float64) ** 2, axis=1)
    energy = np.where(power > 1e-12, 10.0 * np.log10(np.maximum(power, 1e-12)), _SILENT_DB)
    spec = np.abs(np.fft.rfft(frames * _WINDOW, n=_NFFT, axis=1)[:, _BAND]) ** 2 + 1e-12
    flat = np.exp(np.mean(np.log(spec), axis=1)) / np.mean(spec, axis=1)
    signs = np.signbit(frames)
    zcr = np.count_nonzero(signs[:, 1:] != signs[:, :-1], axis=1) / (FRAME_LEN - 1)
    return FrameFeatures(
        energy.astype(np.float32), flat.astype(np.float32), zcr.astype(np.float32)
    )


def _runs(mask: np.ndarray, value: bool) -> list[tuple[int, int]]:
    """[start, stop) index ranges where ``mask == value``."""
    m = np.concatenate([[False], mask.astype(bool) == value, [False]]).astype(np.int8)
    edges = np.flatnonzero(np.diff(m))
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def speech_regions(speech: np.ndarray) -> list[tuple[int, int]]:
    """Frame ranges [start, stop) of speech."""
    return _runs(np.asarray(speech, dtype=bool), True)


def pause_regions(speech: np.ndarray) -> list[tuple[int, int]]:
    """Frame ranges [start, stop) of non-speech."""
    return _runs(np.asarray(speech, dtype=bool), False)


class VoiceActivityDetector:
    """Classifies 30 ms frames as speech or not (see the module docstring for how)."""

    def __init__(self, config: VadConfig | None = None) -> None:
        self.config = config or VadConfig()

    def noise_floor(self, energy_db: np.ndarray) -> np.ndarray:
        """Per-frame noise floor (dBFS): a low percentile of the energies in a window around it."""
        c = self.config
        n = energy_db.size
        floor = np.empty(n, dtype=np.float32)
        half = max(1, int(round(c.floor_window_s / FRAME_S / 2)))
        step = max(1, int(round(1.0 / FRAME_S)))  # one floor value per second of frames
        for b in range(0, n, step):
            mid = b + step // 2
            lo, hi = max(0, mid - half), min(n, mid + half)
            window = energy_db[lo:hi]
            window = window[window > c.min_floor_db]  # digital silence is no noise sample
            level = np.percentile(window, c.floor_percentile) if window.size else c.min_floor_db
            floor[b : b + step] = level
        return np.maximum(floor, c.min_floor_db)

    def raw_decisions(self, feats: FrameFeatures) -> np.ndarray:
        """Frame-by-frame speech decisions before smoothing."""
        c = self.config
        if len(feats) == 0:
            return np.zeros(0, dtype=bool)
        above = feats.energy_db - self.noise_floor(feats.energy_db)
        voice_like = (feats.flatness <= c.max_flatness) & (feats.zcr <= c.max_zcr)
        loud_enough = feats.energy_db >= c.min_speech_db
        return loud_enough & (
            (above >= c.strong_margin_db) | ((above >= c.margin_db) & voice_like)
        )

    def classify(self, feats: FrameFeatures) -> np.ndarray:
        """Smoothed speech decisions, one bool per frame."""
        c = self.config
        speech = self.raw_decisions(feats).copy()
        n = speech.size
        bridge = int(round(c.bridge_s / FRAME_S))
        for a, b in pause_regions(speech):
            if 0 < a and b < n and b - a < bridge:  # a gap between two speech runs
                speech[a:b] = True
        blip = int(round(c.min_speech_s / FRAME_S))
        for a, b in speech_regions(speech):
            if b - a < blip:
                speech[a:b] = False
        pad = int(round(c.pad_s / FRAME_S))
        if pad:
            out = speech.copy()
            for a, b in speech_regions(speech):
                out[max(0, a - pad) : min(n, b + pad)] = True
            speech = out
        return speech

    def speech_frames(self, samples: np.ndarray) -> np.ndarray:
        """Smoothed per-frame speech decisions for a whole signal."""
        return self.classify(frame_features(samples))


def find_cut(
    speech: np.ndarray,
    target_s: float,
    *,
    earliest_s: float = 0.0,
    latest_s: float | None = None,
    min_pause_s: float = 0.12,
    long_pause_s: float | None = None,
    distance_weight: float = 0.25,
    energy_db: np.ndarray | None = None,
    force: bool = False,
) -> float | None:
    """The best place (seconds from the start of ``speech``) to cut, or None.

    Candidates are pauses of at least ``min_pause_s`` whose middle lies in
    [earliest_s, latest_s] (pauses of at least ``long_pause_s`` also before ``earliest_s``, so a
    long silence becomes a cut rather than the inside of a chunk); a pause still running at the end
    of ``speech`` counts with the length seen so far. Lengths are after the detector's padding.
    Each scores ``length_s - distance_weight * |middle - target_s|`` (longest pause nearest the
    target wins) and the cut goes in its middle, so it never splits a word.
    With no candidate, returns None — unless ``force``, when it cuts at the quietest frame in the
    range (``energy_db`` per frame), or at ``latest_s`` if no energies are given.
    """
    speech = np.asarray(speech, dtype=bool)
    n = speech.size
    lo = max(0, int(np.ceil(earliest_s / FRAME_S)))
    hi = n if latest_s is None else min(n, int(np.floor(latest_s / FRAME_S)))
    if hi < lo or n == 0:
        return None
    min_len = max(1, int(round(min_pause_s / FRAME_S)))
    best: tuple[float, int] | None = None
    for a, b in pause_regions(speech):
        if b - a < min_len:
            continue
        mid = (a + b) // 2
        is_long = long_pause_s is not None and (b - a) * FRAME_S >= long_pause_s
        if mid > hi or (mid < lo and not is_long):
            continue
        score = (b - a) * FRAME_S - distance_weight * abs(mid * FRAME_S - target_s)
        if best is None or score > best[0]:
            best = (score, mid)
    if best is not None:
        return best[1] * FRAME_S
    if not force:
        return None
    if energy_db is not None and hi > lo:
        e = np.asarray(energy_db, dtype=np.float64)[lo:hi]
        smooth = np.convolve(e, np.ones(3) / 3.0, mode="same") if e.size >= 3 else e
        return (lo + int(np.argmin(smooth))) * FRAME_S
    return hi * FRAME_S
