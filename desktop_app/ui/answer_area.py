"""Practice's answer area: status and progress, the live transcript, then the scorecard."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.ui.live_session import state_text
from desktop_app.ui.scorecard import Scorecard
from desktop_app.ui.silent_notice import SilentNotice
from desktop_app.ui.transcript_view import TranscriptView

WAITING_TEXT = "Listening… (transcription starts when the model has loaded)"


class AnswerArea(QWidget):
    """What the candidate sees while and after answering. Owns no state about attempts: the
    practice view says what to show.

    Test hooks: ``status_label``, ``progress_bar``, ``live_state_label``, ``live_view``,
    ``scorecard``, ``review_button`` (shown once an answer is scored; its ``clicked`` is
    forwarded by the practice view as ``review_requested``).
    """

    def __init__(self, is_busy: Callable[[], bool], waiting_for_model: Callable[[], bool],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._is_busy = is_busy  # is the attempt on show still being transcribed?
        self._waiting = waiting_for_model  # recording before the model has loaded?
        self._live: Any = None  # the LiveSession whose transcript is on show
        self._live_state, self._behind_s = "listening", 0.0  # its state, how far behind
        self.status_label = QLabel()
        self.status_label.setWordWrap(True)
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setTextVisible(False)
        self.progress_bar.hide()
        self.live_state_label = QLabel()
        self.live_state_label.setObjectName("liveState")
        self.live_state_label.setStyleSheet("color: #627d98;")
        self.live_state_label.hide()
        self.live_view = TranscriptView()
        self.live_view.setAccessibleName("Live transcript")
        self.live_view.setPlaceholderText("Your words appear here as you speak…")
        self.live_view.setMinimumHeight(120)
        self.live_view.hide()
        self.scorecard = Scorecard()
        self.scorecard.hide()
        self.review_button = QPushButton("Review with audio…")
        self.review_button.setToolTip("Replay this answer with its words highlighted as they "
                                      "play, add a note, compare it with your other attempts")
        self.review_button.hide()
        self.silent_notice = SilentNotice()
        self._busy_timer = QTimer(self)
        self._busy_timer.setSingleShot(True)
        self._busy_timer.setInterval(500)  # anything over half a second shows progress
        self._busy_timer.timeout.connect(self._show_busy)

        status_row = QHBoxLayout()
        status_row.addWidget(self.status_label, 1)
        status_row.addWidget(self.progress_bar)
        status_row.addWidget(self.review_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(10)
        lay.addLayout(status_row)
        lay.addWidget(self.live_state_label)
        lay.addWidget(self.live_view, 1)
        lay.addWidget(self.silent_notice)
        lay.addWidget(self.scorecard, 1)

    def clear(self, status: str = "") -> None:
        """Nothing on show: no scores, no live transcript, no progress."""
        self.silent_notice.settle()
        self._live = None
        self._stop_busy()
        self.scorecard.clear()
        self.scorecard.hide()
        self.review_button.hide()
        self.hide_live()
        self.status_label.setText(status)

    # ---- live transcript ---------------------------------------------------------------------
    def follow_live(self, session: Any) -> None:
        """Show ``session``'s transcript as it grows (until clear() or the scores arrive)."""
        self._live = session
        session.text_changed.connect(self._on_live_text)
        session.state_changed.connect(self._on_live_state)
        session.lag_changed.connect(self._on_live_lag)
        self._live_state, self._behind_s = "listening", 0.0
        self.scorecard.hide()
        self.live_view.clear()
        self.live_view.show()
        self._set_live_state("listening")
        self.live_state_label.show()

    def _on_live_text(self, transcript: Any) -> None:
        if self._live is not None and self.sender() is self._live:
            self.live_view.set_live_text(transcript.text)

    def _on_live_state(self, state: str) -> None:
        if self._live is not None and self.sender() is self._live:
            self._set_live_state(state)

    def _on_live_lag(self, behind_s: float) -> None:
        if self._live is not None and self.sender() is self._live:
            self._behind_s = behind_s
            self._set_live_state(self._live_state)

    def _set_live_state(self, state: str) -> None:
        self._live_state = state
        text = state_text(state, self._behind_s)
        self.live_state_label.setText(WAITING_TEXT if state != "done" and self._waiting()
                                      else text)

    def hide_live(self) -> None:
        self._live = None
        self.live_state_label.hide()
        self.live_view.hide()

    # ---- transcription -----------------------------------------------------------------------
    def transcribing(self, waiting_for_model: bool) -> None:
        self.status_label.setText("Waiting for the model to load…" if waiting_for_model
                                  else "Transcribing…")
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setValue(0)
        self._busy_timer.start()

    def scoring(self) -> None:
        """A typed answer: nothing to transcribe, only scoring."""
        self.hide_live()
        self.scorecard.hide()
        self.status_label.setText("Scoring your typed answer…")
        self.progress_bar.setRange(0, 0)
        self._busy_timer.start()

    def progress(self, frac: float) -> None:
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setValue(int(frac * 100))
        self.status_label.setText(f"Transcribing… {int(frac * 100)} %")

    def failed(self) -> None:
        self._stop_busy()
        self.live_state_label.hide()
        self.status_label.setText("")

    def silent(self, attempt_id: int) -> None:
        """No speech in the answer: say so and ask whether to keep it (SilentNotice)."""
        self.failed()
        self.hide_live()
        self.scorecard.hide()
        self.status_label.setText("")
        self.silent_notice.show_for(attempt_id)

    def show_scored(self, analysis: Any, transcript: Any, heading: str, strong: str) -> None:
        self._stop_busy()
        self.hide_live()
        self.status_label.setText(f"Scored · {len(transcript.text.split())} words")
        self.scorecard.set_heading(heading)
        self.scorecard.show_analysis(analysis, transcript, strong_answer=strong)
        self.scorecard.show()
        self.review_button.show()

    def _stop_busy(self) -> None:
        self._busy_timer.stop()
        self.progress_bar.hide()

    def _show_busy(self) -> None:
        if self._is_busy():
            if self.progress_bar.value() <= 0:
                self.progress_bar.setRange(0, 0)  # indeterminate
            self.progress_bar.show()
