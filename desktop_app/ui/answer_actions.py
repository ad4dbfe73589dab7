"""What the candidate can do with an answer besides reading its scores, for the practice view:
decide about an answer with no speech (keep it in History or discard it with its recording) and
fix a misheard word in the transcript (the answer is scored again; the earlier transcript is
kept as a version). Connected to the view by :class:`AnswerActions` in one line."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject


class AnswerActions(QObject):
    """Wires the answer area's silent notice and the scorecard's Edit button of ``view`` (a
    PracticeView: ``current_attempt_id``, ``answer_area``, ``scorecard``, ``pipeline``,
    ``services``, ``banner``, ``attempt_scored``)."""

    def __init__(self, view: Any) -> None:
        super().__init__(view)
        self.view = view
        view.pipeline.attempt_silent.connect(self._on_silent)
        view.scorecard.edit_transcript_requested.connect(self.edit_transcript)
        view.scorecard.edit_transcript_button.show()
        notice = view.answer_area.silent_notice
        notice.discard.connect(self._discard_silent)
        notice.keep.connect(view.attempt_scored.emit)  # History shows it

    def _on_silent(self, attempt_id: int) -> None:
        v = self.view
        v.attempt_scored.emit(attempt_id)  # its History row changed
        if attempt_id == v.current_attempt_id:
            v.answer_area.silent(attempt_id)
        elif attempt_id in v.flow.answered:  # answered here, nobody to ask: not kept
            self._discard_silent(attempt_id)  # (a mock interview's answers are its own)

    def edit_transcript(self) -> Any:
        """Open the editor on the transcript on show; saving re-scores it (returns the dialog,
        or None when there is nothing to edit or it is still being scored)."""
        from desktop_app.ui.transcript_editor import TranscriptEditor

        v = self.view
        aid, transcript = v.current_attempt_id, v.scorecard.transcript
        if aid is None or transcript is None or v.pipeline.is_busy(aid):
            return None
        dialog = TranscriptEditor(transcript, v)
        dialog.accepted.connect(lambda: v.pipeline.rescore_edited(aid, dialog.edited))
        dialog.open()
        return dialog

    def _discard_silent(self, attempt_id: int) -> None:
        """Delete an attempt with no speech, and its recording (the candidate did not keep it)."""
        v = self.view
        try:
            v.services.attempts.delete(attempt_id)
        except Exception as exc:
            v.banner.show_message(f"Could not discard the empty answer: {exc}", "error")
            return
        if attempt_id == v.flow.current_attempt_id:
            v.flow.current_attempt_id = None
        v.attempt_scored.emit(attempt_id)  # History drops the row
