"""Whisper in a child process, behind the same interface as :class:`WhisperEngine`.

The child decodes pieces of audio (``decode``); a whole recording is cut at pauses here, in the
parent, by the same code as for the in-process engine (:class:`WholeRecording`), so both give the
same transcript for the same file.

``import torch``, model construction and Whisper's first-call set-up (numba JIT of the word-timing
DTW) hold the GIL for hundreds of milliseconds, so running them on a worker *thread* still stalls
the GUI thread. :class:`ProcessEngine` runs a ``WhisperEngine`` in a child Python process: the
parent never imports torch or whisper; it sends float32 audio over a socket (multiprocessing
``Connection`` framing) and gets ``Transcript.to_dict()`` back. While it waits, the calling thread
sleeps in a system call with the GIL released.

The child is a fresh interpreter running :func:`.engine_child.child_main` (``python -c
"...child_main(fd)"``),
not ``multiprocessing``'s *spawn*: spawn re-runs the parent's ``__main__`` script in the child,
which crashes (or re-runs the program) when that script lacks an ``if __name__ == "__main__"``
guard, and costs start-up time.

Not thread-safe, like every engine: one request at a time (the EngineHost's gate is the one
lock); only :meth:`ProcessEngine.cancel`, which interrupts the running request, may come from
another thread. If the child dies, the next call raises :class:`EngineProcessDied`
and the call after that starts a new child. The child exits when asked (``close()``), when the
socket closes, or when the parent process dies; a ``weakref.finalize`` (also run at exit) stops it.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import subprocess
import sys
import threading
import weakref
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.domain import Transcript
from desktop_app.transcription.engine import FILLER_PROMPT, ModelLoadError
from desktop_app.transcription.engines import DecodeCancelled
from desktop_app.transcription.models import ModelInfo
from desktop_app.transcription.whole_file import WholeRecording

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

__all__ = ["EngineProcessDied", "ProcessEngine", "TranscriptionFailed"]

STOP_TIMEOUT_S = 3.0
# Niceness added to the child (issue 12 reconsidered the old 5). bench/gui_stall.py, 60 s answer,
# 2 cores, other sessions busy: worst GUI-thread stall 5-6 ms at nice 0, 7-8 ms at 2, 22 ms at 5,
# and 7-10 ms at 0 against 5-7 ms at 5 with a busy process in the app's own session, all far
# inside the 50 ms budget. But at nice 5 the child loses three to one to any program the kernel
# does not keep in a group of its own: with two such busy processes a 60 s answer took 93 s to
# transcribe instead of 21-30 s. Other apps are ranked against the app as a whole (autogroups,
# cgroups), so nice only ever traded the transcriber against the app's own GUI, which does not
# need it.
NICE = 0
_CHILD_CODE = "from desktop_app.transcription.engine_child import child_main; child_main({fd})"


class EngineProcessDied(RuntimeError):
    """The transcription process stopped unexpectedly; the next call starts a new one."""

    def __init__(self, exitcode: int | None, during: str = "") -> None:
        self.exitcode = exitcode
        code = "unknown" if exitcode is None else str(exitcode)
        super().__init__(
            f"The transcription process stopped unexpectedly{during} (exit code {code}); "
            "it will be restarted."
        )


class TranscriptionFailed(RuntimeError):
    """An unexpected error inside the transcription process (its message, type and traceback)."""

    def __init__(self, message: str, kind: str = "", remote_traceback: str = "") -> None:
        super().__init__(message)
        self.kind = kind
        self.remote_traceback = remote_traceback


# Exceptions re-raised in the parent with their own type; anything else -> TranscriptionFailed.
_SAME_TYPE: dict[str, type[Exception]] = {
    "ModelLoadError": ModelLoadError,
    "ValueError": ValueError,
    "TypeError": TypeError,
    "MemoryError": MemoryError,
    "DecodeCancelled": DecodeCancelled,
}


# ---- parent side -------------------------------------------------------------------------------
def _stop_child(process: subprocess.Popen, conn: Connection) -> None:
    """Ask the child to exit, then terminate/kill it if it does not (finalizer: no ``self``)."""
    try:
        if process.poll() is None:
            try:
                conn.send(("exit",))
            except (OSError, ValueError):
                pass
            for stop in (None, process.terminate, process.kill):
                if stop is not None:
                    stop()
                try:
                    process.wait(STOP_TIMEOUT_S)
                    break
                except subprocess.TimeoutExpired:
                    continue
    finally:
        conn.close()


def _child_env() -> dict[str, str]:
    """The parent's environment, with this package importable in the child."""
    env = dict(os.environ)
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


class ProcessEngine(WholeRecording):
    """A Whisper model served by a child process; same public methods as ``WhisperEngine``.

    ``load()`` and ``transcribe()`` block the *calling* thread (a worker, never the GUI thread)
    while the child works. ``threads`` sets torch's CPU threads in the child (default: before
    each call, the cores other programs leave free, up to ``engine.default_threads()``);
    ``nice`` lowers its CPU priority; ``python`` is the interpreter that runs it (default: this
    one).
    """

    def __init__(
        self,
        model: ModelInfo,
        *,
        threads: int | None = None,
        nice: int = NICE,
        python: str | None = None,
    ) -> None:
        self.model = model
        self._threads = threads
        self._nice = nice
        self._python = python or sys.executable
        self._process: subprocess.Popen | None = None
        self._conn: Connection | None = None
        self._finalizer: weakref.finalize | None = None
        self._ready = False
        self.load_seconds: float | None = None  # in the child: model loaded and warmed up
        self._ids = itertools.count(1)
        self._inflight: int | None = None  # the request the child is serving
        self._send_lock = threading.Lock()  # cancel() sends from another thread

    # ---- lifecycle -----------------------------------------------------------------------------
    @property
    def pid(self) -> int | None:
        """The child's process id while it runs."""
        return self._process.pid if self._process is not None else None

    @property
    def is_loaded(self) -> bool:
        return self._ready and self._process is not None and self._process.poll() is None

    def load(self) -> None:
        """Start the child and load + warm up the model (idempotent). Raises ModelLoadError."""
        if self._process is not None and self._process.poll() is not None:
            self._reap()  # died while idle: start afresh below
        if self._ready:
            return
        try:
            self._start()
            reply = self._receive(during=" while loading the model")
        except EngineProcessDied as exc:
            raise ModelLoadError(
                f"Could not load Whisper model '{self.model.name}': {exc}"
            ) from exc
        except OSError as exc:  # the interpreter could not be started
            self._reap()
            raise ModelLoadError(f"Could not start the transcription process: {exc}") from exc
        except Exception:
            self._reap()  # the child exits after a failed load
            raise
        self._ready = True
        self.load_seconds = float(reply.get("load_s", 0.0))

    def _start(self) -> None:
        ours, theirs = socket.socketpair()
        try:
            fd = theirs.fileno()
            process = subprocess.Popen(
                [self._python, "-c", _CHILD_CODE.format(fd=fd)],
                pass_fds=(fd,),
                stdin=subprocess.DEVNULL,
                env=_child_env(),
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()  # only the child holds its end: its death is EOF here
        conn = Connection(ours.detach())
        self._process, self._conn = process, conn
        self._finalizer = weakref.finalize(self, _stop_child, process, conn)
        conn.send(("load", self.model, self._threads, self._nice))

    def _reap(self) -> int | None:
        """Forget a dead (or failed) child, making sure it is gone; returns its exit code."""
        process, conn = self._process, self._conn
        self._process, self._conn, self._ready = None, None, False
        if self._finalizer is not None:
            self._finalizer.detach()
            self._finalizer = None
        if process is None:
            if conn is not None:
                conn.close()
            return None
        if conn is not None:
            _stop_child(process, conn)
        return process.returncode

    def close(self) -> None:
        """Stop the child (asked to exit; terminated if it does not). Safe to call twice, and
        from another thread: a request still running then fails."""
        finalizer, self._finalizer = self._finalizer, None
        self._process, self._conn, self._ready = None, None, False
        if finalizer is not None:
            finalizer()

    def __enter__(self) -> ProcessEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- requests ------------------------------------------------------------------------------
    def _receive(
        self, during: str = "", progress: Callable[[float], None] | None = None
    ) -> dict[str, Any]:
        """Wait for the child's reply (forwarding progress); raise its error, or its death."""
        conn = self._conn
        while True:
            try:
                if conn is None:
                    raise EOFError
                message = conn.recv()
            except (EOFError, OSError):
                raise EngineProcessDied(self._reap(), during) from None
            kind = message[0]
            if kind == "progress":
                if progress:
                    progress(message[1])
                continue
            if kind == "error":
                _, name, text, tb = message
                log.debug("transcription process error:\n%s", tb)
                cls = _SAME_TYPE.get(name)
                if cls is not None:
                    raise cls(text)
                raise TranscriptionFailed(text, name, tb)
            return message[1]

    def decode(
        self,
        audio: np.ndarray,
        *,
        initial_prompt: str | None = FILLER_PROMPT,
        time_offset: float = 0.0,
        purpose: str = "live",
        progress: Callable[[float], None] | None = None,
    ) -> Transcript:
        """Decode one piece of 16 kHz mono float32 ``audio`` in the child (loading it first if
        needed); see ``WhisperEngine.decode``. ``progress(fraction)`` gets 0.0 at the start and
        1.0 at the end. Raises EngineProcessDied if the child stopped (the next call starts a new
        one)."""
        import numpy as np
        samples = np.ascontiguousarray(np.asarray(audio, dtype=np.float32))
        if self._process is not None and self._process.poll() is not None:
            raise EngineProcessDied(self._reap())
        self.load()
        assert self._conn is not None
        kwargs = {"initial_prompt": initial_prompt, "time_offset": float(time_offset),
                  "purpose": purpose}  # fmt: skip
        rid = next(self._ids)
        try:
            with self._send_lock:
                self._conn.send(("decode", rid, samples, kwargs))
                self._inflight = rid
        except (OSError, ValueError):
            raise EngineProcessDied(self._reap()) from None
        try:
            reply = self._receive(progress=progress)
        finally:
            self._inflight = None
        return Transcript.from_dict(reply)

    def cancel(self) -> None:
        """Interrupt the decode the child is running (it raises DecodeCancelled in the thread
        that asked for it); no effect when idle. Safe from any thread."""
        with self._send_lock:
            rid, conn = self._inflight, self._conn
            if rid is None or conn is None:
                return
            try:
                conn.send(("cancel", rid))
            except (OSError, ValueError):
                pass  # the child is gone: the request fails on its own
