"""What the practice screen shows for each of the answer flow's updates: the record button and
clock, the status line, the live transcript, progress, the scores, errors. Connected to the view
by :class:`FlowPresenter` in one line; the flow itself is headless (practice/flow.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject

from desktop_app.practice.flow import Event, FlowUpdate, Phase
from desktop_app.textfmt import fmt_score, shorten

if TYPE_CHECKING:
    from desktop_app.ui.practice_view import PracticeView


class FlowPresenter(QObject):
    """Subscribes to ``view.flow`` and to the pipeline's progress, and updates ``view``'s
    widgets and signals (``attempt_saved``, ``attempt_scored``, ``recording_started``)."""

    def __init__(self, view: PracticeView) -> None:
        super().__init__(view)
        self.view = view
        self._handlers = {
            Event.PHASE: self._on_phase, Event.RECORDING_STARTED: self._on_recording,
            Event.STOPPED: self._on_stored, Event.EMPTY: self._on_empty,
            Event.RECORD_FAILED: self._on_record_failed, Event.NOTICE: self._on_notice,
            Event.TRANSCRIBING: self._on_transcribing, Event.SCORING: self._on_scoring,
            Event.SCORED: self._on_scored, Event.FOLLOW_UP_CHOSEN: self._on_follow_up,
            Event.FAILED: self._on_failed,
        }
        view.flow.subscribe(self._on_update)
        view.pipeline.attempt_progress.connect(self._on_progress)

    def _on_update(self, u: FlowUpdate) -> None:
        handler = self._handlers.get(u.event)
        if handler is not None:
            handler(u)

    # ---- recording ---------------------------------------------------------------------------
    def _on_phase(self, u: FlowUpdate) -> None:
        v = self.view
        state = v.state
        can = state in ("idle", "recording") and v.services.sd is not None
        v.record_bar.show_recording(state in ("starting", "recording"), can)
        v.picker.setEnabled(state == "idle")
        v.scorecard.answer_follow_up_button.setEnabled(state == "idle")
        v.type_button.setEnabled(state == "idle")
        if u.phase is Phase.STARTING:
            v.status_label.setText("Opening the microphone…")
            self._follow_live(v.flow.live)
        elif u.phase is Phase.STOPPING:
            v.status_label.setText("Saving the recording…")

    def _follow_live(self, session: Any) -> None:
        if session is None:
            self.view.answer_area.hide_live()
        else:
            self.view.answer_area.follow_live(session)
            self.view.binding.follow_live(session)

    def _on_recording(self, u: FlowUpdate) -> None:
        self.view.record_bar.start_clock()
        self.view.status_label.setText("Recording… press Space or Ctrl+R to stop.")
        self.view.recording_started.emit(str(u.path))

    def _on_stored(self, u: FlowUpdate) -> None:
        self.view.record_bar.stop_clock(u.seconds if u.seconds else None)
        self.view.scorecard.hide()
        self.view.attempt_saved.emit(u.attempt_id)

    def _on_empty(self, _u: FlowUpdate) -> None:
        self.view.answer_area.hide_live()
        self.view.status_label.setText("The recording is empty — nothing to transcribe.")

    def _on_record_failed(self, u: FlowUpdate) -> None:
        self.view.answer_area.hide_live()
        self.view.record_bar.stop_clock()
        self.view.status_label.setText("")
        self.view.banner.show_message(u.message, "error")

    def _on_notice(self, u: FlowUpdate) -> None:
        self.view.banner.show_message(u.message, "error")

    # ---- transcription and scoring -----------------------------------------------------------
    def _on_transcribing(self, u: FlowUpdate) -> None:
        if u.attempt_id == self.view.current_attempt_id:
            self.view.answer_area.transcribing(self.view.pipeline.state != "ready")

    def _on_scoring(self, u: FlowUpdate) -> None:
        if u.attempt_id == self.view.current_attempt_id:
            self.view.answer_area.scoring()

    def _on_progress(self, attempt_id: int, frac: float) -> None:
        if attempt_id == self.view.current_attempt_id and frac >= 0:
            self.view.answer_area.progress(frac)

    def _on_scored(self, u: FlowUpdate) -> None:
        v = self.view
        attempt_id, analysis, question, prompt = u.attempt_id, u.analysis, u.question, u.text
        v.attempt_scored.emit(attempt_id)
        if attempt_id != v.current_attempt_id:
            if question is not None and v.state == "idle" and v.current_attempt_id is None:
                overall = analysis.scores.get("overall")
                score = f" ({fmt_score(overall)} overall)" if overall is not None else ""
                v.status_label.setText(f"Your answer to “{shorten(question.text, 60)}” was "
                                       f"scored{score}: it is in History.")
            return
        if prompt:
            heading, strong = f"Your answer to the follow-up: {prompt}", ""
        else:
            heading = f"Your answer to: {question.text}" if question else ""
            strong = question.strong_answer if question else ""
        v.answer_area.show_scored(analysis, u.transcript, heading, strong)
        v.grade_override.show_for(None if prompt else attempt_id)

    def _on_follow_up(self, u: FlowUpdate) -> None:
        v = self.view
        if u.attempt_id == v.current_attempt_id and v.services.settings.speak_questions:
            v.say(v.scorecard.follow_up_text() or u.text)

    def _on_failed(self, u: FlowUpdate) -> None:
        if u.attempt_id != self.view.current_attempt_id:
            return
        self.view.answer_area.failed()
        self.view.banner.show_message(u.message, "error")
