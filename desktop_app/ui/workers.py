"""The thin Qt glue that runs core calls off the GUI thread.

Each worker is a QObject moved to its own QThread (see :class:`WorkerThread`); the GUI talks to it
through queued signal→slot connections and hears back through its signals. Callbacks fired on
non-Qt threads (the Recorder's and the Speaker's) are turned into signals, which Qt queues to the
GUI thread. Nothing here blocks the GUI thread except :meth:`WorkerThread.stop` at shutdown.
"""

from __future__ import annotations

import logging
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal, Slot

from desktop_app import heap
from desktop_app.transcription.host import EngineHost, message_of

log = logging.getLogger(__name__)


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
    """Runs the :class:`~desktop_app.transcription.host.EngineHost`'s loads and whole-file jobs
    on its own thread and reports them as signals. The host owns the engine (load once, swap,
    wait until ready, one request at a time); live transcription reaches it through
    ``host.decoder()`` from its own thread.

    Jobs arrive as queued slot calls, so Qt's event queue is the job queue: a file job sent while
    the model is still loading simply runs after it.
    """

    model_loading = Signal(str)  # model name (or "" for the default)
    model_ready = Signal(str)  # model name
    model_missing = Signal(str)  # how-to-get-one message
    progress = Signal(int, float)  # job id, 0..1
    transcribed = Signal(int, object)  # job id, Transcript
    failed = Signal(int, str)  # job id, message

    def __init__(self, host: EngineHost) -> None:
        super().__init__()
        self.host = host

    @Slot(object)
    def load_model(self, name: str | None) -> None:
        """(Re)load a model by name (None = the default one). Runs on the worker thread."""
        self.model_loading.emit(name or "")
        try:
            info = self.host.load(name)
        except Exception:
            self.model_missing.emit(self.host.missing or "")
            return
        self.model_ready.emit(info.name)

    @Slot(int, str)
    def transcribe_file(self, job_id: int, path: str) -> None:
        """Transcribe a whole recording; emits ``progress`` then ``transcribed`` or ``failed``."""
        try:
            from desktop_app.audio.wavio import read_audio_16k

            samples = read_audio_16k(Path(path))
            self.progress.emit(job_id, 0.0)
            transcript = self.host.transcribe(
                samples, progress=lambda *a: self.progress.emit(job_id, fraction(*a)))
        except Exception as exc:
            log.warning("transcription of %s failed: %s", path, exc)
            log.debug("%s", traceback.format_exc())
            self.failed.emit(job_id, message_of(exc))
            return
        self.progress.emit(job_id, 1.0)
        self.transcribed.emit(job_id, transcript)


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
            self.failed.emit(f"Could not start recording: {message_of(exc)}")
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
            self.failed.emit(f"Recording stopped with an error: {message_of(exc)}")
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
                heap.settle("analyser")  # its models and lexicons live until the app quits
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
            self.failed.emit(job_id, f"Scoring failed: {message_of(exc)}")
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
            text = message_of(exc)
            self.failed.emit(text if name in text else f"Download of {name} failed: {text}")
            return
        self.finished.emit(info)

    @Slot(str)
    def import_path(self, path: str) -> None:
        try:
            info = self._models.import_path(Path(path), progress=self._progress)
        except Exception as exc:
            self.failed.emit(f"Import of {path} failed: {message_of(exc)}")
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
