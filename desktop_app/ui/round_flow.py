"""The window's side of a round: the interviewer's voice (the SpeechBridge) and the answers,
both reporting to a :class:`~desktop_app.session.runner.RoundRunner`.

``RoundAnswers`` hosts the practice core's per-answer flow (practice/flow.py, the same
AnswerFlow the Practice tab drives) on a recorder thread of its own, so the Practice tab's
recorder never sees a round's answers; the Pipeline transcribes and scores.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from desktop_app.domain import Question
from desktop_app.practice.flow import AnswerFlow, Event, FlowUpdate, Phase
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


class _RoundProcessing:
    """The Pipeline as the round flow's Processing, with live transcription fed by the round's
    own recorder (the Practice tab's recorder never sees a round's answers)."""

    def __init__(self, pipeline: Any, host: RoundAnswers) -> None:
        self.pipeline, self.host = pipeline, host

    def start_live(self) -> Any:
        live = self.pipeline.start_live()
        if live is not None:
            self.pipeline.recorder.chunk_sink = None
            self.host.live_feed = live.feed
        return live

    def cancel_live(self, live: Any) -> None:
        self.host.live_feed = None
        self.pipeline.cancel_live(live)

    def finish_live(self, attempt_id: int, live: Any) -> None:
        self.host.live_feed = None
        self.pipeline.finish_live(attempt_id, live)

    def submit(self, attempt_id: int) -> bool:
        return self.pipeline.submit(attempt_id)

    def analyse(self, attempt_id: int, transcript: Any) -> None:
        self.pipeline.analyse(attempt_id, transcript)


class _SignalRecorder:
    """The flow's Recorder: queued signals to the round's recorder thread."""

    def __init__(self, host: RoundAnswers) -> None:
        self._host = host

    def start(self, path: Path, device: str | None) -> None:
        self._host._req_start.emit(str(path), device)

    def stop(self) -> None:
        self._host._req_stop.emit()


class RoundAnswers(QObject):
    """The round's answers through the practice core's :class:`AnswerFlow` (the one the
    Practice tab drives), on a recorder thread of its own; reports to ``runner`` (set before
    use). Signals: ``attempt_saved(id)`` (History refreshes), ``level(float)`` for a meter,
    ``notice(str)``."""

    attempt_saved = Signal(int)
    level = Signal(float)
    notice = Signal(str)
    _req_start = Signal(str, object)
    _req_stop = Signal()
    _block = Signal(object)  # an audio block, from the recorder thread to the GUI thread

    def __init__(self, services: Any, pipeline: Any, round_id: int,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.services, self.pipeline = services, pipeline
        self.runner: Any = None
        self.live_feed: Any = None  # the live transcriber's feed() while one listens
        self.recorder = RecordingWorker(services.sd)
        self.recorder.chunk_sink = self._on_block
        self._thread = WorkerThread(self.recorder, "round-recording")
        self._req_start.connect(self.recorder.start)
        self._req_stop.connect(self.recorder.stop)
        self.flow = AnswerFlow(services.attempts, _SignalRecorder(self),
                               _RoundProcessing(pipeline, self),
                               services.paths.recordings, session_id=round_id,
                               session_kind="interview")
        self.flow.subscribe(self._on_update)
        # The recorder's signals come from its thread: slots of this QObject (on the GUI thread)
        # receive them queued and tell the flow, which is not a QObject.
        rec = self.recorder
        rec.started.connect(self._on_started)
        rec.stopped.connect(self._on_stopped)
        rec.failed.connect(self._on_rec_failed)
        rec.device_error.connect(self._on_device_error)
        self._block.connect(self._on_audio)
        rec.level.connect(self.level)
        pipeline.attempt_scored.connect(self._on_scored)
        pipeline.attempt_failed.connect(self._on_failed)
        pipeline.attempt_silent.connect(self._on_silent)
        pipeline.attempt_transcribed.connect(self._on_transcribed)
        self._mine: set[int] = set()
        self._stop_asked = False
        self._recording_id: int | None = None  # the answer being recorded

    @property
    def round_id(self) -> int | None:
        return self.flow.session_id

    @round_id.setter
    def round_id(self, value: int) -> None:
        self.flow.session_id = value

    def _on_block(self, block: Any) -> None:
        """On the recorder thread: the live transcriber's cheap feed, then the hands-free stop's
        tracker on the GUI thread."""
        feed = self.live_feed
        if feed is not None:
            try:
                feed(block)
            except Exception as exc:  # the recording and the hands-free stop carry on
                log.warning("live transcription feed failed: %s", exc)
                self.live_feed = None
        self._block.emit(block)

    def _on_started(self, path: str) -> None:
        self.flow.recording_started(path)

    def _on_stopped(self, result: Any) -> None:
        self.flow.recording_stopped(result)

    def _on_rec_failed(self, message: str) -> None:
        self.flow.recording_failed(message)

    def _on_device_error(self, message: str) -> None:
        self.flow.device_lost(message)

    def _on_audio(self, block: Any) -> None:
        self.runner.audio(block)

    # ----- what the runner asks ---------------------------------------------------------------
    def record(self, question: Question, follow_up: str | None,
               parent_attempt_id: int | None) -> None:
        if self.services.sd is None:
            self.runner.answer_failed("Recording is unavailable: no audio system.", "record")
            return
        self.flow.show(question)
        if follow_up and parent_attempt_id is not None:
            self.flow.follow_up = (parent_attempt_id, follow_up)
        self._stop_asked = False
        if self.flow.start(self.services.settings.input_device) is None:
            self.runner.answer_failed("An answer is still being saved.", "record")

    def stop(self) -> None:
        if self.flow.phase is Phase.STARTING:
            self._stop_asked = True  # stopped (pause, end) while the microphone opened
        self.flow.stop()

    def rescore(self, attempt_id: int) -> None:
        """After a restart: the stored scores, or score the stored recording again."""
        self._mine.add(attempt_id)
        stored = self.services.attempts.load(attempt_id)
        if stored is not None and stored.analysis is not None:
            self.runner.answer_scored(attempt_id, stored.analysis.scores.get("overall"),
                                      stored.analysis.follow_up)
        elif stored is None or not self.pipeline.submit(attempt_id):
            self.runner.answer_failed("The stored answer could not be scored again.", "score",
                                      attempt_id)

    # ----- what the flow reports --------------------------------------------------------------
    def _on_update(self, u: FlowUpdate) -> None:
        r = self.runner
        if u.event is Event.RECORDING_STARTED:
            self._recording_id = u.attempt_id
            r.recording_started()
            if self._stop_asked:
                self.flow.stop()
        elif u.event is Event.STOPPED and u.attempt_id is not None:
            self._recording_id = None
            self._mine.add(u.attempt_id)
            self.attempt_saved.emit(u.attempt_id)
            r.answer_saved(u.attempt_id if u.seconds > 0.05 else None, u.seconds)
            if u.seconds > 0.05 and getattr(self.pipeline, "state", "ready") not in (
                    "ready", "loading"):  # no model: it is scored once one is installed
                r.answer_failed("No transcription model yet: this answer is kept and scored "
                                "once a model is installed.", "score", u.attempt_id)
        elif u.event is Event.RECORD_FAILED:
            r.answer_failed(u.message, "record")
        elif u.event is Event.SCORED and u.attempt_id in self._mine:
            r.answer_scored(u.attempt_id, u.analysis.scores.get("overall"), u.analysis.follow_up)
        elif u.event is Event.FAILED and u.attempt_id in self._mine:
            r.answer_failed(u.message, "score", u.attempt_id)
        elif u.event is Event.NOTICE:
            self.notice.emit(u.message)

    def _on_scored(self, attempt_id: int, transcript: Any, analysis: Any) -> None:
        if attempt_id in self._mine:
            self.flow.scored(attempt_id, transcript, analysis)

    def _on_failed(self, attempt_id: int, message: str) -> None:
        if attempt_id in self._mine:
            self.flow.failed(attempt_id, message)

    def _on_silent(self, attempt_id: int) -> None:
        if attempt_id in self._mine:
            self.runner.answer_silent(attempt_id)

    def _on_transcribed(self, attempt_id: int, _transcript: Any) -> None:
        if attempt_id in self._mine:
            self.runner.answer_transcribed(attempt_id)

    def shutdown(self) -> None:
        """Stop the recorder thread; a recording cut short is kept as a saved answer."""
        self._thread.stop()
        result = self.recorder.stop_now()
        if result is None or self._recording_id is None:
            return
        try:
            self.services.attempts.interrupted(self._recording_id, Path(result.path),
                                               float(result.duration_s))
        except Exception as exc:
            log.warning("could not save the round's interrupted answer: %s", exc)
