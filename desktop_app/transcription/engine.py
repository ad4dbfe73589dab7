"""Local transcription with openai-whisper on the CPU, returning the domain ``Transcript``.

Whisper and torch are imported only inside ``load()`` (about 1-1.5 s), never at module import, so
the GUI starts fast; call ``load()``, ``decode()`` and ``transcribe()`` on a worker thread.

``decode()`` is one Whisper call on one piece of audio (a live chunk), with Whisper's guards
(:mod:`.decoding`); ``transcribe()`` and ``transcribe_file()`` take a whole recording, cut it at
pauses and decode the pieces (:mod:`.whole_file`). ``FILLER_PROMPT`` is the initial prompt that
keeps filler words ("um", "uh"); its text lives in ``assets/whisper_prompt.txt``.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from typing import Any

import numpy as np

from desktop_app.domain import Transcript
from desktop_app.transcription.decoding import (
    FILLER_PROMPT,
    SAMPLE_RATE,
    DecodingConfig,
    as_mono,
    decode_piece,
    load_prompt,
    to_segments,
    without_loops,
)
from desktop_app.transcription.engines import DecodeCancelled
from desktop_app.transcription.models import ModelInfo, recognise_shape
from desktop_app.transcription.whole_file import WholeRecording

log = logging.getLogger(__name__)

__all__ = ["FILLER_PROMPT", "SAMPLE_RATE", "ModelLoadError", "WhisperEngine", "load_prompt"]


class ModelLoadError(Exception):
    """The model file could not be loaded; the message names the file and what to do."""


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


def interruptible(net: Any, stop: Callable[[], bool]) -> None:
    """Make ``net``'s text decoder raise DecodeCancelled once ``stop()`` is true. It is checked
    before every decoder step (one token for every beam), so even a beam decode of a 30 s window
    ends within one step; the encoder pass (a fraction of a second) is not interrupted."""
    decoder = getattr(net, "decoder", None)
    if decoder is None:  # a stand-in model
        return
    plain = decoder.forward

    def forward(*args: Any, **kwargs: Any) -> Any:
        if stop():
            raise DecodeCancelled("The transcription was interrupted.")
        return plain(*args, **kwargs)

    decoder.forward = forward


class WhisperEngine(WholeRecording):
    """One Whisper model, loaded once; not thread-safe (EngineHost serialises requests).
    ``loader(info)`` returns the model (default load_whisper);
    ``decoding`` holds Whisper's guards (default: assets/decoding.toml)."""

    def __init__(
        self,
        model: ModelInfo,
        *,
        loader: Callable[[ModelInfo], Any] | None = None,
        threads: int | None = None,
        decoding: DecodingConfig | None = None,
    ) -> None:
        self.model = model
        self._loader = loader or load_whisper
        self._threads = threads
        self.decoding = decoding or DecodingConfig.load()
        self._net: Any = None
        self._running: threading.Event | None = None  # set by cancel(): the decode running now
        self._running_lock = threading.Lock()

    @property
    def is_loaded(self) -> bool:
        return self._net is not None

    def load(self) -> None:
        """Load the model once (idempotent). Raises ModelLoadError."""
        if self._net is not None:
            return
        import torch

        torch.set_num_threads(self._threads or default_threads())
        net = self._loader(self.model)
        interruptible(net, self._cancelled)
        self._net = net

    def _cancelled(self) -> bool:
        running = self._running
        return running is not None and running.is_set()

    def cancel(self) -> None:
        """Interrupt the decode running now (DecodeCancelled); no effect when idle."""
        with self._running_lock:
            if self._running is not None:
                self._running.set()

    def set_threads(self, threads: int) -> None:
        """Use ``threads`` torch CPU threads from the next call on (cheap when unchanged)."""
        import torch

        if threads != torch.get_num_threads():
            torch.set_num_threads(threads)

    def decode(
        self,
        audio: np.ndarray,
        *,
        initial_prompt: str | None = FILLER_PROMPT,
        time_offset: float = 0.0,
        purpose: str = "live",
        progress: Callable[[float], None] | None = None,
    ) -> Transcript:
        """Decode one piece of 16 kHz mono float32 ``audio`` (up to ~30 s: one Whisper window)
        with Whisper's guards; all times are shifted by ``time_offset``. ``purpose`` (``live`` or
        ``whole_file``) picks the beam width. ``progress`` gets 0.0 at the start, 1.0 at the end.
        """
        samples = as_mono(audio)
        duration = samples.size / SAMPLE_RATE
        with self._running_lock:  # from here on cancel() interrupts this decode
            self._running = threading.Event()
        try:
            if progress:
                progress(0.0)
            if samples.size < SAMPLE_RATE // 10 or not np.any(
                np.isfinite(samples) & (samples != 0)
            ):
                if progress:
                    progress(1.0)
                return Transcript(text="", model=self.model.name, duration=duration,
                                  no_speech=True)  # fmt: skip
            samples = np.nan_to_num(samples, nan=0.0, posinf=1.0, neginf=-1.0)
            self.load()
            result = decode_piece(
                self._net, samples, config=self.decoding, purpose=purpose,
                initial_prompt=initial_prompt,
            )  # fmt: skip
        finally:
            with self._running_lock:
                self._running = None
        if progress:
            progress(1.0)
        segments, loops = without_loops(to_segments(result, time_offset), self.decoding)
        if loops:
            log.info("collapsed %d repetition loop(s) in %.1f s of audio", loops, duration)
        text = " ".join(s.text for s in segments).strip()
        return Transcript(
            text=text,
            segments=segments,
            language=result.get("language") or "en",
            model=self.model.name,
            duration=round(duration, 3),
            no_speech=not text,
        )
