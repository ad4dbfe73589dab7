"""Practice: pick a question, hear it, record the answer, see the transcript and the scorecard."""

from __future__ import annotations

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

from desktop_app.domain import Question
from desktop_app.practice.flow import AnswerFlow, Event, FlowUpdate, Phase
from desktop_app.textfmt import fmt_score, kind_label, shorten
from desktop_app.ui.answer_actions import AnswerActions
from desktop_app.ui.answer_area import AnswerArea
from desktop_app.ui.flow_binding import FlowBinding
from desktop_app.ui.grade_override import GradeOverride
from desktop_app.ui.playback import play_from
from desktop_app.ui.question_picker import QuestionPicker
from desktop_app.ui.record_bar import RecordBar
from desktop_app.ui.typed_answer import TypedAnswer
from desktop_app.ui.widgets import Banner


class PracticeView(QWidget):
    """The practice screen.

    Test hooks (attributes): ``picker`` (QuestionPicker), ``question_label``, ``speak_button``,
    ``skip_button``, ``record_button`` (checkable; Space / Ctrl+R toggle it), ``level_meter``,
    ``elapsed_label``, ``status_label``, ``progress_bar``, ``banner``, ``scorecard``,
    ``transcript_view`` (= scorecard.transcript_view), ``live_view`` (the transcript growing while
    the candidate talks), ``live_state_label`` ("Listening…", "Transcribing…", "Catching up…"),
    ``live_session`` (the LiveSession of the running recording, or None), ``current_question``,
    ``current_attempt_id``, ``state`` ("idle" | "starting" | "recording" | "stopping"),
    ``type_button`` and ``typed`` (the Type an answer editor), ``flow`` (the AnswerFlow this
    view shows: the recording state machine and the attempt writes live there).
    Signals: ``attempt_saved(id)`` once the recording is stored (status "recorded"),
    ``attempt_scored(id)`` once transcript + scores are stored, ``recording_started(path)``,
    ``review_requested(id)`` (the answer on show, from its "Review with audio…" button).
    Methods: ``toggle_recording()``, ``start_recording()``, ``stop_recording()``,
    ``answer_follow_up(text)``.
    """

    attempt_saved = Signal(int)
    attempt_scored = Signal(int)
    recording_started = Signal(str)
    review_requested = Signal(int)

    def __init__(self, services: Any, pipeline: Any, speech: Any = None, player: Any = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.pipeline, self.speech, self.player = services, pipeline, speech, player
        self.binding = FlowBinding(pipeline, self)
        self.flow = AnswerFlow(services.attempts, self.binding, pipeline,
                               services.paths.recordings)
        self.binding.bind(self.flow)
        self._handlers = {
            Event.PHASE: self._on_phase, Event.RECORDING_STARTED: self._on_recording,
            Event.STOPPED: self._on_stored, Event.EMPTY: self._on_empty,
            Event.RECORD_FAILED: self._on_record_failed, Event.NOTICE: self._on_notice,
            Event.TRANSCRIBING: self._on_transcribing, Event.SCORING: self._on_scoring,
            Event.SCORED: self._on_scored, Event.FOLLOW_UP_CHOSEN: self._on_follow_up,
            Event.FAILED: self._on_failed,
        }
        self.flow.subscribe(self._on_update)
        self._build()
        self.binding.level.connect(self.level_meter.set_level)
        pipeline.attempt_progress.connect(self._on_progress)
        if speech is not None:
            speech.started.connect(self._update_speech_buttons)
            speech.finished.connect(self._update_speech_buttons)
            speech.finished.connect(self.flow.question_spoken)
            speech.error.connect(self._on_speech_error)
        self._update_speech_buttons()
        if services.sd is None:
            self.record_button.setEnabled(False)
            self.record_button.setToolTip("Recording is unavailable (see the notice above). "
                                          "You can type an answer instead.")

    # The flow's state, under the names the window and its tests use.
    @property
    def state(self) -> str:
        return "idle" if self.flow.phase is Phase.THINKING else self.flow.phase.value

    @property
    def current_question(self) -> Question | None:
        return self.flow.question

    @property
    def current_attempt_id(self) -> int | None:
        return self.flow.current_attempt_id

    @property
    def live_session(self) -> Any:
        return self.flow.live

    @property
    def session_id(self) -> int | None:
        return self.flow.session_id

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
        self.type_button = QPushButton("Type an answer")
        self.type_button.setToolTip("Write your answer instead of speaking it (Ctrl+T)")
        self.type_button.clicked.connect(self.type_answer)
        bar.layout().addWidget(self.type_button)
        self.typed = TypedAnswer()
        self.typed.submitted.connect(self._on_typed)
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
        area.review_button.clicked.connect(self._review_current)
        self.answer_actions = AnswerActions(self)  # silent answers, transcript edits
        svc = self.services
        self.grade_override = GradeOverride(svc.paths.database,
                                            lambda: svc.settings.interview_date)
        self.scorecard.add_below_scores(self.grade_override)  # one click: another review grade

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
        right.addWidget(self.typed)
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
        QShortcut(QKeySequence("Ctrl+T"), self, self.type_answer)
        QShortcut(QKeySequence("Esc"), self, self._escape)

    def set_welcome(self, panel: QWidget) -> None:
        """Put the first-run panel at the top of the practice column (it scrolls with it)."""
        self._content_layout.insertWidget(0, panel)

    # ---- questions and speech ----------------------------------------------------------------
    def set_question(self, question: Question) -> None:
        """Show a question (and speak it when speak_questions is on). A new question clears the
        answer area: the last answer's scores never sit under another question."""
        previous = self.current_attempt_id
        changed = self.current_question is None or question.id != self.current_question.id
        if not self.flow.show(question):
            return  # the picker is locked while recording; the answer keeps its question
        self.question_label.setText(question.text)
        self.meta_label.setText(f"{question.competency} · {kind_label(question.kind)}")
        self.meta_label.setToolTip(f"Question id: {question.id} ({question.pack})")
        if changed:
            self.typed.hide()
            self._clear_answer_area(previous)
        if self.services.settings.speak_questions:
            self.say(question.text)

    def _next_question(self) -> None:
        if self.state == "idle" and not self.typed.isVisible():
            self.picker.next_question()

    def _clear_answer_area(self, previous: int | None) -> None:
        """Hide the previous answer (it stays in History) and reset the clock."""
        self.record_bar.reset()
        busy = previous is not None and self.pipeline.is_busy(previous)
        self.answer_area.clear(
            "" if previous is None else "Your previous answer is still being scored; you will "
            "find it in History." if busy else "Your previous answer is saved in History.")

    def speak_question(self) -> None:
        follow_up = self.flow.follow_up
        text = follow_up[1] if follow_up else (
            self.current_question.text if self.current_question else "")
        self.say(text)

    def say(self, text: str) -> None:
        if self.speech is None or not text or self.state != "idle":
            return
        self.speech.say(text)
        self._update_speech_buttons()

    def _escape(self) -> None:
        """Esc: close the typing editor (its draft is kept) and stop speaking."""
        if self.typed.isVisible():
            self.typed.cancel()
        self.stop_speech()

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
        if self.isVisible() and self.record_button.isEnabled() and not self.typed.isVisible():
            self.toggle_recording()

    def _on_record_clicked(self) -> None:
        self.record_button.setChecked(self.state in ("recording", "starting"))
        self.toggle_recording()

    def toggle_recording(self) -> None:
        if self.state == "idle":
            self.start_recording()
        elif self.state == "recording":
            self.stop_recording()

    def _ready_to_answer(self) -> bool:
        if self.flow.question is None and self.picker.next_question() is None:
            self.banner.show_message("Pick a question first.", "error")
            return False
        self.stop_speech()
        self.banner.dismiss()
        return True

    def start_recording(self) -> None:
        if self.flow.busy:
            return
        if self.services.sd is None:
            self.banner.show_message("Recording is unavailable: no audio system (PortAudio).",
                                     "error")
            return
        if not self._ready_to_answer():
            return
        self.typed.hide()
        self.record_bar.reset()  # a new answer: never the last one's time
        self.flow.start(self.services.settings.input_device)

    def stop_recording(self) -> None:
        self.flow.stop()

    def answer_follow_up(self, prompt: str) -> None:
        """Record an answer to the follow-up, linked to the current attempt."""
        if self.current_attempt_id is None or not prompt or self.flow.busy:
            return
        self.question_label.setText(f"Follow-up: {prompt}")
        self.flow.follow_up = (self.current_attempt_id, prompt)
        if self.services.sd is None:  # no microphone: the follow-up is typed
            self.type_answer()
        else:
            self.start_recording()

    # ---- typing ------------------------------------------------------------------------------
    def type_answer(self) -> None:
        """Open the editor for the question (or the follow-up being answered)."""
        if self.flow.busy or not self._ready_to_answer():
            return
        follow_up = self.flow.follow_up
        q = self.flow.question
        key, heading = (f"follow-up:{follow_up[1]}", f"Follow-up: {follow_up[1]}") if follow_up \
            else (q.id, f"Your answer to: {q.text}")
        self.typed.open_for(key, heading)

    def _on_typed(self, text: str) -> None:
        self.record_bar.reset()
        if self.flow.submit_text(text) is not None:
            self.typed.accepted()

    # ---- the flow's updates ------------------------------------------------------------------
    def _on_update(self, u: FlowUpdate) -> None:
        handler = self._handlers.get(u.event)
        if handler is not None:
            handler(u)

    def _on_phase(self, u: FlowUpdate) -> None:
        state = self.state
        can = state in ("idle", "recording") and self.services.sd is not None
        self.record_bar.show_recording(state in ("starting", "recording"), can)
        self.picker.setEnabled(state == "idle")
        self.scorecard.answer_follow_up_button.setEnabled(state == "idle")
        self.type_button.setEnabled(state == "idle")
        if u.phase is Phase.STARTING:
            self.status_label.setText("Opening the microphone…")
            self._follow_live(self.flow.live)
        elif u.phase is Phase.STOPPING:
            self.status_label.setText("Saving the recording…")

    def _on_recording(self, u: FlowUpdate) -> None:
        self.record_bar.start_clock()
        self.status_label.setText("Recording… press Space or Ctrl+R to stop.")
        self.recording_started.emit(str(u.path))

    def _on_stored(self, u: FlowUpdate) -> None:
        self.record_bar.stop_clock(u.seconds if u.seconds else None)
        self.scorecard.hide()
        self.attempt_saved.emit(u.attempt_id)

    def _on_empty(self, _u: FlowUpdate) -> None:
        self.answer_area.hide_live()
        self.status_label.setText("The recording is empty — nothing to transcribe.")

    def _on_record_failed(self, u: FlowUpdate) -> None:
        self.answer_area.hide_live()
        self.record_bar.stop_clock()
        self.status_label.setText("")
        self.banner.show_message(u.message, "error")

    def _on_notice(self, u: FlowUpdate) -> None:
        self.banner.show_message(u.message, "error")

    def _follow_live(self, session: Any) -> None:
        if session is None:
            self.answer_area.hide_live()
        else:
            self.answer_area.follow_live(session)
            self.binding.follow_live(session)

    # ---- transcription and scoring -----------------------------------------------------------
    def _on_transcribing(self, u: FlowUpdate) -> None:
        if u.attempt_id == self.current_attempt_id:
            self.answer_area.transcribing(self.pipeline.state != "ready")

    def _on_scoring(self, u: FlowUpdate) -> None:
        if u.attempt_id == self.current_attempt_id:
            self.answer_area.scoring()

    def _on_progress(self, attempt_id: int, frac: float) -> None:
        if attempt_id == self.current_attempt_id and frac >= 0:
            self.answer_area.progress(frac)

    def _on_scored(self, u: FlowUpdate) -> None:
        attempt_id, analysis, question, prompt = u.attempt_id, u.analysis, u.question, u.text
        self.attempt_scored.emit(attempt_id)
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
        self.answer_area.show_scored(analysis, u.transcript, heading, strong)
        self.grade_override.show_for(None if prompt else attempt_id)

    def _on_follow_up(self, u: FlowUpdate) -> None:
        if u.attempt_id == self.current_attempt_id and self.services.settings.speak_questions:
            self.say(self.scorecard.follow_up_text() or u.text)

    def _on_failed(self, u: FlowUpdate) -> None:
        if u.attempt_id != self.current_attempt_id:
            return
        self.answer_area.failed()
        self.banner.show_message(u.message, "error")

    def _review_current(self) -> None:
        if self.current_attempt_id is not None:
            self.review_requested.emit(self.current_attempt_id)

    def _play_from(self, _cs: int, _ce: int, when: float) -> None:
        """Play the current attempt's audio from a finding's time."""
        if self.player is None or when < 0 or self.current_attempt_id is None:
            return
        path = self.services.attempts.audio_file(self.current_attempt_id)
        if path is None:
            return
        try:
            play_from(self.player, path, when)
        except Exception as exc:
            self.banner.show_message(f"Could not play the recording: {exc}", "error")
