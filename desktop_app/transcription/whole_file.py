"""A whole recording transcribed the way the live path does it: cut at pauses, then decoded.

One Whisper call over a long file runs its 30 s window past speech it skipped (tiny.en dropped
40-165 words in a row from half of our espeak-ng answers), and invents text in long silences.
So :func:`transcribe_whole` feeds the recording to a :class:`LiveTranscriber` with speculation off:
the same voice-activity detector, the same cuts at pauses (~20 s chunks), the same skipping of
chunks without speech and the same cleaning of Whisper's output as during an answer; each chunk
is decoded by ``engine.decode`` with the previous chunk's text as its prompt.

:class:`WholeRecording` gives an engine (anything with ``model`` and ``decode``) its
``transcribe`` and ``transcribe_file``, written once for the in-process and the child-process
engine, so the window and the CLI give the same transcript for the same file.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from desktop_app.domain import Segment, Transcript
from desktop_app.transcription.decoding import FILLER_PROMPT, SAMPLE_RATE, as_mono
from desktop_app.transcription.live import (
    LiveConfig,
    LiveTranscriber,
    LiveTranscriptionError,
    engine_chunk_fn,
)

Progress = Callable[[float], None]
# The recording is fed in blocks like a microphone's, each handled before the next: the cuts
# then fall exactly where the live path (speculation off) puts them, whatever the thread timing.
FEED_BLOCK_S = 0.5


class Decoder(Protocol):
    """What :func:`transcribe_whole` needs from an engine."""

    model: Any

    def decode(
        self, audio: np.ndarray, *, initial_prompt: str | None = ..., time_offset: float = ...,
        purpose: str = ..., progress: Progress | None = ...,
    ) -> Transcript: ...  # fmt: skip


class _Reporting:
    """``engine.decode``, reporting progress through the file after each piece."""

    def __init__(self, engine: Decoder, duration: float, progress: Progress | None) -> None:
        self._engine, self._duration, self._progress = engine, duration, progress

    def decode(self, audio: np.ndarray, *, time_offset: float, **kwargs: Any) -> Transcript:
        result = self._engine.decode(audio, time_offset=time_offset, **kwargs)
        if self._progress and self._duration > 0:
            done = (time_offset + audio.size / SAMPLE_RATE) / self._duration
            self._progress(min(0.99, done))
        return result


def transcribe_whole(
    engine: Decoder,
    audio: np.ndarray,
    *,
    initial_prompt: str | None = FILLER_PROMPT,
    time_offset: float = 0.0,
    progress: Progress | None = None,
    config: LiveConfig | None = None,
) -> Transcript:
    """Transcribe a whole recording (16 kHz mono float32) cut at pauses; times are shifted by
    ``time_offset``. ``progress(fraction)`` goes from 0.0 to 1.0. Engine errors are re-raised
    as they are. With no speech heard, the transcript is empty and ``no_speech`` is set."""
    samples = as_mono(audio)
    samples = np.nan_to_num(samples, nan=0.0, posinf=1.0, neginf=-1.0)
    duration = samples.size / SAMPLE_RATE
    if progress:
        progress(0.0)
    cfg = replace(config or LiveConfig.load(), spec_pause_s=0.0)
    reporting = _Reporting(engine, duration, progress)
    chunk_fn = engine_chunk_fn(reporting, purpose="whole_file", initial_prompt=initial_prompt)
    live = LiveTranscriber(chunk_fn, config=cfg)
    step = int(FEED_BLOCK_S * SAMPLE_RATE)
    try:
        for i in range(0, samples.size, step):
            live.feed(samples[i : i + step])
            live.wait_idle()
        result = live.finish()
    except LiveTranscriptionError as exc:
        raise (exc.__cause__ or exc) from None
    finally:
        live.cancel()
    if progress:
        progress(1.0)
    name = getattr(engine.model, "name", "") or result.model
    segments = [_shift(s, time_offset) for s in result.segments] if time_offset else result.segments
    return replace(
        result, segments=segments, model=result.model or name, duration=round(duration, 3)
    )


def _shift(seg: Segment, offset: float) -> Segment:
    words = tuple(
        replace(w, start=round(w.start + offset, 3), end=round(w.end + offset, 3))
        for w in seg.words
    )
    return replace(
        seg, start=round(seg.start + offset, 3), end=round(seg.end + offset, 3), words=words
    )


class WholeRecording:
    """``transcribe``/``transcribe_file`` for an engine that has ``model`` and ``decode``."""

    transcribe = transcribe_whole  # engine.transcribe(audio, ...) is transcribe_whole(engine, ...)

    def transcribe_file(
        self: Any,
        path: Path,
        *,
        initial_prompt: str | None = FILLER_PROMPT,
        progress: Progress | None = None,
    ) -> Transcript:
        """Transcribe an audio file (any rate/channels soundfile reads; raises UnreadableAudio)."""
        from desktop_app.audio.wavio import read_audio_16k

        return self.transcribe(
            read_audio_16k(Path(path)), initial_prompt=initial_prompt, progress=progress
        )
