"""History: past attempts newest first; open one to read, replay, transcribe or delete it."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import Attempt, Transcript
from desktop_app.textfmt import fmt_time, short_date
from desktop_app.ui.playback import play_from
from desktop_app.ui.retranscribe import RetranscribeBar, comparison
from desktop_app.ui.scorecard import Scorecard
from desktop_app.ui.widgets import Banner

ID_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ("Date", "Question", "Duration", "Overall", "Status")
TRANSCRIBABLE = ("recovered", "recorded", "failed", "transcribed", "scored")


def transcript_of(attempt: Attempt) -> Transcript:
    """The stored transcript (words with times when present), else the plain text."""
    try:
        data = json.loads(attempt.words_json or "[]")
    except ValueError:
        data = None
    if isinstance(data, dict):
        try:
            return Transcript.from_dict(data)
        except (TypeError, KeyError, ValueError):
            pass
    if isinstance(data, list) and data:
        try:
            return Transcript.from_dict({"text": attempt.transcript_text, "words": data})
        except (TypeError, KeyError, ValueError):
            pass
    return Transcript.from_text(attempt.transcript_text or "")


class HistoryView(QWidget):
    """Lists attempts (repo.list_attempts) with a search box and a detail pane.

    Test hooks: ``table``, ``search_edit``, ``row_ids()``, ``open_attempt(id)``, ``selected_id``,
    ``play_button``, ``transcribe_button``, ``delete_button``, ``delete_attempt(id, ask=True)``,
    ``scorecard``, ``detail_title``, ``banner``, ``refresh()``, ``retranscribe_bar`` (the new
    result of a re-transcription waits there until kept).
    """

    attempt_deleted = Signal(int)

    def __init__(self, services: Any, pipeline: Any, player: Any = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.pipeline, self.player = services, pipeline, player
        self.selected_id: int | None = None
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search transcripts…")
        self.search_edit.setClearButtonEnabled(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        for col in (0, 2, 3, 4):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.table.itemSelectionChanged.connect(self._on_selection)

        self.banner = Banner()
        self.detail_title = QLabel("Select an attempt.")
        self.detail_title.setObjectName("followUp")
        self.detail_title.setWordWrap(True)
        self.play_button = QPushButton("▶ Play")
        self.play_button.clicked.connect(self.toggle_play)
        self.transcribe_button = QPushButton("Transcribe")
        self.transcribe_button.clicked.connect(self.transcribe_selected)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.clicked.connect(lambda: self.delete_attempt(self.selected_id))
        buttons = QHBoxLayout()
        for b in (self.play_button, self.transcribe_button, self.delete_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self.scorecard = Scorecard(allow_follow_up=False)
        self.scorecard.speak_follow_up_button.hide()
        self.scorecard.finding_activated.connect(self._play_from)
        self.retranscribe_bar = RetranscribeBar()
        self.retranscribe_bar.preview.connect(self._preview_new)
        self.retranscribe_bar.keep_new.connect(self._keep_new)
        self.retranscribe_bar.keep_previous.connect(self._keep_previous)

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.search_edit)
        ll.addWidget(self.table)
        detail = QWidget()
        dl = QVBoxLayout(detail)
        dl.addWidget(self.banner)
        dl.addWidget(self.detail_title)
        dl.addLayout(buttons)
        dl.addWidget(self.retranscribe_bar)
        dl.addWidget(self.scorecard, 1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(detail)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(left)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)  # the detail pane grows first: it holds the reading
        splitter.setSizes([440, 660])
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addWidget(splitter)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self.refresh)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())
        self._play_poll = QTimer(self)
        self._play_poll.setInterval(250)
        self._play_poll.timeout.connect(self._poll_player)
        pipeline.attempt_scored.connect(lambda i, *_: self._changed(i))
        pipeline.attempt_failed.connect(self._on_failed)
        pipeline.attempt_rescored.connect(lambda i, *_: self._changed(i))
        pipeline.attempt_transcribing.connect(self._changed)
        self._set_buttons(None)
        self.refresh()

    # ---- list --------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Reload the list from the database, keeping the selection."""
        keep = self.selected_id
        search = self.search_edit.text().strip() or None
        try:
            attempts = self.services.repo.list_attempts(search=search)
        except Exception as exc:
            self.banner.show_message(f"Could not read the history: {exc}", "error")
            return
        self.table.blockSignals(True)
        self.table.setRowCount(len(attempts))
        for row, a in enumerate(attempts):
            overall = a.scores.get("overall")
            cells = (
                short_date(a.started_at),
                self._question_text(a),
                fmt_time(a.duration_s),
                "" if overall is None else f"{round(overall)}",
                a.status,
            )
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(ID_ROLE, a.id)
                if col == 1:
                    item.setToolTip(text)
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)
        if keep is not None and keep in self.row_ids():
            self.table.selectRow(self.row_ids().index(keep))
        elif keep is not None:
            self._show(None)

    def _question_text(self, a: Attempt) -> str:
        q = self.services.bank.get(a.question_id) if a.question_id else None
        text = q.text if q else (a.question_id or "(unknown question)")
        return f"↳ {a.prompt_text}" if a.prompt_text else text

    def row_ids(self) -> list[int]:
        return [self.table.item(r, 0).data(ID_ROLE) for r in range(self.table.rowCount())]

    def _changed(self, attempt_id: int) -> None:
        self.refresh()
        if attempt_id == self.selected_id:
            self._show(attempt_id)

    def _on_failed(self, attempt_id: int, message: str) -> None:
        self._changed(attempt_id)
        if attempt_id == self.selected_id:
            self.banner.show_message(message, "error")

    def _on_selection(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        attempt_id = self.table.item(rows[0].row(), 0).data(ID_ROLE) if rows else None
        if attempt_id != self.selected_id:
            self._show(attempt_id)

    def open_attempt(self, attempt_id: int) -> bool:
        """Select and show an attempt (clearing the search if it is hidden)."""
        if attempt_id not in self.row_ids():
            self.search_edit.clear()
            self.refresh()
        if attempt_id not in self.row_ids():
            return False
        self.table.selectRow(self.row_ids().index(attempt_id))
        self._show(attempt_id)
        return True

    # ---- detail ------------------------------------------------------------------------------
    def _show(self, attempt_id: int | None) -> None:
        self.stop_playback()
        self.selected_id = attempt_id
        attempt = self.services.repo.get_attempt(attempt_id) if attempt_id is not None else None
        self._set_buttons(attempt)
        if attempt is None:
            self.selected_id = None
            self.detail_title.setText("Select an attempt.")
            self.scorecard.clear()
            return
        when = short_date(attempt.started_at)
        title = f"{self._question_text(attempt)}\n{when} · {fmt_time(attempt.duration_s)}"
        if attempt.model:
            title += f" · {attempt.model}"
        self.detail_title.setText(title)
        transcript = transcript_of(attempt)
        if attempt.analysis_json:
            self.scorecard.show_analysis(attempt.analysis_json, transcript,
                                         self._strong_answer(attempt))
        elif attempt.transcript_text:
            self.scorecard.show_transcript_only(attempt.transcript_text)
        else:
            self.scorecard.show_transcript_only(self._no_transcript_text(attempt))
        if attempt.error and attempt.status != "scored":
            self.banner.show_message(attempt.error, "error")
        else:
            self.banner.dismiss()
        self._show_retranscription(attempt)

    # ---- re-transcribing: the previous result stays until the user keeps the new one -------
    def _show_retranscription(self, attempt: Attempt) -> None:
        held = self.pipeline.pending(attempt.id)
        if held is not None:
            self.retranscribe_bar.ready(comparison(attempt, *held))
        elif self.pipeline.is_holding(attempt.id):
            self.retranscribe_bar.working()
        else:
            self.retranscribe_bar.done()

    def _preview_new(self, show_new: bool) -> None:
        attempt = self.services.repo.get_attempt(self.selected_id) if self.selected_id else None
        held = self.pipeline.pending(self.selected_id) if attempt else None
        if show_new and held is not None:
            self.scorecard.show_analysis(held[1], held[0], self._strong_answer(attempt))
        elif attempt is not None and attempt.analysis_json:
            self.scorecard.show_analysis(attempt.analysis_json, transcript_of(attempt),
                                         self._strong_answer(attempt))

    def _keep_new(self) -> None:
        if self.selected_id is not None:
            self.pipeline.keep_new(self.selected_id)  # emits attempt_scored: the pane reloads

    def _keep_previous(self) -> None:
        if self.selected_id is not None:
            self.pipeline.keep_previous(self.selected_id)
            self._show(self.selected_id)

    def _strong_answer(self, attempt: Attempt) -> str:
        """The question's "what a strong answer covers" (not for a follow-up's answer)."""
        q = self.services.bank.get(attempt.question_id) if attempt.question_id else None
        return q.strong_answer if q is not None and not attempt.prompt_text else ""

    def _no_transcript_text(self, attempt: Attempt) -> str:
        if self.pipeline.is_busy(attempt.id):
            return "Transcribing…"
        if attempt.status == "recovered":
            return "Recovered recording — press “Transcribe” to transcribe and score it."
        return "No transcript yet."

    def _set_buttons(self, attempt: Attempt | None) -> None:
        has_audio = bool(attempt and attempt.audio_path and
                         self.services.paths.absolute(attempt.audio_path).exists())
        self.play_button.setEnabled(has_audio and self.player is not None)
        self.transcribe_button.setEnabled(
            has_audio and attempt.status in TRANSCRIBABLE and not self.pipeline.is_busy(attempt.id)
        )
        self.transcribe_button.setText("Transcribe" if attempt is None or attempt.status !=
                                       "scored" else "Re-transcribe")
        self.delete_button.setEnabled(attempt is not None)

    def transcribe_selected(self) -> None:
        attempt = self.services.repo.get_attempt(self.selected_id) if self.selected_id else None
        if attempt is None:
            return
        has_result = bool(attempt.transcript_text or attempt.analysis_json)
        if self.pipeline.submit(attempt.id, hold=has_result):
            self.transcribe_button.setEnabled(False)
            if has_result:
                self.retranscribe_bar.working()
            else:
                self.scorecard.show_transcript_only("Transcribing…")

    def delete_attempt(self, attempt_id: int | None, ask: bool = True) -> bool:
        """Delete an attempt and its audio (after a confirmation unless ``ask`` is False)."""
        if attempt_id is None:
            return False
        if ask:
            answer = QMessageBox.question(
                self, "Delete attempt",
                "Delete this attempt and its recording? This cannot be undone.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return False
        if attempt_id == self.selected_id:
            self.stop_playback()
        try:
            ok = self.services.repo.delete_attempt(attempt_id, self.services.paths.root)
        except Exception as exc:
            self.banner.show_message(f"Could not delete the attempt: {exc}", "error")
            return False
        if attempt_id == self.selected_id:
            self._show(None)
        self.refresh()
        if ok:
            self.attempt_deleted.emit(attempt_id)
        return ok

    # ---- playback ----------------------------------------------------------------------------
    def toggle_play(self) -> None:
        if self.player is not None and self.player.is_playing:
            self.stop_playback()
        else:
            self._play_from(-1, -1, 0.0)

    def _play_from(self, _cs: int, _ce: int, when: float) -> None:
        attempt = self.services.repo.get_attempt(self.selected_id) if self.selected_id else None
        if self.player is None or attempt is None or not attempt.audio_path or when < 0:
            return
        try:
            play_from(self.player, self.services.paths.absolute(attempt.audio_path), when)
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
