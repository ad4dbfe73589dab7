"""How Whisper decodes one piece of audio: its own guards on, settings from assets/decoding.toml.

:func:`decode_piece` is the one Whisper call of every path (CLI, Re-transcribe, live chunks):
temperature fallback when the text is too repetitive or improbable, no-speech detection, word
timestamps, ``condition_on_previous_text=False``, English, and a seeded sampler so the same audio
always gives the same transcript. Whisper's segments become domain ``Segment`` s that keep their
``no_speech_prob`` (the live cleaning step filters on it). No torch import at module level.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10 needs the tomli backport
    import tomli as tomllib

from desktop_app.domain import Segment, Word
from desktop_app.paths import assets_dir

SAMPLE_RATE = 16000
PURPOSES = ("whole_file", "live")
_FALLBACK_PROMPT = "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking."


def load_prompt(path: Path | None = None) -> str:
    """The filler-keeping prompt from ``assets/whisper_prompt.txt`` (``#`` lines are comments)."""
    path = path or assets_dir() / "whisper_prompt.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return _FALLBACK_PROMPT
    return " ".join(ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#"))


FILLER_PROMPT = load_prompt()


def as_mono(audio: np.ndarray) -> np.ndarray:
    """``audio`` as a 1-D float32 array (channels averaged); ValueError for other shapes."""
    samples = np.asarray(audio, dtype=np.float32)
    if samples.ndim == 2:
        samples = samples.mean(axis=1 if samples.shape[1] <= 8 else 0).astype(np.float32)
    if samples.ndim != 1:
        raise ValueError(f"expected mono audio samples, got an array of shape {samples.shape}")
    return samples


@dataclass(frozen=True)
class DecodingConfig:
    """Whisper's guards and the beam width per purpose (assets/decoding.toml gives sources)."""

    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    compression_ratio_threshold: float = 2.4
    logprob_threshold: float = -1.0
    no_speech_threshold: float = 0.6
    best_of: int = 5
    seed: int = 0
    whole_file_beam_size: int = 5
    live_beam_size: int = 1

    @classmethod
    def load(cls, path: Path | None = None) -> DecodingConfig:
        """Read a decoding.toml (default: the bundled one); raises ValueError if it is bad."""
        path = Path(path) if path else assets_dir() / "decoding.toml"
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ValueError(f"{path}: cannot read decoding settings: {exc}") from exc
        flat: dict[str, Any] = dict(data.get("whisper", {}))
        for purpose in PURPOSES:
            flat.update({f"{purpose}_{k}": v for k, v in data.get(purpose, {}).items()})
        unknown = sorted(set(flat) - {f.name for f in fields(cls)})
        if unknown:
            raise ValueError(f"{path}: unknown setting(s): {', '.join(unknown)}")
        try:
            temps = tuple(float(t) for t in flat.pop("temperatures", cls.temperatures))
            ints = {"best_of", "seed", "whole_file_beam_size", "live_beam_size"}
            cfg = cls(
                temperatures=temps,
                **{k: int(v) if k in ints else float(v) for k, v in flat.items()},
            )
        except (TypeError, ValueError) as exc:
            raise ValueError(f"{path}: {exc}") from exc
        if not temps or temps[0] != 0.0 or list(temps) != sorted(temps):
            raise ValueError(f"{path}: temperatures must start at 0.0 and rise")
        if min(cfg.whole_file_beam_size, cfg.live_beam_size, cfg.best_of) < 1:
            raise ValueError(f"{path}: beam_size and best_of must be at least 1")
        return cfg

    def beam_size(self, purpose: str) -> int:
        if purpose not in PURPOSES:
            raise ValueError(f"unknown decoding purpose {purpose!r} (one of {PURPOSES})")
        return int(getattr(self, f"{purpose}_beam_size"))


def decode_piece(
    net: Any,
    samples: np.ndarray,
    *,
    config: DecodingConfig,
    purpose: str,
    initial_prompt: str | None,
) -> dict[str, Any]:
    """Whisper's ``transcribe`` on float32 16 kHz ``samples`` with the guards of ``config``."""
    import torch

    beam = config.beam_size(purpose)
    options: dict[str, Any] = {"best_of": config.best_of}
    if beam > 1:
        options["beam_size"] = beam
    torch.manual_seed(config.seed)  # fallback sampling: same audio, same transcript
    return net.transcribe(
        samples,
        verbose=None,
        temperature=config.temperatures,
        compression_ratio_threshold=config.compression_ratio_threshold,
        logprob_threshold=config.logprob_threshold,
        no_speech_threshold=config.no_speech_threshold,
        fp16=False,
        language="en",
        task="transcribe",
        word_timestamps=True,
        condition_on_previous_text=False,
        initial_prompt=initial_prompt or None,
        **options,
    )


def to_segments(result: dict[str, Any], offset: float) -> list[Segment]:
    """Whisper's result segments as domain Segments, times shifted by ``offset``."""
    segments: list[Segment] = []
    for seg in result.get("segments", []):
        words = tuple(
            Word(
                text=w["word"].strip(),
                start=round(float(w["start"]) + offset, 3),
                end=round(float(w["end"]) + offset, 3),
                probability=round(float(w.get("probability", 1.0)), 4),
            )
            for w in seg.get("words", [])
            if w["word"].strip()
        )
        text = seg.get("text", "").strip()
        if not text and not words:
            continue
        segments.append(
            Segment(
                text=text,
                start=round(float(seg["start"]) + offset, 3),
                end=round(float(seg["end"]) + offset, 3),
                words=words,
                no_speech_prob=round(float(seg.get("no_speech_prob", 0.0)), 4),
            )
        )
    return segments
