"""The window's binding of the headless AnswerFlow to its Qt workers.

:class:`FlowBinding` is the flow's Recorder (queued signals to the RecordingWorker's thread) and
receives the recorder's and the pipeline's signals on the GUI thread — a slot of a QObject living
there gets them queued — then tells the flow, which is not a QObject.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Signal

from desktop_app.practice.flow import AnswerFlow


class FlowBinding(QObject):
    """Signal ``level(value)``: the input meter's level (for the level widget)."""

    level = Signal(float)

    _req_start = Signal(str, object)
    _req_stop = Signal()

    def __init__(self, pipeline: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.flow: AnswerFlow | None = None
        rec = pipeline.recorder
        self._req_start.connect(rec.start)
        self._req_stop.connect(rec.stop)
        rec.started.connect(self._on_started)
        rec.stopped.connect(self._on_stopped)
        rec.failed.connect(self._on_failed)
        rec.device_error.connect(self._on_device_error)
        rec.level.connect(self._on_level)
        pipeline.attempt_transcribing.connect(self._on_transcribing)
        pipeline.attempt_transcribed.connect(self._on_transcribed)
        pipeline.attempt_scored.connect(self._on_scored)
        pipeline.attempt_failed.connect(self._on_attempt_failed)

    def bind(self, flow: AnswerFlow) -> None:
        self.flow = flow

    # ---- the flow's Recorder -----------------------------------------------------------------
    def start(self, path: Path, device: str | None) -> None:
        self._req_start.emit(str(path), device)

    def stop(self) -> None:
        self._req_stop.emit()

    def follow_live(self, session: Any) -> None:
        """Report a live session's growing transcript to the flow."""
        session.text_changed.connect(self._on_live_text)

    # ---- reports, on the GUI thread ----------------------------------------------------------
    def _on_started(self, path: str) -> None:
        self.flow.recording_started(path)

    def _on_stopped(self, result: Any) -> None:
        self.flow.recording_stopped(result)

    def _on_failed(self, message: str) -> None:
        self.flow.recording_failed(message)

    def _on_device_error(self, message: str) -> None:
        self.flow.device_lost(message)

    def _on_level(self, value: float) -> None:
        self.level.emit(value)
        self.flow.level(value)

    def _on_live_text(self, transcript: Any) -> None:
        if self.flow.live is not None and self.sender() is self.flow.live:
            self.flow.live_text(transcript)

    def _on_transcribing(self, attempt_id: int) -> None:
        self.flow.transcribing(attempt_id)

    def _on_transcribed(self, attempt_id: int, transcript: Any) -> None:
        self.flow.transcribed(attempt_id, transcript)

    def _on_scored(self, attempt_id: int, transcript: Any, analysis: Any) -> None:
        self.flow.scored(attempt_id, transcript, analysis)

    def _on_attempt_failed(self, attempt_id: int, message: str) -> None:
        self.flow.failed(attempt_id, message)
