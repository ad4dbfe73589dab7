"""The live path's settings (:class:`LiveConfig`, from assets/live.toml) and records."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from desktop_app.domain import Transcript
from desktop_app.transcription.decoding import read_toml
from desktop_app.transcription.vad import VadConfig

TranscribeFn = Callable[[np.ndarray, float], Transcript]
STATES = ("listening", "transcribing", "catching up", "done")


class LiveTranscriptionError(RuntimeError):
    """Transcribing a chunk failed; the recording itself is unaffected (transcribe the file)."""


@dataclass(frozen=True)
class LiveConfig:
    """Chunking and filtering thresholds (assets/live.toml notes where each comes from)."""

    target_s: float = 20.0
    max_s: float = 28.0
    min_s: float = 8.0
    lookahead_s: float = 2.0
    min_pause_s: float = 0.12
    long_pause_s: float = 1.5
    distance_weight: float = 0.25
    min_speech_s: float = 0.25
    trim_pad_s: float = 0.25
    word_tolerance_s: float = 0.3
    no_speech_prob: float = 0.6
    low_word_probability: float = 0.5
    min_speech_share: float = 0.5
    spec_pause_s: float = 0.3  # speculate on the tail once it ends in this much quiet (0 = off)
    catch_up_s: float = 3.0  # say "Catching up… N s behind" past this much overdue audio
    thread_round_up: float = 0.5  # a second Whisper thread once this much of a core is free
    spec_max_rtf: float = 0.5  # no optional passes when the worker's real-time factor is above
    rtf_floor_s: float = 10.0  # a call costs at least this many seconds of audio (30 s window)
    rtf_smoothing: float = 0.5  # weight of the newest call in the moving real-time factor
    refine_max_pass_s: float = 10.0  # idle-time beam re-decodes predicted longer are not run
    refine_share: float = 0.5  # re-decodes need this much more headroom than speculation
    beam_cost: float = 2.5  # a beam re-decode costs this many greedy calls
    refine_min_words: float = 0.9  # a re-decode that kept fewer words than this share is dropped
    vad: VadConfig = field(default_factory=VadConfig)

    @classmethod
    def load(cls, path: Path | None = None) -> LiveConfig:
        """Read a live.toml (default: the bundled assets/live.toml); raises ValueError if bad."""
        path, data = read_toml(path, "live.toml", "live transcription settings")
        flat: dict[str, Any] = {
            **data.get("chunks", {}),
            **data.get("filter", {}),
            **data.get("speculation", {}),
            **data.get("load", {}),
            **data.get("refine", {}),
        }
        known = {f.name for f in fields(cls)} - {"vad"}
        unknown = sorted(set(flat) - known)
        if unknown:
            raise ValueError(f"{path}: unknown setting(s): {', '.join(unknown)}")
        try:
            vad = VadConfig.from_dict(data.get("vad", {}))
            cfg = cls(**{k: float(v) for k, v in flat.items()}, vad=vad)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: {exc}") from exc
        if not 0 < cfg.min_s <= cfg.target_s < cfg.max_s <= 30.0:
            raise ValueError(f"{path}: need 0 < min_s <= target_s < max_s <= 30 (Whisper's window)")
        if 0 < cfg.spec_pause_s <= cfg.trim_pad_s:
            raise ValueError(f"{path}: spec_pause_s must be 0 (off) or more than trim_pad_s")
        return cfg


@dataclass(frozen=True)
class ChunkInfo:
    """One piece of the recording the worker handled (times in seconds on the recording)."""

    start_s: float  # the span cut from the stream
    end_s: float
    audio_start_s: float  # the part sent to Whisper (trimmed to the speech); equal if skipped
    audio_end_s: float
    skipped: bool  # no speech: not sent to Whisper
    words: int = 0
    dropped_segments: int = 0
    seconds: float = 0.0  # time spent transcribing
    reused: bool = False  # a speculative pass's result was used: no Whisper call for it
    refined: bool = False  # its text is an idle-time beam re-decode's
