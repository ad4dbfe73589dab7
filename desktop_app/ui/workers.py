"""The thin Qt glue that runs core calls off the GUI thread.

Each worker is a QObject moved to its own QThread (see :class:`WorkerThread`); the GUI talks to it
through queued signal→slot connections and hears back through its signals. Callbacks fired on
non-Qt threads (the Recorder's and the Speaker's) are turned into signals, which Qt queues to the
GUI thread. Nothing here blocks the GUI thread except :meth:`WorkerThread.stop` at shutdown.
"""

from __future__ import annotations

import logging
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

log = logging.getLogger(__name__)


def _message(exc: BaseException) -> str:
    """A human-readable one-liner for an exception."""
    text = str(exc).strip()
    return text or exc.__class__.__name__


def fraction(*args: Any) -> float:
    """Normalise a progress callback's arguments — ``(frac)``, ``(percent)`` or ``(done, total)``
    — to 0..1; -1 when the total is unknown."""
    if len(args) >= 2:
        if not args[1]:
            return -1.0  # total unknown
        value = float(args[0]) / float(args[1])
    elif args:
        value = float(args[0])
        if value > 1.0:
            value /= 100.0
    else:
        value = 0.0
    return max(0.0, min(1.0, value))


class WorkerThread:
    """A QThread plus the QObject worker living on it (keeps both references alive)."""

    def __init__(self, worker: QObject, name: str) -> None:
        self.worker = worker
        self.thread = QThread()
        self.thread.setObjectName(name)
        worker.moveToThread(self.thread)
        self.thread.start()

    def stop(self, timeout_ms: int = 30000) -> None:
        """Quit the event loop and wait for the thread (shutdown only)."""
        if self.thread.isRunning():
            self.thread.quit()
            if not self.thread.wait(timeout_ms):
                log.warning("thread %s did not stop in time", self.thread.objectName())


class TranscriptionWorker(QObject):
    """Owns the Whisper engine: loads the model once on its own thread and runs jobs in order.

    Jobs arrive as queued slot calls, so Qt's event queue is the job queue: a file job sent while
    the model is still loading simply runs after it. Live transcription runs on its own thread and
    reaches the same engine through :meth:`live_engine` (which waits for the model); ``run_lock``
    lets only one request at a time reach the engine, whichever thread sends it.
    """

    model_loading = Signal(str)  # model name (or "" for the default)
    model_ready = Signal(str)  # model name
    model_missing = Signal(str)  # how-to-get-one message
    progress = Signal(int, float)  # job id, 0..1
    transcribed = Signal(int, object)  # job id, Transcript
    failed = Signal(int, str)  # job id, message

    def __init__(self, models: Any, engine_factory: Callable[[Any], Any]) -> None:
        super().__init__()
        self._models = models
        self._factory = engine_factory
        self._engine: Any = None
        self._model_name: str | None = None
        self._missing: str | None = None
        self._loading = False
        self._closed = False
        self._cond = threading.Condition()  # guards the four fields above for other threads
        self.run_lock = threading.Lock()  # one transcription at a time reaches the engine

    def _publish(self, **fields: Any) -> None:
        with self._cond:
            for name, value in fields.items():
                setattr(self, name, value)
            self._cond.notify_all()

    def wait_engine(self, timeout: float | None = None) -> Any:
        """The loaded engine, waiting while a model loads (any thread). Raises RuntimeError when
        there is none (missing model, never requested within ``timeout``, or shutting down)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            while self._engine is None:
                if self._closed:
                    raise RuntimeError("The app is shutting down.")
                if self._missing is not None and not self._loading:
                    raise RuntimeError(self._missing)
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    raise RuntimeError("No transcription model is loaded.")
                self._cond.wait(0.5 if left is None else min(0.5, left))
            return self._engine

    def live_engine(self) -> Any:
        """An engine-like object for live transcription: ``decode(audio, **kw)`` waits for
        the model (the live transcriber buffers meanwhile) and then takes ``run_lock``."""
        return _LockedEngine(self)

    def close(self) -> None:
        """Shutdown: wake live transcription waiting for a model (it fails; audio is on disk)."""
        self._publish(_closed=True)

    @Slot(object)
    def load_model(self, name: str | None) -> None:
        """(Re)load a model by name (None = the default one). Runs on the worker thread."""
        self.model_loading.emit(name or "")
        self._publish(_loading=True)
        try:
            info = self._models.resolve(name)
            if self._engine is not None and self._model_name == info.name:
                self._publish(_loading=False)
                self.model_ready.emit(info.name)
                return
            engine = self._factory(info)
            engine.load()
        except Exception as exc:  # ModelNotAvailable, corrupt weights, out of memory…
            log.warning("model %r unavailable: %s", name, exc)
            self._replace(None, None, _message(exc))
            self.model_missing.emit(self._missing or "")
            return
        self._replace(engine, info.name, None)
        self.model_ready.emit(info.name)

    def _replace(self, engine: Any, name: str | None, missing: str | None) -> None:
        old = self._engine
        self._publish(_engine=engine, _model_name=name, _missing=missing, _loading=False)
        close = getattr(old, "close", None)
        if old is not None and old is not engine and callable(close):
            with self.run_lock:  # after a request still running on it
                try:
                    close()
                except Exception as exc:
                    log.warning("closing the previous model failed: %s", exc)

    def release_engine(self) -> None:
        """At shutdown, after the thread stopped: end the engine (and its child process) now."""
        self._replace(None, None, None)

    def _require_engine(self) -> Any:
        if self._engine is None:
            raise RuntimeError(self._missing or "No transcription model is loaded.")
        return self._engine

    @Slot(int, str)
    def transcribe_file(self, job_id: int, path: str) -> None:
        """Transcribe a whole recording; emits ``progress`` then ``transcribed`` or ``failed``."""
        try:
            from desktop_app.audio.wavio import read_audio_16k

            engine = self._require_engine()
            samples = read_audio_16k(Path(path))
            self.progress.emit(job_id, 0.0)
            with self.run_lock:
                transcript = engine.transcribe(
                    samples, progress=lambda *a: self.progress.emit(job_id, fraction(*a))
                )
        except Exception as exc:
            log.warning("transcription of %s failed: %s", path, exc)
            log.debug("%s", traceback.format_exc())
            self.failed.emit(job_id, _message(exc))
            return
        self.progress.emit(job_id, 1.0)
        self.transcribed.emit(job_id, transcript)


class _LockedEngine:
    """What live transcription calls: the worker's current engine, one request at a time."""

    def __init__(self, worker: TranscriptionWorker) -> None:
        self._worker = worker

    def decode(self, audio: Any, **kwargs: Any) -> Any:
        engine = self._worker.wait_engine()
        with self._worker.run_lock:
            return engine.decode(audio, **kwargs)


class RecordingWorker(QObject):
    """Runs the Recorder's start/stop (which open/close PortAudio streams) off the GUI thread."""

    started = Signal(str)  # WAV path
    stopped = Signal(object)  # RecordingResult
    failed = Signal(str)  # could not start / could not finish
    device_error = Signal(str)  # device lost mid-answer (audio so far is kept)
    level = Signal(float)  # 0..1, throttled to ~30 Hz

    LEVEL_INTERVAL_S = 1 / 30

    def __init__(self, sd: Any) -> None:
        super().__init__()
        self._sd = sd
        self.recorder: Any = None
        self._last_level = 0.0
        # Called with every block on the recorder thread (a live transcriber's cheap feed()).
        self.chunk_sink: Callable[[Any], None] | None = None

    def _make(self, device: str | None) -> Any:
        from desktop_app.audio.recorder import Recorder

        return Recorder(
            self._sd,
            device=device,
            on_level=self._on_level,
            on_chunk=self._on_chunk,
            on_error=self._on_error,
        )

    # Recorder callbacks: recorder thread → queued signals to the GUI.
    def _on_level(self, value: float) -> None:
        now = time.monotonic()
        if now - self._last_level >= self.LEVEL_INTERVAL_S:
            self._last_level = now
            self.level.emit(float(value))

    def _on_chunk(self, samples: Any) -> None:
        sink = self.chunk_sink
        if sink is not None:
            try:
                sink(samples)
            except Exception as exc:  # never let live transcription break the recording
                log.warning("live transcription feed failed: %s", exc)
                self.chunk_sink = None

    def _on_error(self, message: str) -> None:
        self.device_error.emit(message)

    @Slot(str, object)
    def start(self, path: str, device: str | None) -> None:
        if self.recorder is not None and self.recorder.is_recording:
            self.failed.emit("Already recording.")
            return
        try:
            self.recorder = self._make(device)
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.recorder.start(Path(path))
        except Exception as exc:  # NoInputDevice, PortAudioError, OSError (disk full)…
            log.warning("recording could not start: %s", exc)
            self.recorder = None
            self.failed.emit(f"Could not start recording: {_message(exc)}")
            return
        # Say "recording" only once audio flows (a device can take ~2 s to deliver its first block).
        wait = getattr(self.recorder, "wait_until_capturing", None)
        if wait is not None:
            wait(3.0)
        self.started.emit(path)

    @Slot()
    def stop(self) -> None:
        if self.recorder is None:
            return
        recorder, self.recorder = self.recorder, None
        try:
            result = recorder.stop()
        except Exception as exc:
            log.warning("recording could not finish: %s", exc)
            self.failed.emit(f"Recording stopped with an error: {_message(exc)}")
            return
        self.stopped.emit(result)

    def stop_now(self) -> Any:
        """Shutdown only (thread already stopped): finish a running recording synchronously."""
        if self.recorder is None:
            return None
        recorder, self.recorder = self.recorder, None
        try:
            return recorder.stop()
        except Exception as exc:
            log.warning("recording could not finish at shutdown: %s", exc)
            return None


class AnalysisWorker(QObject):
    """Scores a transcript (the Analyzer is created lazily, on this thread)."""

    analysed = Signal(int, object, object)  # job id, Transcript, Analysis
    failed = Signal(int, str)

    def __init__(self, analyzer_factory: Callable[[], Any]) -> None:
        super().__init__()
        self._factory = analyzer_factory
        self._analyzer: Any = None

    @Slot()
    def warm_up(self) -> None:
        """Build the Analyzer ahead of the first answer (~0.4 s), so "stop" does not pay it."""
        try:
            if self._analyzer is None:
                self._analyzer = self._factory()
        except Exception as exc:  # reported again, with its message, at the first analyse()
            log.warning("analyzer could not be prepared: %s", exc)

    @Slot(int, object, object)
    def analyse(
        self, job_id: int, transcript: Any, question: Any, follow_up: str | None = None
    ) -> None:
        try:
            if self._analyzer is None:
                self._analyzer = self._factory()
            analysis = self._analyzer.analyze(transcript, question, follow_up=follow_up)
        except Exception as exc:
            log.warning("analysis failed: %s\n%s", exc, traceback.format_exc())
            self.failed.emit(job_id, f"Scoring failed: {_message(exc)}")
            return
        self.analysed.emit(job_id, transcript, analysis)


class ModelJobWorker(QObject):
    """Downloads or imports a model (long-running) with progress."""

    progress = Signal(float)  # 0..1, or -1 when unknown
    finished = Signal(object)  # ModelInfo
    failed = Signal(str)

    def __init__(self, models: Any) -> None:
        super().__init__()
        self._models = models

    def _progress(self, *args: Any) -> None:
        self.progress.emit(fraction(*args))

    @Slot(str)
    def download(self, name: str) -> None:
        try:
            info = self._models.download(name, progress=self._progress)
        except Exception as exc:  # a ModelDownloadError already names the model and the cause
            text = _message(exc)
            self.failed.emit(text if name in text else f"Download of {name} failed: {text}")
            return
        self.finished.emit(info)

    @Slot(str)
    def import_path(self, path: str) -> None:
        try:
            info = self._models.import_path(Path(path), progress=self._progress)
        except Exception as exc:
            self.failed.emit(f"Import of {path} failed: {_message(exc)}")
            return
        self.finished.emit(info)


class SpeechBridge(QObject):
    """Wraps the Speaker (which runs its own TTS thread): its callbacks become queued signals.

    ``speaking`` is True between ``started`` and ``finished``/``error``.
    """

    started = Signal()
    finished = Signal()
    error = Signal(str)

    def __init__(self, speaker_factory: Callable[..., Any]) -> None:
        super().__init__()
        self.speaking = False
        self.speaker = speaker_factory(
            on_started=self.started.emit,
            on_finished=self.finished.emit,
            on_error=self.error.emit,
        )
        self.started.connect(lambda: setattr(self, "speaking", True))
        self.finished.connect(lambda: setattr(self, "speaking", False))
        self.error.connect(lambda _m: setattr(self, "speaking", False))

    def say(self, text: str) -> None:
        if text.strip():
            self.speaking = True
            self.speaker.say(text)

    def stop(self) -> None:
        self.speaker.stop()

    def voices(self) -> list[tuple[str, str]]:
        return list(self.speaker.voices())

    def configure(self, voice: str | None, rate: int) -> None:
        if voice:
            self.speaker.set_voice(voice)
        self.speaker.set_rate(int(rate))

    def shutdown(self) -> None:
        try:
            self.speaker.shutdown()
        except Exception as exc:
            log.warning("speaker shutdown failed: %s", exc)
