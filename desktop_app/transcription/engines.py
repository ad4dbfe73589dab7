"""The engine seam: what a transcription engine offers, and which one a model's weights need.

An engine decodes one piece of 16 kHz mono float32 audio (``decode``) and transcribes a whole
recording cut at pauses (``transcribe``, written once in :mod:`.whole_file`). Engines are not
thread-safe: :class:`~desktop_app.transcription.host.EngineHost` lets one request at a time reach
one.

The registry maps the format of a model's stored weights (:func:`stored_format`) to a builder.
``openai-whisper`` (every model Rehearse stores today: imports from CTranslate2 are converted) is
registered here, the same way another engine (faster-whisper for CTranslate2 folders) would be;
the transcription child process builds whatever the registry names (:func:`build_local`), so a
new engine never touches the UI. Tests register builders rather than patching anything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from desktop_app.domain import Transcript
from desktop_app.transcription.models import ModelInfo

if TYPE_CHECKING:  # numpy is not imported at start-up
    import numpy as np

Progress = Callable[[float], None]


@runtime_checkable
class Engine(Protocol):
    """What the host, the live transcriber and the CLI need from an engine."""

    model: ModelInfo

    def load(self) -> None:
        """Load the weights (idempotent); raises ModelLoadError with a message for the user."""

    def decode(
        self, audio: np.ndarray, *, initial_prompt: str | None = ..., time_offset: float = ...,
        purpose: str = ..., progress: Progress | None = ...,
    ) -> Transcript:
        """One piece of audio (up to one 30 s window), times shifted by ``time_offset``."""

    def transcribe(
        self, audio: np.ndarray, *, initial_prompt: str | None = ..., time_offset: float = ...,
        progress: Progress | None = ...,
    ) -> Transcript:
        """A whole recording, cut at pauses like the live path."""


class DecodeCancelled(RuntimeError):
    """A decode was interrupted (a request of higher priority needed the engine); nothing came
    of it and the engine is ready for the next one."""


@runtime_checkable
class Interruptible(Protocol):
    """An engine whose running decode can be interrupted (from any thread)."""

    def cancel(self) -> None:
        """Make the decode running now, if any, raise DecodeCancelled soon; no effect when idle
        and none on later decodes."""


class EngineBuilder(Protocol):
    def __call__(self, model: ModelInfo, *, threads: int | None = None) -> Engine: ...


class UnknownModelFormat(ValueError):
    """No engine is registered for a model's weights."""


_BUILDERS: dict[str, EngineBuilder] = {}


def register(fmt: str, builder: EngineBuilder) -> None:
    """Make ``builder`` the engine for weights stored in format ``fmt`` (replacing any other)."""
    _BUILDERS[fmt] = builder


def formats() -> list[str]:
    """The formats an engine is registered for."""
    return sorted(_BUILDERS)


def stored_format(model: ModelInfo) -> str:
    """The format of the weights on disk: a CTranslate2 folder, else an openai-whisper file.
    (``ModelInfo.format`` says what an import came *from*; converted imports are openai-whisper.)"""
    return "ctranslate2" if model.path.is_dir() else "openai-whisper"


def builder_for(model: ModelInfo) -> EngineBuilder:
    fmt = stored_format(model)
    try:
        return _BUILDERS[fmt]
    except KeyError:
        raise UnknownModelFormat(
            f"No transcription engine reads '{model.name}' ({fmt} weights at {model.path}); "
            f"this Rehearse reads: {', '.join(formats())}. Import it again with "
            "`rehearse models import`."
        ) from None


def build_local(model: ModelInfo, *, threads: int | None = None) -> Engine:
    """The in-process engine for ``model`` (the CLI, and the transcription child process)."""
    return builder_for(model)(model, threads=threads)


def _whisper(model: ModelInfo, *, threads: int | None = None) -> Engine:
    from desktop_app.transcription.engine import WhisperEngine

    return WhisperEngine(model, threads=threads)


register("openai-whisper", _whisper)
