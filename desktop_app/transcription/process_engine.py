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

The child is a fresh interpreter running :func:`child_main` (``python -c "...child_main(fd)"``),
not ``multiprocessing``'s *spawn*: spawn re-runs the parent's ``__main__`` script in the child,
which crashes (or re-runs the program) when that script lacks an ``if __name__ == "__main__"``
guard, and costs start-up time.

Not thread-safe, like every engine: one request at a time (the EngineHost's gate is the one
lock). If the child dies, the next call raises :class:`EngineProcessDied`
and the call after that starts a new child. The child exits when asked (``close()``), when the
socket closes, or when the parent process dies; a ``weakref.finalize`` (also run at exit) stops it.
"""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
import weakref
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.domain import Transcript
from desktop_app.transcription.cpu import FreeCores
from desktop_app.transcription.engine import FILLER_PROMPT, SAMPLE_RATE, ModelLoadError
from desktop_app.transcription.models import ModelInfo
from desktop_app.transcription.whole_file import WholeRecording

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

__all__ = ["EngineProcessDied", "ProcessEngine", "TranscriptionFailed", "child_main"]

STOP_TIMEOUT_S = 3.0
# Niceness added to the child, so a busy CPU serves the GUI first (measured on 2 loaded cores:
# worst GUI-thread wait 15-100 ms at 0, 5-9 ms at 5; an idle CPU still goes to the child).
NICE = 5
_CHILD_CODE = "from desktop_app.transcription.process_engine import child_main; child_main({fd})"


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
}


# ---- child side --------------------------------------------------------------------------------
def _exit_with_parent(poll_s: float = 0.5) -> None:
    """Exit the child as soon as the parent process is gone (even if it was SIGKILLed)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(poll_s)
        os._exit(0)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


def _warm_up(engine: Any) -> None:
    """Run the one-off set-up of a first transcription now (torch kernels, numba DTW JIT)."""
    import numpy as np
    import torch
    from whisper.timing import dtw

    dtw(torch.rand(8, 16))  # compiles the numba word-alignment kernels (~1-2 s the first time)
    rng = np.random.default_rng(0)
    engine.decode((0.01 * rng.standard_normal(SAMPLE_RATE)).astype(np.float32))


def _send_error(conn: Connection, exc: BaseException) -> None:
    import traceback

    message = str(exc).strip() or exc.__class__.__name__
    tb = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    conn.send(("error", exc.__class__.__name__, message, tb))


def child_main(fd: int) -> None:
    """Entry point of the transcription process: load + warm up the model, then serve requests.

    Protocol on the connection ``fd``: first ``("load", ModelInfo, threads, nice)`` → ``("ready",
    info)`` or ``("error", type, message, traceback)``; then ``("decode", samples, kwargs)``
    → any number of ``("progress", f)``, then ``("result", Transcript.to_dict())`` or an error;
    ``("exit",)`` or a closed socket ends the process.
    """
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the parent's to handle
    _exit_with_parent()
    conn = Connection(fd)
    try:
        _, model, threads, nice = conn.recv()
        if nice and hasattr(os, "nice"):
            os.nice(nice)  # background work: the GUI process wins the CPU when both want it
        from desktop_app.transcription.engine import default_threads
        from desktop_app.transcription.engines import build_local

        started = time.perf_counter()
        engine = build_local(model, threads=threads)  # the engine the registry names
        engine.load()
        _warm_up(engine)
        conn.send(("ready", {"pid": os.getpid(), "load_s": time.perf_counter() - started}))
    except (EOFError, OSError):
        return
    except Exception as exc:
        _send_error(conn, exc)
        return
    free = FreeCores() if threads is None else None  # None: follow the free cores
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the parent closed the socket
        if message[0] != "decode":
            return
        _, samples, kwargs = message
        if free is not None:
            engine.set_threads(free.threads(default_threads()))
        try:
            transcript = engine.decode(
                samples, progress=lambda f: conn.send(("progress", float(f))), **kwargs
            )
            conn.send(("result", transcript.to_dict()))
        except (EOFError, OSError):
            return
        except Exception as exc:
            _send_error(conn, exc)


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
        try:
            self._conn.send(("decode", samples, kwargs))
        except (OSError, ValueError):
            raise EngineProcessDied(self._reap()) from None
        reply = self._receive(progress=progress)
        return Transcript.from_dict(reply)
