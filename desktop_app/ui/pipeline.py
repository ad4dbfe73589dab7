"""GUI-side controller of the worker threads: record → save → transcribe → score → save.

The :class:`Pipeline` lives on the GUI thread. It owns the recording, transcription and analysis
workers (each on its own QThread), talks to them only through queued signals, and does the small
SQLite writes itself (a SQLite connection belongs to the thread that opened it).

Live mode (``settings.live_transcription``): :meth:`Pipeline.start_live` creates a
:class:`~desktop_app.ui.live_session.LiveSession` fed by the recorder thread; after "stop",
:meth:`Pipeline.finish_live` turns its transcript into the same save → analyse → save path as a
whole-file job. If live transcription fails for any reason, the saved WAV is transcribed whole.

Re-transcribing an attempt that already has a transcript (``submit(id, hold=True)``) never
overwrites it: the new transcript and scores are held (``pending(id)``, signal
``attempt_rescored``) until the user keeps them (``keep_new``) or the stored ones
(``keep_previous``).
"""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop_app.transcription.host import EngineHost
from desktop_app.ui.workers import (
    AnalysisWorker,
    RecordingWorker,
    TranscriptionWorker,
    WorkerThread,
)

log = logging.getLogger(__name__)

NO_MODEL_HINT = "No transcription model — Settings → Model"


class Pipeline(QObject):
    """Runs attempts through transcription and scoring, and reports model state.

    Signals: ``model_state(state, text)`` with state ``loading|ready|missing``;
    ``attempt_progress(id, fraction)``; ``attempt_transcribing(id)``;
    ``attempt_transcribed(id, transcript)`` (stored, scoring next);
    ``attempt_scored(id, transcript, analysis)`` (stored); ``attempt_rescored(id, transcript,
    analysis)`` (held, not stored); ``attempt_failed(id, message)``; ``attempt_silent(id)``
    (no speech detected: stored as status "silent", not scored, no follow-up).
    """

    model_state = Signal(str, str)
    attempt_transcribing = Signal(int)
    attempt_transcribed = Signal(int, object)  # stored; scoring follows
    attempt_progress = Signal(int, float)
    attempt_scored = Signal(int, object, object)
    attempt_rescored = Signal(int, object, object)
    attempt_failed = Signal(int, str)
    attempt_silent = Signal(int)

    # Requests to workers (queued across threads).
    _req_load = Signal(object)
    _req_file = Signal(int, str)
    _req_analyse = Signal(int, object, object, object)  # id, transcript, question, follow-up
    _req_warm = Signal()

    def __init__(self, services: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.attempts = services.attempts
        self.state = "idle"
        self.state_text = ""
        self.model_name: str | None = None
        self._waiting_for_model: list[int] = []
        self._active: set[int] = set()
        self._live: dict[int, Any] = {}  # attempt id -> LiveSession being finished
        self._holding: set[int] = set()  # re-transcriptions whose result must not be stored
        self._pending: dict[int, tuple[Any, Any]] = {}  # held (transcript, analysis)

        self.host = EngineHost(services.models, services.engine_factory)
        self.transcriber = TranscriptionWorker(self.host)
        self.analyser = AnalysisWorker(services.analyzer_factory)
        self.recorder = RecordingWorker(services.sd)
        self._threads = [
            WorkerThread(self.transcriber, "transcription"),
            WorkerThread(self.analyser, "analysis"),
            WorkerThread(self.recorder, "recording"),
        ]
        self._req_load.connect(self.transcriber.load_model)
        self._req_file.connect(self.transcriber.transcribe_file)
        self._req_analyse.connect(self.analyser.analyse)
        self._req_warm.connect(self.analyser.warm_up)
        t = self.transcriber
        t.model_loading.connect(self._on_loading)
        t.model_ready.connect(self._on_ready)
        t.model_missing.connect(self._on_missing)
        t.progress.connect(self.attempt_progress)
        t.transcribed.connect(self._on_transcribed)
        t.failed.connect(self._on_transcription_failed)
        self.analyser.analysed.connect(self._on_analysed)
        self.analyser.failed.connect(self._on_analysis_failed)

    # ---- model -------------------------------------------------------------------------------
    def load_model(self, name: str | None = None) -> None:
        """Ask the transcription worker to load ``name`` (None = the default model)."""
        self._on_loading(name or "")
        self._req_load.emit(name)

    def _on_loading(self, name: str) -> None:
        self.state = "loading"
        self.state_text = f"Loading model {name}…" if name else "Loading model…"
        self.model_state.emit(self.state, self.state_text)

    def _on_ready(self, name: str) -> None:
        self.state, self.model_name = "ready", name
        self.state_text = f"Model {name} ready"
        self.model_state.emit(self.state, self.state_text)
        self._req_warm.emit()  # the analyser gets ready while the user reads the question
        waiting, self._waiting_for_model = self._waiting_for_model, []
        for attempt_id in waiting:
            self.submit(attempt_id, hold=attempt_id in self._holding)

    def _on_missing(self, message: str) -> None:
        self.state, self.model_name = "missing", None
        self.state_text = f"{NO_MODEL_HINT}: {message}"
        self.model_state.emit(self.state, self.state_text)

    # ---- attempts ----------------------------------------------------------------------------
    def submit(self, attempt_id: int, *, hold: bool = False) -> bool:
        """Queue a saved attempt for transcription and scoring. False if it has no audio.
        With ``hold``, the result is kept aside (``pending``) instead of replacing the stored
        transcript and scores."""
        path = self.attempts.audio_file(attempt_id)
        if path is None:
            self.attempt_failed.emit(attempt_id, "This attempt has no recording to transcribe.")
            return False
        if hold:
            self._holding.add(attempt_id)
            self._pending.pop(attempt_id, None)
        self._active.add(attempt_id)
        self.attempt_transcribing.emit(attempt_id)
        self._req_file.emit(attempt_id, str(path))
        return True

    def analyse(self, attempt_id: int, transcript: Any) -> None:
        """Score a stored transcript that needs no transcribing (a typed answer)."""
        self._active.add(attempt_id)
        self._req_analyse.emit(attempt_id, transcript, *self._question_for(attempt_id))

    # ---- live transcription ------------------------------------------------------------------
    def start_live(self) -> Any:
        """A LiveSession fed by the next recording, or None (setting off, or it cannot start).

        Call just before starting the recorder; the model may still be loading (the session
        buffers until it is ready)."""
        if not getattr(self.services.settings, "live_transcription", False):
            return None
        try:
            from desktop_app.transcription.live import engine_chunk_fn
            from desktop_app.ui.live_session import LiveSession

            session = LiveSession(engine_chunk_fn(self.host.decoder()), parent=self)
        except Exception as exc:  # bad assets/live.toml, out of threads…
            log.warning("live transcription unavailable, transcribing after stop: %s", exc)
            return None
        self.recorder.chunk_sink = session.feed
        return session

    def cancel_live(self, session: Any) -> None:
        """Drop a session whose recording failed or was empty."""
        if self.recorder.chunk_sink == session.feed:
            self.recorder.chunk_sink = None
        session.cancel()
        session.deleteLater()

    def finish_live(self, attempt_id: int, session: Any) -> None:
        """The recording is saved: finish the live transcript (off the GUI thread), then score.

        With no model loaded or loading, the session is dropped and the file is queued as today
        (it is transcribed when a model arrives)."""
        if self.recorder.chunk_sink == session.feed:
            self.recorder.chunk_sink = None
        if self.state not in ("ready", "loading"):
            self.cancel_live(session)
            self.submit(attempt_id)
            return
        self._live[attempt_id] = session
        self._active.add(attempt_id)
        self.attempt_transcribing.emit(attempt_id)
        session.finished.connect(self._on_live_finished)
        session.failed.connect(self._on_live_failed)
        session.finish(attempt_id)

    def _drop_live(self, attempt_id: int) -> None:
        session = self._live.pop(attempt_id, None)
        if session is not None:
            session.deleteLater()

    def _on_live_finished(self, attempt_id: int, transcript: Any) -> None:
        self._drop_live(attempt_id)
        self._on_transcribed(attempt_id, transcript)

    def _on_live_failed(self, attempt_id: int, message: str) -> None:
        self._drop_live(attempt_id)
        log.warning("live transcription of attempt %s failed (%s); transcribing the saved "
                    "recording instead", attempt_id, message)
        self._active.discard(attempt_id)
        self.submit(attempt_id)

    def is_busy(self, attempt_id: int) -> bool:
        return attempt_id in self._active

    def is_holding(self, attempt_id: int) -> bool:
        """A re-transcription of this attempt is running; its result will be held."""
        return attempt_id in self._holding

    def pending(self, attempt_id: int) -> tuple[Any, Any] | None:
        """The held (transcript, analysis) of a re-transcription, not stored yet."""
        return self._pending.get(attempt_id)

    def keep_new(self, attempt_id: int) -> bool:
        """Store the held result over the previous one; False if there is none or saving fails
        (the previous result is then still stored, and the new one still held)."""
        held = self._pending.get(attempt_id)
        if held is None:
            return False
        transcript, analysis = held
        try:
            self.attempts.rescored(attempt_id, transcript, analysis, self.model_name)
        except Exception as exc:
            self.attempt_failed.emit(attempt_id, f"Could not save the new transcript: {exc}")
            return False
        del self._pending[attempt_id]
        self.attempt_scored.emit(attempt_id, transcript, analysis)
        return True

    def rescore_edited(self, attempt_id: int, transcript: Any) -> bool:
        """Store the candidate's corrected ``transcript`` (the one it replaces becomes an
        earlier version) and score it again; ``attempt_scored`` follows. False if saving fails."""
        if attempt_id in self._active:
            return False
        try:
            self.attempts.keep_version(attempt_id)
        except Exception as exc:
            self.attempt_failed.emit(attempt_id, f"Could not keep the earlier transcript: {exc}")
            return False
        self._active.add(attempt_id)
        self.attempt_transcribing.emit(attempt_id)
        self._on_transcribed(attempt_id, transcript)
        return True

    def restore_version(self, attempt_id: int, version_id: int) -> str | None:
        """Put an earlier transcript version back in use (the one in use is kept as a version)
        and score it again with today's analyser; ``attempt_scored`` follows. Returns why not
        (the attempt is busy, or saving failed: nothing changed then), None when done."""
        if attempt_id in self._active:
            return "This answer is being transcribed or scored; use the version once it is done."
        if attempt_id in self._pending:
            return "A new transcript is waiting: keep the new one or the previous one first."
        try:
            stored = self.attempts.restore_version(attempt_id, version_id)
        except Exception as exc:
            return f"Could not use that version: {exc}"
        if stored.transcript is not None:
            self._active.add(attempt_id)
            self.attempt_transcribing.emit(attempt_id)
            self._req_analyse.emit(attempt_id, stored.transcript,
                                   *self._question_for(attempt_id))
        return None

    def keep_previous(self, attempt_id: int) -> None:
        """Drop the held result; the stored transcript and scores stay as they are."""
        self._pending.pop(attempt_id, None)

    def _question_for(self, attempt_id: int) -> tuple[Any, str | None]:
        """The attempt's question, and the follow-up it answers (judged on what that asked)."""
        attempt = self.attempts.get(attempt_id)
        if attempt is None:
            return None, None
        return self.services.bank.get(attempt.question_id), attempt.prompt_text

    def _on_transcribed(self, attempt_id: int, transcript: Any) -> None:
        if not transcript.words and not transcript.text.strip():  # silence is not an answer
            self._on_silent(attempt_id, transcript)
            return
        if attempt_id not in self._holding:
            try:
                self.attempts.transcribed(attempt_id, transcript, self.model_name)
            except Exception as exc:  # disk full, database locked
                self._fail(attempt_id, f"Could not save the transcript: {exc}")
                return
            self.attempt_transcribed.emit(attempt_id, transcript)
        elif not transcript.model:
            transcript.model = self.model_name or ""
        self._req_analyse.emit(attempt_id, transcript, *self._question_for(attempt_id))

    def _on_silent(self, attempt_id: int, transcript: Any) -> None:
        self._active.discard(attempt_id)
        if attempt_id in self._holding:  # re-transcribed to nothing: the stored result stays
            self._holding.discard(attempt_id)
            self.attempt_failed.emit(attempt_id, "Re-transcribing heard no speech; the previous "
                                                 "transcript and scores are kept.")
            return
        try:
            self.attempts.silent(attempt_id, transcript, self.model_name)
        except Exception as exc:  # disk full, database locked: the recording stays
            log.warning("could not mark attempt %s silent: %s", attempt_id, exc)
        self.attempt_silent.emit(attempt_id)

    def _on_transcription_failed(self, attempt_id: int, message: str) -> None:
        if self.state != "ready":  # no model: keep it, transcribe when one arrives
            if attempt_id not in self._waiting_for_model:
                self._waiting_for_model.append(attempt_id)
            self._active.discard(attempt_id)
            if attempt_id not in self._holding:
                self._safely(self.attempts.waiting, attempt_id, message)
            self.attempt_failed.emit(attempt_id, f"Recording kept; not transcribed: {message}")
            return
        self._fail(attempt_id, message)

    def _on_analysed(self, attempt_id: int, transcript: Any, analysis: Any) -> None:
        self._active.discard(attempt_id)
        if attempt_id in self._holding:
            self._holding.discard(attempt_id)
            self._pending[attempt_id] = (transcript, analysis)
            self.attempt_rescored.emit(attempt_id, transcript, analysis)
            return
        try:
            self.attempts.scored(attempt_id, analysis)
        except Exception as exc:
            self._fail(attempt_id, f"Could not save the scores: {exc}")
            return
        self.attempt_scored.emit(attempt_id, transcript, analysis)

    def _on_analysis_failed(self, attempt_id: int, message: str) -> None:
        self._fail(attempt_id, message)

    def _fail(self, attempt_id: int, message: str) -> None:
        self._active.discard(attempt_id)
        if attempt_id in self._holding:  # a re-transcription failed: the stored result stays
            self._holding.discard(attempt_id)
            self.attempt_failed.emit(attempt_id, f"Re-transcribing failed ({message}); the "
                                                 "previous transcript and scores are kept.")
            return
        self._safely(self.attempts.failed, attempt_id, message)
        self.attempt_failed.emit(attempt_id, message)

    @staticmethod
    def _safely(transition: Any, attempt_id: int, message: str) -> None:
        try:
            transition(attempt_id, message)
        except Exception as exc:
            log.warning("could not update attempt %s: %s", attempt_id, exc)

    # ---- shutdown ----------------------------------------------------------------------------
    def shutdown(self) -> Any:
        """Stop every worker thread; returns a RecordingResult if a recording had to be cut."""
        self.recorder.chunk_sink = None
        self.host.close()  # live transcription waiting for a model gives up
        for session in list(self._live.values()):
            session.cancel()
        self._live.clear()
        for wt in self._threads:
            wt.stop()
        self.host.release()
        return self.recorder.stop_now()
