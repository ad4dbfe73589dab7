"""Local transcription with openai-whisper on the CPU, returning the domain ``Transcript``.

Whisper and torch are imported only inside ``load()`` (about 1-1.5 s), never at module import, so
the GUI starts fast; call ``load()`` and ``transcribe()`` on the transcription worker thread.

Decoding: ``fp16=False``, greedy (temperature 0), ``word_timestamps=True``,
``condition_on_previous_text=False``, English. ``FILLER_PROMPT`` is the initial prompt that keeps
filler words ("um", "uh"); its text lives in ``assets/whisper_prompt.txt`` (source noted there).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from desktop_app.domain import Segment, Transcript, Word
from desktop_app.paths import assets_dir
from desktop_app.transcription.models import ModelInfo, recognise_shape

SAMPLE_RATE = 16000
_FALLBACK_PROMPT = "Umm, let me think like, hmm... Okay, here's what I'm, like, thinking."


class ModelLoadError(Exception):
    """The model file could not be loaded; the message names the file and what to do."""


def load_prompt(path: Path | None = None) -> str:
    """The filler-keeping prompt from ``assets/whisper_prompt.txt`` (``#`` lines are comments)."""
    path = path or assets_dir() / "whisper_prompt.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return _FALLBACK_PROMPT
    return " ".join(ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#"))


FILLER_PROMPT = load_prompt()


def default_threads() -> int:
    """Torch CPU threads: all cores up to 4 (more gives little for tiny/base on CPU)."""
    return max(1, min(4, os.cpu_count() or 1))


def load_whisper(model: ModelInfo) -> Any:
    """Load an openai-whisper model from ``model.path`` on the CPU, with its alignment heads."""
    import torch
    import whisper

    try:
        net = whisper.load_model(str(model.path), device="cpu")
    except Exception as exc:  # torch raises many kinds for a damaged file
        raise ModelLoadError(
            f"Could not load Whisper model '{model.name}' from {model.path}: {exc}. "
            "Download or import it again (`rehearse models download|import`)."
        ) from exc
    reuse_encoder_output(net)
    shape = model.shape or (model.name if model.name in whisper._ALIGNMENT_HEADS else None)
    if shape in whisper._ALIGNMENT_HEADS and recognise_shape(net.dims.__dict__) in (shape, None):
        try:
            net.set_alignment_heads(whisper._ALIGNMENT_HEADS[shape])
            return net
        except (ValueError, RuntimeError):
            pass  # the table's heads do not fit these dims: fall through
    if model.alignment_heads:  # e.g. a custom model: heads from its CTranslate2 config.json
        dims = net.dims
        mask = torch.zeros(dims.n_text_layer, dims.n_text_head, dtype=torch.bool)
        for layer, head in model.alignment_heads:
            if layer < dims.n_text_layer and head < dims.n_text_head:
                mask[layer, head] = True
        net.register_buffer("alignment_heads", mask.to_sparse(), persistent=False)
    return net


def reuse_encoder_output(net: Any) -> None:
    """Make ``net.encoder`` return its last output again when given the same mel spectrogram.

    With word timestamps, whisper encodes each 30 s window twice: once to decode, then again in
    ``timing.find_alignment`` with fast attention turned off (it needs the weights). Reusing the
    first result gives identical words and times and cut a 20 s chunk from 2.1 s to 1.4 s and a
    5 s one from 1.2 s to 0.4 s (tiny.en, 2 cores).
    """
    import torch

    encoder = net.encoder
    plain = encoder.forward
    last: list[Any] = []  # [mel, output] of the previous call

    def forward(mel: Any) -> Any:
        if last and mel.shape == last[0].shape and torch.equal(mel, last[0]):
            return last[1]
        out = plain(mel)
        last[:] = [mel.detach().clone(), out.detach()]
        return out

    encoder.forward = forward


class WhisperEngine:
    """One Whisper model, loaded once. ``loader(info)`` returns the model (default load_whisper)."""

    def __init__(
        self,
        model: ModelInfo,
        *,
        loader: Callable[[ModelInfo], Any] | None = None,
        threads: int | None = None,
    ) -> None:
        self.model = model
        self._loader = loader or load_whisper
        self._threads = threads
        self._net: Any = None
        self._lock = threading.Lock()

    @property
    def is_loaded(self) -> bool:
        return self._net is not None

    def load(self) -> None:
        """Load the model once (idempotent, thread-safe). Raises ModelLoadError."""
        with self._lock:
            if self._net is not None:
                return
            import torch

            torch.set_num_threads(self._threads or default_threads())
            self._net = self._loader(self.model)

    def transcribe(
        self,
        audio: np.ndarray,
        *,
        initial_prompt: str | None = FILLER_PROMPT,
        time_offset: float = 0.0,
        progress: Callable[[float], None] | None = None,
    ) -> Transcript:
        """Transcribe 16 kHz mono float32 ``audio``; all times are shifted by ``time_offset``.

        ``progress(fraction)`` is called with 0.0 at the start and 1.0 at the end.
        """
        samples = np.asarray(audio, dtype=np.float32)
        if samples.ndim == 2:
            samples = samples.mean(axis=1 if samples.shape[1] <= 8 else 0).astype(np.float32)
        if samples.ndim != 1:
            raise ValueError(f"expected mono audio samples, got an array of shape {samples.shape}")
        duration = samples.size / SAMPLE_RATE
        if progress:
            progress(0.0)
        if samples.size < SAMPLE_RATE // 10 or not np.any(np.isfinite(samples) & (samples != 0)):
            if progress:
                progress(1.0)
            return Transcript(text="", model=self.model.name, duration=duration)
        samples = np.nan_to_num(samples, nan=0.0, posinf=1.0, neginf=-1.0)
        self.load()
        with self._lock:
            result = self._net.transcribe(
                samples,
                verbose=None,
                temperature=0.0,
                fp16=False,
                language="en",
                task="transcribe",
                word_timestamps=True,
                condition_on_previous_text=False,
                initial_prompt=initial_prompt or None,
            )
        if progress:
            progress(1.0)
        return self._to_transcript(result, time_offset, duration)

    def _to_transcript(self, result: dict, offset: float, duration: float) -> Transcript:
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
                )
            )
        text = " ".join(s.text for s in segments).strip()
        return Transcript(
            text=text,
            segments=segments,
            language=result.get("language") or "en",
            model=self.model.name,
            duration=round(duration, 3),
        )

    def transcribe_file(
        self,
        path: Path,
        *,
        initial_prompt: str | None = FILLER_PROMPT,
        progress: Callable[[float], None] | None = None,
    ) -> Transcript:
        """Transcribe an audio file (any rate/channels soundfile reads; raises UnreadableAudio)."""
        from desktop_app.audio.wavio import read_audio_16k

        return self.transcribe(
            read_audio_16k(Path(path)), initial_prompt=initial_prompt, progress=progress
        )
