"""Practice: pick a question, hear it, record the answer, see the transcript and the scorecard."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import Question
from desktop_app.practice.flow import AnswerFlow, Phase
from desktop_app.ui.answer_actions import AnswerActions
from desktop_app.ui.answer_area import AnswerArea
from desktop_app.ui.flow_binding import FlowBinding
from desktop_app.ui.grade_override import GradeOverride
from desktop_app.ui.playback import play_from
from desktop_app.ui.practice_updates import FlowPresenter
from desktop_app.ui.question_header import QuestionHeader
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
    view shows: the recording state machine and the attempt writes live there). Its parts:
    ``header`` (QuestionHeader: the question and the speech buttons), ``record_bar``,
    ``answer_area`` (AnswerArea: live transcript, progress, scorecard), ``presenter``
    (FlowPresenter: what each of the flow's updates shows), ``answer_actions``.
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
        self._build()
        self.presenter = FlowPresenter(self)  # the flow's updates, shown
        self.binding.level.connect(self.level_meter.set_level)
        if speech is not None:
            speech.finished.connect(self.flow.question_spoken)
            speech.error.connect(self._on_speech_error)
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
        self.header = header = QuestionHeader(self.speech, self)
        self.question_label, self.meta_label = header.question_label, header.meta_label
        self.speak_button, self.skip_button = header.speak_button, header.skip_button
        self.speak_button.clicked.connect(self.speak_question)
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

        content = QWidget()
        right = QVBoxLayout(content)
        right.setContentsMargins(16, 8, 16, 16)
        right.setSpacing(10)
        self._content_layout = right
        right.addWidget(self.banner)
        header.add_to(right)
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
        self.header.show_question(question)
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
        if self.state == "idle":
            self.header.say(text)

    def _escape(self) -> None:
        """Esc: close the typing editor (its draft is kept) and stop speaking."""
        if self.typed.isVisible():
            self.typed.cancel()
        self.stop_speech()

    def stop_speech(self) -> None:
        self.header.stop_speech()

    def _on_speech_error(self, message: str) -> None:
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
        self.header.show_follow_up(prompt)
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
