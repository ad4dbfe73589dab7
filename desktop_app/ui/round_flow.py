"""The window's side of a round: the interviewer's voice (the SpeechBridge) and the per-answer
flow (record → store → transcribe → score, through the Pipeline), both reporting to a
:class:`~desktop_app.session.runner.RoundRunner`.

``RoundAnswers`` is the round's stand-in for the practice core's per-answer flow, which is being
extracted on another branch (practice/flow.py); it records on a recorder thread of its own, so
the Practice tab's recorder never sees a round's answers, and uses the Pipeline for the rest.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.domain import Attempt, Question
from desktop_app.storage.repository import now_iso
from desktop_app.ui.workers import RecordingWorker, WorkerThread

log = logging.getLogger(__name__)

READ_WPS = 3.0  # captions only (no speech): time to read the line, words per second


class RoundVoice(QObject):
    """Speaks the interviewer's lines; calls ``started()``/``finished()`` once per line.

    A line stopped before it was heard reports nothing from the speaker, and one stopped while
    heard reports its end later; so a ``finished`` counts only after a ``started`` that came
    after the line was asked for. Without speech, each line shows for its reading time."""

    def __init__(self, speech: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.speech = speech
        self.on_started: Any = None
        self.on_finished: Any = None
        self._line = 0  # lines asked for
        self._heard = 0  # the line whose start was heard
        self._stale_ends = 0  # ends still to come from lines stopped while heard
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._done)
        if speech is not None:
            speech.started.connect(self._on_started)
            speech.finished.connect(self._on_finished)
            speech.error.connect(self._on_error)

    def say(self, text: str) -> None:
        self._line += 1
        if self.speech is None:
            self._timer.start(int(1000 * max(1.5, len(text.split()) / READ_WPS)))
            return
        self.speech.say(text)

    def stop(self) -> None:
        self._timer.stop()
        if self.speech is not None:
            if self._heard == self._line and self.speech.speaking:
                self._stale_ends += 1
            self._heard = -1
            self.speech.stop()

    def _on_started(self) -> None:
        self._heard = self._line
        if self.on_started is not None:
            self.on_started()

    def _on_finished(self) -> None:
        if self._stale_ends:
            self._stale_ends -= 1
            return
        if self._heard == self._line:
            self._heard = -1
            self._done()

    def _on_error(self, _message: str) -> None:
        self._stale_ends = 0
        self._timer.start(1500)  # the caption stays readable; the round goes on

    def _done(self) -> None:
        if self.on_finished is not None:
            self.on_finished()


class RoundAnswers(QObject):
    """Records, stores and scores a round's answers; reports to ``runner`` (set before use).

    Signals: ``attempt_saved(id)`` (History refreshes), ``level(float)`` for a meter."""

    attempt_saved = Signal(int)
    level = Signal(float)
    _req_start = Signal(str, object)
    _req_stop = Signal()

    def __init__(self, services: Any, pipeline: Any, round_id: int,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services, self.pipeline, self.round_id = services, pipeline, round_id
        self.runner: Any = None
        self.recorder = RecordingWorker(services.sd)
        self.recorder.forward_chunks = True
        self._thread = WorkerThread(self.recorder, "round-recording")
        self._req_start.connect(self.recorder.start)
        self._req_stop.connect(self.recorder.stop)
        self.recorder.started.connect(self._on_started)
        self.recorder.stopped.connect(self._on_stopped)
        self.recorder.failed.connect(self._on_record_failed)
        self.recorder.device_error.connect(self._on_device_error)
        self.recorder.chunk.connect(self._on_chunk)
        self.recorder.level.connect(self.level)
        pipeline.attempt_scored.connect(self._on_scored)
        pipeline.attempt_failed.connect(self._on_failed)
        self._mine: set[int] = set()
        self._attempt: Attempt | None = None  # the answer being recorded
        self._live: Any = None
        self._stop_asked = False

    # ----- AnswerFlow ---------------------------------------------------------------------
    def record(self, question: Question, follow_up: str | None,
               parent_attempt_id: int | None) -> None:
        if self.services.sd is None:
            self.runner.answer_failed("Recording is unavailable: no audio system.", "record")
            return
        rec_dir = self.services.paths.recordings
        stem = f"{datetime.now():%Y%m%d-%H%M%S}-round{self.round_id}-" + re.sub(
            r"[^A-Za-z0-9_-]+", "-", question.id)[:40]
        path, n = rec_dir / f"{stem}.wav", 1
        while path.exists() or path.with_name(path.stem + ".partial.wav").exists():
            n += 1
            path = rec_dir / f"{stem}-{n}.wav"
        self._attempt = Attempt(
            id=None, question_id=question.id, started_at=now_iso(),
            audio_path=self.services.paths.relative(path), status="recording",
            session_id=self.round_id, parent_attempt_id=parent_attempt_id,
            prompt_text=follow_up)
        self._stop_asked = False
        self._live = self.pipeline.start_live()
        if self._live is not None:  # fed by this round's recorder, not the Practice tab's
            self.pipeline.recorder.chunk_sink = None
            self.recorder.chunk_sink = self._live.feed
        self._req_start.emit(str(path), self.services.settings.input_device)

    def stop(self) -> None:
        self._stop_asked = True
        self._req_stop.emit()

    def rescore(self, attempt_id: int) -> None:
        """After a restart: the stored scores, or score the stored recording again."""
        self._mine.add(attempt_id)
        attempt = self.services.repo.get_attempt(attempt_id)
        if attempt is not None and attempt.status == "scored" and attempt.analysis_json:
            analysis = json.loads(attempt.analysis_json)
            self.runner.answer_scored(attempt_id, analysis.get("scores", {}).get("overall"),
                                      analysis.get("follow_up"))
        elif attempt is None or not self.pipeline.submit(attempt_id):
            self.runner.answer_failed("The stored answer could not be scored again.", "score",
                                      attempt_id)

    # ----- recorder -----------------------------------------------------------------------
    def _on_started(self, _path: str) -> None:
        a = self._attempt
        if a is not None:
            try:
                a.id = self.services.repo.add_attempt(a)
                self._mine.add(a.id)
            except Exception as exc:  # the WAV is still written; the row comes at the stop
                log.warning("could not add the round's attempt: %s", exc)
        self.runner.recording_started()
        if self._stop_asked:  # stopped (pause, end) while the microphone opened
            self._req_stop.emit()

    def _on_chunk(self, block: Any) -> None:
        self.runner.audio(block)

    def _on_stopped(self, result: Any) -> None:
        a, self._attempt = self._attempt, None
        live, self._live = self._live, None
        self.recorder.chunk_sink = None
        if a is None:
            return
        fields = dict(ended_at=now_iso(), duration_s=float(result.duration_s), status="recorded",
                      audio_path=self.services.paths.relative(result.path),
                      error=getattr(result, "error", None))
        try:
            if a.id is None:
                a.id = self.services.repo.add_attempt(replace(a, **fields))
                self._mine.add(a.id)
            else:
                self.services.repo.update_attempt(a.id, **fields)
        except Exception as exc:
            if live is not None:
                self.pipeline.cancel_live(live)
            self.runner.answer_failed(f"Could not save the answer: {exc}. The recording is kept "
                                      f"at {result.path}.", "record")
            return
        self.attempt_saved.emit(a.id)
        empty = result.duration_s <= 0.05
        self.runner.answer_saved(None if empty else a.id, float(result.duration_s))
        if empty:
            if live is not None:
                self.pipeline.cancel_live(live)
        elif live is not None:
            self.pipeline.finish_live(a.id, live)
        else:
            self.pipeline.submit(a.id)

    def _on_record_failed(self, message: str) -> None:
        if self._live is not None:
            self.pipeline.cancel_live(self._live)
            self._live = None
        self._attempt = None
        self.runner.answer_failed(message, "record")

    def _on_device_error(self, message: str) -> None:
        log.warning("round recording: %s", message)
        self.stop()  # the audio so far is kept and scored

    # ----- scoring ------------------------------------------------------------------------
    def _on_scored(self, attempt_id: int, _transcript: Any, analysis: Any) -> None:
        if attempt_id in self._mine:
            self.runner.answer_scored(attempt_id, analysis.scores.get("overall"),
                                      analysis.follow_up)

    def _on_failed(self, attempt_id: int, message: str) -> None:
        if attempt_id in self._mine:
            self.runner.answer_failed(message, "score", attempt_id)

    def shutdown(self) -> Path | None:
        """Stop the recorder thread; a recording cut short is kept as a saved answer."""
        self._thread.stop()
        result = self.recorder.stop_now()
        a = self._attempt
        if result is None or a is None or a.id is None:
            return None
        try:
            self.services.repo.update_attempt(
                a.id, status="recorded", ended_at=now_iso(), duration_s=float(result.duration_s),
                audio_path=self.services.paths.relative(result.path))
        except Exception as exc:
            log.warning("could not save the round's interrupted answer: %s", exc)
        return Path(result.path)
