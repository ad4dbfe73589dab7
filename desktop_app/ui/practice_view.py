"""Practice: pick a question, hear it, record the answer, see the transcript and the scorecard."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import Attempt, Question
from desktop_app.storage.repository import now_iso
from desktop_app.textfmt import fmt_score, kind_label, shorten
from desktop_app.ui.answer_actions import AnswerActions
from desktop_app.ui.answer_area import AnswerArea
from desktop_app.ui.playback import play_from
from desktop_app.ui.question_picker import QuestionPicker
from desktop_app.ui.record_bar import RecordBar
from desktop_app.ui.widgets import Banner


class PracticeView(QWidget):
    """The practice screen.

    Test hooks (attributes): ``picker`` (QuestionPicker), ``question_label``, ``speak_button``,
    ``skip_button``, ``record_button`` (checkable; Space / Ctrl+R toggle it), ``level_meter``,
    ``elapsed_label``, ``status_label``, ``progress_bar``, ``banner``, ``scorecard``,
    ``transcript_view`` (= scorecard.transcript_view), ``live_view`` (the transcript growing while
    the candidate talks), ``live_state_label`` ("Listening…", "Transcribing…", "Catching up…"),
    ``live_session`` (the LiveSession of the running recording, or None), ``current_question``,
    ``current_attempt_id``, ``state`` ("idle" | "starting" | "recording" | "stopping").
    Signals: ``attempt_saved(id)`` once the recording is stored (status "recorded"),
    ``attempt_scored(id)`` once transcript + scores are stored, ``recording_started(path)``.
    Methods: ``toggle_recording()``, ``start_recording()``, ``stop_recording()``,
    ``answer_follow_up(text)``.
    """

    attempt_saved = Signal(int)
    attempt_scored = Signal(int)
    recording_started = Signal(str)

    _req_start = Signal(str, object)
    _req_stop = Signal()

    def __init__(self, services: Any, pipeline: Any, speech: Any = None, player: Any = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.pipeline, self.speech, self.player = services, pipeline, speech, player
        self.current_question: Question | None = None
        self.current_attempt_id: int | None = None
        self._recording_attempt: int | None = None
        self._follow_up: tuple[int, str] | None = None  # (parent attempt id, prompt) to record
        self.session_id: int | None = None
        self.live_session: Any = None
        # attempt id -> (question, follow-up prompt or None) it answered in this session
        self._answered: dict[int, tuple[Question | None, str | None]] = {}
        self.state = "idle"
        self._started_at = ""
        self._build()
        rec = pipeline.recorder
        self._req_start.connect(rec.start)
        self._req_stop.connect(rec.stop)
        rec.started.connect(self._on_started)
        rec.stopped.connect(self._on_stopped)
        rec.failed.connect(self._on_record_failed)
        rec.device_error.connect(self._on_device_error)
        rec.level.connect(self.level_meter.set_level)
        pipeline.attempt_transcribing.connect(self._on_transcribing)
        pipeline.attempt_progress.connect(self._on_progress)
        pipeline.attempt_scored.connect(self._on_scored)
        pipeline.attempt_failed.connect(self._on_failed)
        if speech is not None:
            speech.started.connect(self._update_speech_buttons)
            speech.finished.connect(self._update_speech_buttons)
            speech.error.connect(self._on_speech_error)
        self._update_speech_buttons()
        if services.sd is None:
            self.record_button.setEnabled(False)
            self.record_button.setToolTip("Recording is unavailable (see the notice above).")

    # ---- layout ------------------------------------------------------------------------------
    def _build(self) -> None:
        self.picker = QuestionPicker(self.services.bank)
        self.picker.question_selected.connect(self.set_question)
        self.banner = Banner()
        self.question_label = QLabel("Pick a question on the left, or press “Next question”.")
        self.question_label.setObjectName("questionText")
        self.question_label.setWordWrap(True)
        self.question_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta_label = QLabel()
        self.meta_label.setStyleSheet("color: #627d98;")
        self.speak_button = QPushButton("Speak question")
        self.speak_button.clicked.connect(self.speak_question)
        self.skip_button = QPushButton("Skip")
        self.skip_button.setToolTip("Stop speaking (Esc)")
        self.skip_button.clicked.connect(self.stop_speech)
        self.record_bar = bar = RecordBar()
        self.record_button, self.level_meter = bar.record_button, bar.level_meter
        self.elapsed_label = bar.elapsed_label
        self.record_button.clicked.connect(self._on_record_clicked)
        self.answer_area = area = AnswerArea(
            lambda: self.pipeline.is_busy(self.current_attempt_id or -1),
            lambda: self.pipeline.state != "ready" and self.state != "idle")
        self.status_label, self.progress_bar = area.status_label, area.progress_bar
        self.live_state_label, self.live_view = area.live_state_label, area.live_view
        self.scorecard = area.scorecard
        self.transcript_view = self.scorecard.transcript_view
        self.scorecard.speak_follow_up_requested.connect(self.say)
        self.scorecard.answer_follow_up_requested.connect(self.answer_follow_up)
        self.scorecard.finding_activated.connect(self._play_from)
        self.answer_actions = AnswerActions(self)  # silent answers, transcript edits

        speak_row = QHBoxLayout()
        speak_row.addWidget(self.speak_button)
        speak_row.addWidget(self.skip_button)
        speak_row.addStretch(1)
        content = QWidget()
        right = QVBoxLayout(content)
        right.setContentsMargins(16, 8, 16, 16)
        right.setSpacing(10)
        self._content_layout = right
        right.addWidget(self.banner)
        right.addWidget(self.question_label)
        right.addWidget(self.meta_label)
        right.addLayout(speak_row)
        right.addWidget(bar)
        right.addWidget(area, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(content)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.picker)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([320, 780])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addWidget(splitter)

        for keys in ("Ctrl+R", "Space"):
            sc = QShortcut(QKeySequence(keys), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(self._shortcut_toggle)
        QShortcut(QKeySequence("Ctrl+N"), self, self._next_question)
        QShortcut(QKeySequence("Esc"), self, self.stop_speech)

    def set_welcome(self, panel: QWidget) -> None:
        """Put the first-run panel at the top of the practice column (it scrolls with it)."""
        self._content_layout.insertWidget(0, panel)

    # ---- questions and speech ----------------------------------------------------------------
    def set_question(self, question: Question) -> None:
        """Show a question (and speak it when speak_questions is on). A new question clears the
        answer area: the last answer's scores never sit under another question."""
        if self.state != "idle":
            return  # the picker is locked while recording; the answer keeps its question
        changed = self.current_question is None or question.id != self.current_question.id
        self.current_question = question
        self._follow_up = None
        self.question_label.setText(question.text)
        self.meta_label.setText(f"{question.competency} · {kind_label(question.kind)}")
        self.meta_label.setToolTip(f"Question id: {question.id} ({question.pack})")
        if changed:
            self._clear_answer_area()
        if self.services.settings.speak_questions:
            self.say(question.text)

    def _next_question(self) -> None:
        if self.state == "idle":
            self.picker.next_question()

    def _clear_answer_area(self) -> None:
        """Hide the previous answer (it stays in History) and reset the clock."""
        previous = self.current_attempt_id
        self.current_attempt_id = None
        self.record_bar.reset()
        busy = previous is not None and self.pipeline.is_busy(previous)
        self.answer_area.clear(
            "" if previous is None else "Your previous answer is still being scored; you will "
            "find it in History." if busy else "Your previous answer is saved in History.")

    def speak_question(self) -> None:
        text = self._follow_up[1] if self._follow_up else (
            self.current_question.text if self.current_question else "")
        self.say(text)

    def say(self, text: str) -> None:
        if self.speech is None or not text or self.state != "idle":
            return
        self.speech.say(text)
        self._update_speech_buttons()

    def stop_speech(self) -> None:
        if self.speech is not None:
            self.speech.stop()

    def _update_speech_buttons(self) -> None:
        has = self.speech is not None
        self.speak_button.setEnabled(has)
        self.skip_button.setEnabled(has and self.speech.speaking)
        if not has:
            self.speak_button.setToolTip("Speech is unavailable (no audio output).")

    def _on_speech_error(self, message: str) -> None:
        self._update_speech_buttons()
        self.banner.show_message(f"Could not speak the question: {message}", "error")

    # ---- recording ---------------------------------------------------------------------------
    def _shortcut_toggle(self) -> None:
        if self.isVisible() and self.record_button.isEnabled():
            self.toggle_recording()

    def _on_record_clicked(self) -> None:
        self.record_button.setChecked(self.state in ("recording", "starting"))
        self.toggle_recording()

    def toggle_recording(self) -> None:
        if self.state == "idle":
            self.start_recording()
        elif self.state == "recording":
            self.stop_recording()

    def start_recording(self) -> None:
        if self.state != "idle":
            return
        if self.services.sd is None:
            self.banner.show_message("Recording is unavailable: no audio system (PortAudio).",
                                     "error")
            return
        if self.current_question is None and self.picker.next_question() is None:
            self.banner.show_message("Pick a question first.", "error")
            return
        self.stop_speech()
        self.banner.dismiss()
        qid = re.sub(r"[^A-Za-z0-9_-]+", "-", self.current_question.id)[:40]
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        path = self.services.paths.recordings / f"{stamp}-{qid}.wav"
        n = 1
        while path.exists() or path.with_name(path.stem + ".partial.wav").exists():
            n += 1
            path = self.services.paths.recordings / f"{stamp}-{qid}-{n}.wav"
        self._started_at = now_iso()
        self.record_bar.reset()  # a new answer: never the last one's time
        self._set_state("starting")
        self.status_label.setText("Opening the microphone…")
        self._start_live()
        self._req_start.emit(str(path), self.services.settings.input_device)

    def stop_recording(self) -> None:
        if self.state != "recording":
            return
        self._set_state("stopping")
        self.status_label.setText("Saving the recording…")
        self._req_stop.emit()

    def answer_follow_up(self, prompt: str) -> None:
        """Record an answer to the follow-up, linked to the current attempt."""
        if self.current_attempt_id is None or not prompt or self.state != "idle":
            return
        self._follow_up = (self.current_attempt_id, prompt)
        self.question_label.setText(f"Follow-up: {prompt}")
        self.start_recording()

    def _set_state(self, state: str) -> None:
        self.state = state
        can = state in ("idle", "recording") and self.services.sd is not None
        self.record_bar.show_recording(state in ("starting", "recording"), can)
        self.picker.setEnabled(state == "idle")
        self.scorecard.answer_follow_up_button.setEnabled(state == "idle")

    def _on_started(self, path: str) -> None:
        self._set_state("recording")
        self.record_bar.start_clock()
        self.status_label.setText("Recording… press Space or Ctrl+R to stop.")
        q = self.current_question
        parent_id, prompt = self._follow_up if self._follow_up else (None, None)
        attempt = Attempt(
            id=None, question_id=q.id if q else "", started_at=self._started_at,
            audio_path=self.services.paths.relative(Path(path)),
            status="recording", session_id=self._session(), parent_attempt_id=parent_id,
            prompt_text=prompt,
        )
        try:
            self._recording_attempt = self.services.repo.add_attempt(attempt)
        except Exception as exc:  # disk full / database locked: the WAV is still written
            self._recording_attempt = None
            self.banner.show_message(f"Could not save the attempt in the database: {exc}. "
                                     "The audio is still being recorded.", "error")
        self.recording_started.emit(path)

    def _session(self) -> int | None:
        if self.session_id is None:
            try:
                self.session_id = self.services.repo.start_session("practice")
            except Exception:
                return None
        return self.session_id

    def _on_stopped(self, result: Any) -> None:
        self.record_bar.stop_clock(result.duration_s)
        self._set_state("idle")
        attempt_id, self._recording_attempt = self._recording_attempt, None
        prompt = self._follow_up[1] if self._follow_up else None
        self._follow_up = None
        live, self.live_session = self.live_session, None
        error = getattr(result, "error", None)
        fields = dict(ended_at=now_iso(), duration_s=float(result.duration_s), status="recorded",
                      audio_path=self.services.paths.relative(result.path), error=error)
        try:
            if attempt_id is None:
                q = self.current_question
                attempt_id = self.services.repo.add_attempt(Attempt(
                    id=None, question_id=q.id if q else "", started_at=self._started_at,
                    session_id=self.session_id, **fields))
            else:
                self.services.repo.update_attempt(attempt_id, **fields)
        except Exception as exc:
            if live is not None:
                self.pipeline.cancel_live(live)
            self.banner.show_message(f"Could not save the attempt: {exc}. The recording is kept "
                                     f"at {result.path}.", "error")
            return
        if error:
            self.banner.show_message(error, "error")
        self.current_attempt_id = attempt_id
        self._answered[attempt_id] = (self.current_question, prompt)
        self.scorecard.hide()
        self.attempt_saved.emit(attempt_id)
        if result.duration_s <= 0.05:
            if live is not None:
                self.pipeline.cancel_live(live)
            self.answer_area.hide_live()
            self.status_label.setText("The recording is empty — nothing to transcribe.")
            return
        if live is not None:
            self.pipeline.finish_live(attempt_id, live)
        else:
            self.pipeline.submit(attempt_id)

    def _on_record_failed(self, message: str) -> None:
        if self.live_session is not None:
            self.pipeline.cancel_live(self.live_session)
            self.live_session = None
            self.answer_area.hide_live()
        self.record_bar.stop_clock()
        self._set_state("idle")
        self.status_label.setText("")
        if self._recording_attempt is not None:
            message += " The audio so far will be recovered at the next start."
        self._recording_attempt = None
        self.banner.show_message(message, "error")

    # ---- live transcript ---------------------------------------------------------------------
    def _start_live(self) -> None:
        self.live_session = session = self.pipeline.start_live()
        if session is None:
            self.answer_area.hide_live()
        else:
            self.answer_area.follow_live(session)

    def _on_device_error(self, message: str) -> None:
        self.banner.show_message(message, "error")
        if self.state == "recording":
            self.stop_recording()

    # ---- transcription and scoring -----------------------------------------------------------
    def _on_transcribing(self, attempt_id: int) -> None:
        if attempt_id != self.current_attempt_id:
            return
        self.answer_area.transcribing(self.pipeline.state != "ready")

    def _on_progress(self, attempt_id: int, frac: float) -> None:
        if attempt_id == self.current_attempt_id and frac >= 0:
            self.answer_area.progress(frac)

    def _on_scored(self, attempt_id: int, transcript: Any, analysis: Any) -> None:
        self.attempt_scored.emit(attempt_id)
        question, prompt = self._answered.get(attempt_id, (None, None))
        if attempt_id != self.current_attempt_id:
            if question is not None and self.state == "idle" and self.current_attempt_id is None:
                overall = analysis.scores.get("overall")
                score = f" ({fmt_score(overall)} overall)" if overall is not None else ""
                self.status_label.setText(f"Your answer to “{shorten(question.text, 60)}” was "
                                          f"scored{score}: it is in History.")
            return
        if prompt:
            heading, strong = f"Your answer to the follow-up: {prompt}", ""
        else:
            heading = f"Your answer to: {question.text}" if question else ""
            strong = question.strong_answer if question else ""
        self.answer_area.show_scored(analysis, transcript, heading, strong)
        follow_up = self.scorecard.follow_up_text()
        if follow_up and self.services.settings.speak_questions:
            self.say(follow_up)

    def _on_failed(self, attempt_id: int, message: str) -> None:
        if attempt_id != self.current_attempt_id:
            return
        self.answer_area.failed()
        self.banner.show_message(message, "error")

    def _play_from(self, _cs: int, _ce: int, when: float) -> None:
        """Play the current attempt's audio from a finding's time."""
        if self.player is None or when < 0 or self.current_attempt_id is None:
            return
        attempt = self.services.repo.get_attempt(self.current_attempt_id)
        if attempt is None or not attempt.audio_path:
            return
        try:
            play_from(self.player, self.services.paths.absolute(attempt.audio_path), when)
        except Exception as exc:
            self.banner.show_message(f"Could not play the recording: {exc}", "error")
