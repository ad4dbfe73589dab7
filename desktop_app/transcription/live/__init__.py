"""Transcribe an answer while it is being spoken, so that after "stop" only the tail remains.

One module per job: :mod:`.stream` (audio and voice-activity frames not yet committed),
:mod:`.policy` (where to cut, how each chunk is committed and cleaned), :mod:`.chain` (the
speculative tail), :mod:`.transcriber` (the worker thread and the public API),
:mod:`.chunk_fn` (an engine bound for one answer), :mod:`.config` (assets/live.toml).
"""

from desktop_app.transcription.live.chunk_fn import EngineChunkFn, engine_chunk_fn
from desktop_app.transcription.live.config import (
    STATES,
    ChunkInfo,
    LiveConfig,
    LiveTranscriptionError,
    TranscribeFn,
)
from desktop_app.transcription.live.transcriber import LiveTranscriber

__all__ = [
    "STATES", "ChunkInfo", "EngineChunkFn", "LiveConfig", "LiveTranscriber",
    "LiveTranscriptionError", "TranscribeFn", "engine_chunk_fn",
]
