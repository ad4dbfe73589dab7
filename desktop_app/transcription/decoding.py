"""How Whisper decodes one piece of audio: its own guards on, settings from assets/decoding.toml.

:func:`decode_piece` is the one Whisper call of every path (CLI, Re-transcribe, live chunks):
temperature fallback when the text is too repetitive or improbable, no-speech detection, word
timestamps, ``condition_on_previous_text=False``, English, and a seeded sampler so the same audio
always gives the same transcript. Whisper's segments become domain ``Segment`` s that keep their
``no_speech_prob`` (the live cleaning step filters on it). No torch import at module level.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
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
from desktop_app.transcription.cleanup import normalise

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


def read_toml(path: Path | None, asset: str, what: str) -> tuple[Path, dict[str, Any]]:
    """(path, data) of a settings file (default: ``assets/<asset>``); ValueError if unreadable."""
    path = Path(path) if path else assets_dir() / asset
    try:
        return path, tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{path}: cannot read {what}: {exc}") from exc


@dataclass(frozen=True)
class DecodingConfig:
    """Whisper's guards and the beam width per purpose (assets/decoding.toml gives sources)."""

    temperatures: tuple[float, ...] = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
    compression_ratio_threshold: float = 2.4
    logprob_threshold: float = -1.0
    no_speech_threshold: float = 0.6
    best_of: int = 5
    seed: int = 0
    max_tokens_per_s: float = 7.0
    min_tokens: int = 16
    loop_max_words: int = 10
    loop_min_repeats: int = 3
    whole_file_beam_size: int = 5
    live_beam_size: int = 1

    @classmethod
    def load(cls, path: Path | None = None) -> DecodingConfig:
        """Read a decoding.toml (default: the bundled one); raises ValueError if it is bad."""
        path, data = read_toml(path, "decoding.toml", "decoding settings")
        flat: dict[str, Any] = dict(data.get("whisper", {}))
        flat.update({f"loop_{k}": v for k, v in data.get("loops", {}).items()})
        for purpose in PURPOSES:
            flat.update({f"{purpose}_{k}": v for k, v in data.get(purpose, {}).items()})
        unknown = sorted(set(flat) - {f.name for f in fields(cls)})
        if unknown:
            raise ValueError(f"{path}: unknown setting(s): {', '.join(unknown)}")
        try:
            temps = tuple(float(t) for t in flat.pop("temperatures", cls.temperatures))
            ints = {"best_of", "seed", "min_tokens", "loop_max_words", "loop_min_repeats",
                    "whole_file_beam_size", "live_beam_size"}  # fmt: skip
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
        if cfg.max_tokens_per_s <= 0 or cfg.loop_min_repeats < 2 or cfg.loop_max_words < 1:
            raise ValueError(f"{path}: need max_tokens_per_s > 0, loops min_repeats >= 2, "
                             "max_words >= 1")  # fmt: skip
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
    """Whisper's ``transcribe`` on float32 16 kHz ``samples`` with the guards of ``config``.

    ``sample_len`` caps the tokens per window by the audio's length: a window that loops stops
    there instead of at Whisper's 224 tokens, which with beam search and five fallback
    temperatures took 10 minutes for 4.5 s of humming on a busy 2-core machine."""
    import torch

    beam = config.beam_size(purpose)
    seconds = samples.size / SAMPLE_RATE
    limit = max(config.min_tokens, int(np.ceil(seconds * config.max_tokens_per_s)))
    options: dict[str, Any] = {"best_of": config.best_of, "sample_len": min(224, limit)}
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


def collapse_loops(words: Sequence[str], max_words: int, min_repeats: int) -> list[bool]:
    """Which of ``words`` (already normalised) to keep: repeats of a looping phrase go."""
    keep = [True] * len(words)
    i = 0
    while i < len(words):
        best_n, best_k = 0, 1
        for n in range(1, max_words + 1):
            phrase = words[i : i + n]
            if len(phrase) < n or not all(phrase):
                break
            k = 1
            while words[i + k * n : i + (k + 1) * n] == phrase:
                k += 1
            need = min_repeats + 1 if n == 1 else min_repeats
            if k >= need and k * n > best_k * best_n:
                best_n, best_k = n, k
        if best_n:
            for j in range(i + best_n, i + best_k * best_n):
                keep[j] = False
            i += best_k * best_n
        else:
            i += 1
    return keep


def without_loops(segments: list[Segment], config: DecodingConfig) -> tuple[list[Segment], int]:
    """``segments`` with repetition loops kept once (across segments too), and how many loops
    there were. Segments left without words go; the others' text is rebuilt from their words."""
    flat = [(i, w) for i, s in enumerate(segments) for w in s.words]
    keep = collapse_loops([normalise(w.text) for _, w in flat], config.loop_max_words,
                          config.loop_min_repeats)  # fmt: skip
    if all(keep):
        return segments, 0
    loops = sum(1 for a, b in zip(keep, keep[1:], strict=False) if a and not b)
    out: list[Segment] = []
    for i, seg in enumerate(segments):
        words = tuple(w for (j, w), k in zip(flat, keep, strict=True) if j == i and k)
        if not seg.words:
            out.append(seg)
        elif len(words) == len(seg.words):
            out.append(seg)
        elif words:
            text = " ".join(w.text for w in words)
            out.append(Segment(text, words[0].start, words[-1].end, words, seg.no_speech_prob))
    return out, loops
