"""The transcription child process: load the model once, then serve decode requests.

Started by :class:`~desktop_app.transcription.process_engine.ProcessEngine` (which documents
the protocol in :func:`child_main`). A reader thread takes every message off the connection, so
that a ``cancel`` reaches the engine while a decode runs (a request of higher priority needs it).
"""

from __future__ import annotations

import os
import queue
import threading
import time
from multiprocessing.connection import Connection
from typing import Any

import numpy as np

from desktop_app.transcription.cpu import FreeCores
from desktop_app.transcription.engine import SAMPLE_RATE
from desktop_app.transcription.engines import DecodeCancelled


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
    info)`` or ``("error", type, message, traceback)``; then ``("decode", id, samples, kwargs)``
    → any number of ``("progress", f)``, then ``("result", Transcript.to_dict())`` or an error
    (``DecodeCancelled`` after ``("cancel", id)``); ``("exit",)`` or a closed socket ends the
    process.
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
    from desktop_app.transcription.live.config import LiveConfig

    round_up = LiveConfig.load().thread_round_up
    requests = _Requests(conn, engine)
    while True:
        message = requests.next()
        if message is None:
            return  # the parent closed the socket or asked the child to exit
        rid, samples, kwargs = message
        if free is not None:
            engine.set_threads(free.threads(default_threads(), round_up=round_up))
        try:
            if requests.start(rid):
                transcript = engine.decode(
                    samples, progress=lambda f: conn.send(("progress", float(f))), **kwargs
                )
                conn.send(("result", transcript.to_dict()))
            else:
                _send_error(conn, DecodeCancelled("The transcription was interrupted."))
        except (EOFError, OSError):
            return
        except Exception as exc:
            _send_error(conn, exc)
        finally:
            requests.done()


class _Requests:
    """The child's inbox: a reader thread takes every message off the connection, so that
    ``("cancel", id)`` reaches the engine while ``("decode", id, samples, kwargs)`` runs."""

    def __init__(self, conn: Connection, engine: Any) -> None:
        self._conn, self._engine = conn, engine
        self._queue: queue.Queue[tuple[int, Any, dict[str, Any]] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._current: int | None = None
        self._cancelled: set[int] = set()  # cancelled before they started
        threading.Thread(target=self._read, name="requests", daemon=True).start()

    def _read(self) -> None:
        while True:
            try:
                message = self._conn.recv()
            except (EOFError, OSError):
                message = ("exit",)
            if message[0] == "cancel":
                with self._lock:
                    if self._current == message[1]:
                        cancel = getattr(self._engine, "cancel", None)
                        if callable(cancel):
                            cancel()
                    else:
                        self._cancelled.add(message[1])
                continue
            if message[0] != "decode":
                self._queue.put(None)
                return
            self._queue.put(tuple(message[1:]))  # type: ignore[arg-type]

    def next(self) -> tuple[int, Any, dict[str, Any]] | None:
        return self._queue.get()

    def start(self, rid: int) -> bool:
        """Mark ``rid`` as running; False if it was cancelled before it started."""
        with self._lock:
            self._cancelled = {i for i in self._cancelled if i >= rid}
            if rid in self._cancelled:
                return False
            self._current = rid
            return True

    def done(self) -> None:
        with self._lock:
            self._current = None
