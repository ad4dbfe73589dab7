"""Hosting one transcription engine: load once, swap models, wait until ready, one request at a
time, in priority order. No Qt: the window's worker thread and the CLI both drive it.

Every request goes through :meth:`EngineHost.decode` (one piece of audio) or
:meth:`EngineHost.transcribe` (a whole recording, decoded piece by piece). One gate guards the
engine — the only lock on it — and hands it to the waiting request of highest priority first
(:class:`Priority`: a live answer's committed chunk before a speculative pass before a whole-file
job), so a long re-transcription never holds a live answer's chunks back by more than one piece.
Requests may come from any thread; loading runs on the caller's (a worker's) thread.
"""

from __future__ import annotations

import itertools
import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import IntEnum
from typing import TYPE_CHECKING, Any, Protocol

from desktop_app.domain import Transcript
from desktop_app.transcription.engines import Engine, Interruptible, Progress
from desktop_app.transcription.models import ModelInfo

if TYPE_CHECKING:  # numpy is not imported at start-up
    import numpy as np

log = logging.getLogger(__name__)


class Priority(IntEnum):
    """Who goes first when several requests wait for the engine (lower goes first)."""

    COMMITTED = 0  # a live answer's chunk: the candidate waits for it after Stop
    SPECULATIVE = 1  # a pass over the tail that may save the wait after Stop
    FILE = 2  # a whole recording (re-transcribe, a recording made without live transcription)
    IDLE = 3  # work for when nothing else waits (e.g. a beam re-decode of committed chunks):
    # interrupted (DecodeCancelled) when a request of higher priority comes


class ModelResolver(Protocol):
    def resolve(self, name: str | None) -> ModelInfo: ...


class HostClosed(RuntimeError):
    """The host is shutting down: no more requests."""


class _Gate:
    """A lock handed to the waiter of highest priority (then first come). A holder may leave an
    ``interrupt`` callable: a request of higher priority calls it as it starts to wait."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._busy = False
        self._waiting: list[tuple[int, int]] = []
        self._tickets = itertools.count()
        self._holder: tuple[int, Callable[[], None] | None] = (0, None)

    @contextmanager
    def hold(self, priority: int, interrupt: Callable[[], None] | None = None) -> Iterator[None]:
        ticket = (int(priority), next(self._tickets))
        with self._cond:
            self._waiting.append(ticket)
            held, stop = self._holder
            stop = stop if self._busy and ticket[0] < held else None
        if stop is not None:
            stop()  # the running request gives way (it raises in its own thread)
        with self._cond:
            while self._busy or min(self._waiting) != ticket:
                self._cond.wait()
            self._waiting.remove(ticket)
            self._busy = True
            self._holder = (ticket[0], interrupt)
        try:
            yield
        finally:
            with self._cond:
                self._busy = False
                self._holder = (0, None)
                self._cond.notify_all()


def message_of(exc: BaseException) -> str:
    """A human-readable one-liner for an exception."""
    return str(exc).strip() or exc.__class__.__name__


class EngineHost:
    """One engine at a time, built by ``factory(ModelInfo)`` (in the app: Whisper in a child
    process). Thread-safe. ``state`` is ``idle`` | ``loading`` | ``ready`` | ``missing``."""

    def __init__(self, models: ModelResolver, factory: Callable[[ModelInfo], Engine]) -> None:
        self._models = models
        self._factory = factory
        self._gate = _Gate()
        self._cond = threading.Condition()  # guards the fields below
        self._engine: Engine | None = None
        self._info: ModelInfo | None = None
        self._missing: str | None = None
        self._loading = False
        self._closed = False

    # ---- state -------------------------------------------------------------------------------
    @property
    def state(self) -> str:
        with self._cond:
            if self._loading:
                return "loading"
            if self._engine is not None:
                return "ready"
            return "missing" if self._missing is not None else "idle"

    @property
    def model_name(self) -> str | None:
        with self._cond:
            return self._info.name if self._info is not None else None

    @property
    def missing(self) -> str | None:
        """Why there is no engine (the model could not be found or loaded), if so."""
        with self._cond:
            return self._missing

    def _publish(self, **fields: Any) -> None:
        with self._cond:
            for name, value in fields.items():
                setattr(self, name, value)
            self._cond.notify_all()

    # ---- loading -----------------------------------------------------------------------------
    def load(self, name: str | None = None) -> ModelInfo:
        """Load model ``name`` (None: the default), replacing the current engine once the new
        one is ready (a request still running on the old one finishes first). Blocks the calling
        thread. Raises the resolver's or the engine's error (also kept as :attr:`missing`)."""
        self._publish(_loading=True)
        try:
            info = self._models.resolve(name)
            with self._cond:
                same = self._engine is not None and self._info is not None \
                    and self._info.name == info.name
            if same:
                self._publish(_loading=False)
                return info
            engine = self._factory(info)
            engine.load()
        except Exception as exc:  # ModelNotAvailable, corrupt weights, out of memory…
            log.warning("model %r unavailable: %s", name, exc)
            self._replace(None, None, message_of(exc))
            raise
        self._replace(engine, info, None)
        return info

    def _replace(self, engine: Engine | None, info: ModelInfo | None,
                 missing: str | None) -> None:
        with self._cond:
            old = self._engine
        self._publish(_engine=engine, _info=info, _missing=missing, _loading=False)
        if old is not None and old is not engine:
            with self._gate.hold(Priority.COMMITTED):  # after a request still running on it
                _close(old)

    def wait_ready(self, timeout: float | None = None) -> Engine:
        """The loaded engine, waiting while a model loads. Raises RuntimeError when there is
        none (missing model, none asked for within ``timeout``), HostClosed at shutdown."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._engine is None:
                if self._closed:
                    raise HostClosed("The app is shutting down.")
                if self._missing is not None and not self._loading:
                    raise RuntimeError(self._missing)
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise RuntimeError("No transcription model is loaded.")
                self._cond.wait(left)
            return self._engine

    def close(self) -> None:
        """Shutdown, step 1 (returns at once): requests waiting for a model give up."""
        self._publish(_closed=True)

    def release(self) -> None:
        """Shutdown, step 2: end the engine (and its child process) after a running request."""
        self._publish(_closed=True)
        self._replace(None, None, None)

    # ---- requests ----------------------------------------------------------------------------
    @contextmanager
    def _engine_for(self, priority: Priority, wait: bool) -> Iterator[Engine]:
        engine = self.wait_ready() if wait else self._current()
        interrupt = self._interrupt if priority == Priority.IDLE else None
        with self._gate.hold(priority, interrupt):
            with self._cond:
                current = self._engine  # swapped while this request waited: use the new one
            yield current if current is not None else engine

    def _interrupt(self) -> None:
        with self._cond:
            engine = self._engine
        if isinstance(engine, Interruptible):
            engine.cancel()

    def _current(self) -> Engine:
        with self._cond:
            if self._engine is None:
                raise RuntimeError(self._missing or "No transcription model is loaded.")
            return self._engine

    def decode(self, audio: np.ndarray, *, priority: Priority = Priority.COMMITTED,
               wait: bool = True, **kwargs: Any) -> Transcript:
        """``engine.decode(audio, **kwargs)`` when the engine is free and no request of higher
        priority waits; with ``wait`` (the default) a model still loading is waited for. At
        ``Priority.IDLE`` it raises DecodeCancelled if a request of higher priority comes while
        it runs (engines that cannot be interrupted finish it first)."""
        with self._engine_for(priority, wait) as engine:
            return engine.decode(audio, **kwargs)

    def transcribe(self, audio: np.ndarray, *, progress: Progress | None = None,
                   priority: Priority = Priority.FILE, wait: bool = False) -> Transcript:
        """A whole recording, cut at pauses; each piece is one request at ``priority``. Without
        ``wait``, no loaded model raises RuntimeError at once."""
        from desktop_app.transcription.whole_file import transcribe_whole

        engine = self.wait_ready() if wait else self._current()
        return transcribe_whole(_HostDecoder(self, engine, priority), audio, progress=progress)

    def decoder(self, priority: Priority = Priority.COMMITTED) -> _HostDecoder:
        """An engine-like object whose ``decode`` goes through this host at ``priority``
        (for a live transcriber: it waits for a model still loading; audio just queues)."""
        return _HostDecoder(self, None, priority)


class _HostDecoder:
    """``decode`` through the host (what :func:`engine_chunk_fn` and transcribe_whole bind)."""

    def __init__(self, host: EngineHost, engine: Engine | None, priority: Priority) -> None:
        self._host, self._engine, self.priority = host, engine, priority

    @property
    def model(self) -> Any:
        engine = self._engine or self._host.wait_ready()
        return engine.model

    def decode(self, audio: np.ndarray, **kwargs: Any) -> Transcript:
        priority = kwargs.pop("priority", self.priority)
        return self._host.decode(audio, priority=priority, **kwargs)


def _close(engine: Engine) -> None:
    close = getattr(engine, "close", None)
    if callable(close):
        try:
            close()
        except Exception as exc:
            log.warning("closing the previous model failed: %s", exc)
