"""History's detail pane: the attempt on show with its action bar (Review, Play, Transcribe,
Delete), the re-transcription bar (a new result waits there until kept) and the scorecard."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.domain import Attempt, AttemptStatus
from desktop_app.practice.attempts import TRANSCRIBABLE, StoredAttempt
from desktop_app.textfmt import fmt_time, long_date
from desktop_app.ui.history_list import question_text
from desktop_app.ui.playback import play_from
from desktop_app.ui.retranscribe import RetranscribeBar, comparison
from desktop_app.ui.scorecard import Scorecard
from desktop_app.ui.widgets import Banner

PLAY_POLL_MS = 250  # how often the Play button checks whether playback has ended


class HistoryDetail(QWidget):
    """Shows one stored attempt (``show_attempt``) and acts on it.

    Test hooks: ``attempt_id`` (on show, or None), ``banner``, ``detail_title``,
    ``review_button``, ``play_button``, ``transcribe_button``, ``delete_button``,
    ``retranscribe_bar``, ``scorecard``. Signals: ``review_requested(id)``,
    ``delete_requested(id)`` (the view asks and deletes: the list changes too).
    """

    review_requested = Signal(int)
    delete_requested = Signal(int)

    def __init__(self, services: Any, pipeline: Any, player: Any = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.pipeline, self.player = services, pipeline, player
        self.attempt_id: int | None = None
        self.banner = Banner()
        self.detail_title = QLabel("Select an attempt.")
        self.detail_title.setObjectName("followUp")
        self.detail_title.setWordWrap(True)
        self.play_button = QPushButton("▶ Play")
        self.play_button.clicked.connect(self.toggle_play)
        self.review_button = QPushButton("Review…")
        self.review_button.setToolTip("Open in Review: the audio synced to the transcript, "
                                      "your note, the retakes (or double-click the row)")
        self.review_button.clicked.connect(lambda: self._request(self.review_requested))
        self.transcribe_button = QPushButton("Transcribe")
        self.transcribe_button.clicked.connect(self.transcribe)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.clicked.connect(lambda: self._request(self.delete_requested))
        buttons = QHBoxLayout()
        for b in (self.review_button, self.play_button, self.transcribe_button,
                  self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.scorecard = Scorecard(allow_follow_up=False)
        self.scorecard.speak_follow_up_button.hide()
        self.scorecard.finding_activated.connect(self._play_from)
        self.retranscribe_bar = RetranscribeBar()
        self.retranscribe_bar.preview.connect(self._preview_new)
        self.retranscribe_bar.keep_new.connect(self._keep_new)
        self.retranscribe_bar.keep_previous.connect(self._keep_previous)
        lay = QVBoxLayout(self)
        lay.addWidget(self.banner)
        lay.addWidget(self.detail_title)
        lay.addLayout(buttons)
        lay.addWidget(self.retranscribe_bar)
        lay.addWidget(self.scorecard, 1)
        self._play_poll = QTimer(self)
        self._play_poll.setInterval(PLAY_POLL_MS)
        self._play_poll.timeout.connect(self._poll_player)
        self._set_buttons(None)

    def _request(self, signal: Any) -> None:
        if self.attempt_id is not None:
            signal.emit(self.attempt_id)

    def show_attempt(self, attempt_id: int | None) -> None:
        """Show a stored attempt (None, or one that is gone: the "Select an attempt." pane)."""
        self.stop_playback()
        self.attempt_id = attempt_id
        stored = self.services.attempts.load(attempt_id) if attempt_id is not None else None
        attempt = stored.attempt if stored is not None else None
        self._set_buttons(attempt)
        if stored is None or attempt is None:
            self.attempt_id = None
            self.detail_title.setText("Select an attempt.")
            self.scorecard.clear()
            return
        when = long_date(attempt.started_at)
        title = f"{question_text(self.services.bank, attempt)}\n{when} · " \
                f"{fmt_time(attempt.duration_s)}"
        if stored.typed:
            title += " · typed"
        if attempt.model:
            title += f" · {attempt.model}"
        self.detail_title.setText(title)
        self._show_result(stored)
        if attempt.error and attempt.status != AttemptStatus.SCORED:
            self.banner.show_message(attempt.error, "error")
        else:
            self.banner.dismiss()
        self._show_retranscription(attempt)

    def _show_result(self, stored: StoredAttempt) -> None:
        if stored.analysis is not None:
            self.scorecard.show_analysis(stored.analysis, stored.transcript,
                                         self._strong_answer(stored.attempt))
        elif stored.transcript is not None and stored.transcript.text:
            self.scorecard.show_transcript_only(stored.transcript.text)
        else:
            self.scorecard.show_transcript_only(self._no_transcript_text(stored.attempt))

    def _strong_answer(self, attempt: Attempt) -> str:
        """The question's "what a strong answer covers" (not for a follow-up's answer)."""
        q = self.services.bank.get(attempt.question_id) if attempt.question_id else None
        return q.strong_answer if q is not None and not attempt.prompt_text else ""

    def _no_transcript_text(self, attempt: Attempt) -> str:
        if self.pipeline.is_busy(attempt.id):
            return "Transcribing…"
        if attempt.status == AttemptStatus.RECOVERED:
            return "Recovered recording — press “Transcribe” to transcribe and score it."
        return "No transcript yet."

    def _set_buttons(self, attempt: Attempt | None) -> None:
        self.review_button.setEnabled(attempt is not None)
        has_audio = bool(attempt and attempt.audio_path and
                         self.services.paths.absolute(attempt.audio_path).exists())
        self.play_button.setEnabled(has_audio and self.player is not None)
        writable = not getattr(self.services, "read_only", False)
        self.transcribe_button.setEnabled(
            writable and has_audio and attempt.status in TRANSCRIBABLE
            and not self.pipeline.is_busy(attempt.id)
        )
        self.transcribe_button.setText("Transcribe" if attempt is None or attempt.status !=
                                       AttemptStatus.SCORED else "Re-transcribe")
        self.delete_button.setEnabled(attempt is not None and writable)

    # ---- (re-)transcribing: the previous result stays until the user keeps the new one -----
    def transcribe(self) -> None:
        attempt = self.services.attempts.get(self.attempt_id) if self.attempt_id else None
        if attempt is None:
            return
        has_result = attempt.has_result
        if self.pipeline.submit(attempt.id, hold=has_result):
            self.transcribe_button.setEnabled(False)
            if has_result:
                self.retranscribe_bar.working()
            else:
                self.scorecard.show_transcript_only("Transcribing…")

    def _show_retranscription(self, attempt: Attempt) -> None:
        held = self.pipeline.pending(attempt.id)
        if held is not None:
            self.retranscribe_bar.ready(comparison(attempt, *held))
        elif self.pipeline.is_holding(attempt.id):
            self.retranscribe_bar.working()
        else:
            self.retranscribe_bar.done()

    def _preview_new(self, show_new: bool) -> None:
        stored = self.services.attempts.load(self.attempt_id) if self.attempt_id else None
        held = self.pipeline.pending(self.attempt_id) if stored else None
        if show_new and held is not None and stored is not None:
            self.scorecard.show_analysis(held[1], held[0], self._strong_answer(stored.attempt))
        elif stored is not None:
            self._show_result(stored)

    def _keep_new(self) -> None:
        if self.attempt_id is not None:
            self.pipeline.keep_new(self.attempt_id)  # emits attempt_scored: the pane reloads

    def _keep_previous(self) -> None:
        if self.attempt_id is not None:
            self.pipeline.keep_previous(self.attempt_id)
            self.show_attempt(self.attempt_id)

    # ---- playback ----------------------------------------------------------------------------
    def toggle_play(self) -> None:
        if self.player is not None and self.player.is_playing:
            self.stop_playback()
        else:
            self._play_from(-1, -1, 0.0)

    def _play_from(self, _cs: int, _ce: int, when: float) -> None:
        path = self.services.attempts.audio_file(self.attempt_id) if self.attempt_id else None
        if self.player is None or path is None or when < 0:
            return
        try:
            play_from(self.player, path, when)
        except Exception as exc:
            self.banner.show_message(f"Could not play the recording: {exc}", "error")
            return
        self.play_button.setText("■ Stop")
        self._play_poll.start()

    def stop_playback(self) -> None:
        if self.player is not None and self.player.is_playing:
            self.player.stop()
        self._poll_player()

    def _poll_player(self) -> None:
        if self.player is None or not self.player.is_playing:
            self._play_poll.stop()
            self.play_button.setText("▶ Play")
