"""History: past attempts newest first; open one to read, replay, transcribe or delete it.

The list is a QTableView over :class:`~desktop_app.ui.history_model.HistoryModel`, which loads a
page of rows at a time as the user scrolls: every attempt is reachable, and scrolling, searching
and deleting cost the same at 10,000 attempts as at 100 (see bench/history_scale.py). Columns
have fixed widths and rows a fixed height, so Qt never measures every cell.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer, Signal
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
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import AnswerInput, Attempt, AttemptStatus
from desktop_app.practice.attempts import TRANSCRIBABLE, StoredAttempt
from desktop_app.storage.history import HistoryRow
from desktop_app.textfmt import fmt_time, list_date, short_date
from desktop_app.ui.history_model import COLUMNS, ID_ROLE, HistoryModel
from desktop_app.ui.playback import play_from
from desktop_app.ui.retranscribe import RetranscribeBar, comparison
from desktop_app.ui.scorecard import Scorecard
from desktop_app.ui.widgets import Banner

__all__ = ["COLUMNS", "ID_ROLE", "HistoryView", "short_date"]
# Widest text each fixed column holds (the Question column stretches).
_COLUMN_SAMPLES = {0: "30 Sep 23:59", 2: "12:59", 3: "100", 4: "transcribed"}
_NARROW_LIST_PX = 460  # below this the list drops its Duration column
_CELL_PADDING = 20  # cell margins and the header's padding


class HistoryView(QWidget):
    """Lists attempts a page at a time (HistoryModel) with a search box and a detail pane.

    Test hooks: ``table`` (QTableView), ``model`` (HistoryModel), ``search_edit``,
    ``count_label``, ``row_ids()`` (loaded rows), ``open_attempt(id)``, ``selected_id``,
    ``play_button``, ``review_button``, ``transcribe_button``, ``delete_button``,
    ``delete_attempt(id, ask=True)``, ``scorecard``, ``detail_title``, ``banner``,
    ``refresh()``, ``retranscribe_bar`` (the new result of a re-transcription waits there until
    kept). Signals: ``attempt_deleted(id)``, ``review_requested(id)``.
    """

    attempt_deleted = Signal(int)
    review_requested = Signal(int)  # "Review…" or a double-click on a row

    def __init__(self, services: Any, pipeline: Any, player: Any = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.pipeline, self.player = services, pipeline, player
        self.selected_id: int | None = None
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search transcripts…")
        self.search_edit.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: #627d98;")
        self.model = HistoryModel(services.attempts, self._cells)
        self.model.rowsInserted.connect(lambda *_: self._update_count())
        self.table = self._make_table()

        self.banner = Banner()
        self.detail_title = QLabel("Select an attempt.")
        self.detail_title.setObjectName("followUp")
        self.detail_title.setWordWrap(True)
        self.play_button = QPushButton("▶ Play")
        self.play_button.clicked.connect(self.toggle_play)
        self.review_button = QPushButton("Review…")
        self.review_button.setToolTip("Open in Review: the audio synced to the transcript, "
                                      "your note, the retakes (or double-click the row)")
        self.review_button.clicked.connect(self._review_selected)
        self.transcribe_button = QPushButton("Transcribe")
        self.transcribe_button.clicked.connect(self.transcribe_selected)
        self.delete_button = QPushButton("Delete…")
        self.delete_button.clicked.connect(lambda: self.delete_attempt(self.selected_id))
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

        left = QWidget()
        ll = QVBoxLayout(left)
        ll.setContentsMargins(0, 0, 0, 0)
        ll.addWidget(self.search_edit)
        ll.addWidget(self.table)
        ll.addWidget(self.count_label)
        self._left_layout = ll
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
        splitter.setSizes([520, 580])  # the list keeps room for its Question column
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addWidget(splitter)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(250)
        self._search_timer.timeout.connect(self._run_search)
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
    def _make_table(self) -> QTableView:
        table = QTableView()
        table.setModel(self.model)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setAlternatingRowColors(True)
        table.setWordWrap(False)
        table.setTextElideMode(Qt.TextElideMode.ElideRight)
        rows = table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(table.fontMetrics().height() + 10)
        header = table.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        cells, heads = table.fontMetrics(), header.fontMetrics()
        for col, sample in _COLUMN_SAMPLES.items():
            width = max(cells.horizontalAdvance(sample), heads.horizontalAdvance(COLUMNS[col]))
            table.setColumnWidth(col, width + _CELL_PADDING)
        table.selectionModel().selectionChanged.connect(lambda *_: self._on_selection())
        table.viewport().installEventFilter(self)
        table.doubleClicked.connect(lambda index: self.review_requested.emit(index.data(ID_ROLE)))
        return table

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """A narrow list hides Duration (it is in the detail title) so Question keeps room."""
        if event.type() == QEvent.Type.Resize and watched is self.table.viewport():
            self.table.setColumnHidden(2, self.table.viewport().width() < _NARROW_LIST_PX)
        return super().eventFilter(watched, event)

    def _cells(self, row: HistoryRow) -> tuple[str, ...]:
        return (
            list_date(row.started_at),
            self._question_text(row),
            "typed" if row.input == AnswerInput.TYPED else fmt_time(row.duration_s),
            "" if row.overall is None else f"{round(row.overall)}",
            row.status,
        )

    def _search(self) -> str | None:
        return self.search_edit.text().strip() or None

    def add_section(self, widget: QWidget) -> None:
        """Another list under the attempts (the mock interview rounds)."""
        self._left_layout.addWidget(widget)

    def refresh(self) -> None:
        """Reload the list from the database (as many rows as are loaded), keeping the
        selection when its attempt is still listed."""
        search = self._search()
        self._reload(search, keep_loaded=search == self.model.search)

    def _run_search(self) -> None:
        if self._search() != self.model.search:
            self._reload(self._search(), keep_loaded=False)

    def _reload(self, search: str | None, *, keep_loaded: bool) -> None:
        try:
            self.model.reload(search, keep_loaded=keep_loaded)
        except Exception as exc:
            self.banner.show_message(f"Could not read the history: {exc}", "error")
            return
        keep = self.selected_id
        row = self.model.row_of(keep) if keep is not None else None
        if row is not None:
            self._select_row(row)
        elif keep is not None:
            self._show(None)
        self._update_count()

    def _update_count(self) -> None:
        n, search = self.model.total, self.model.search
        text = f"{n:,} attempt{'s' if n != 1 else ''}"
        text += f" mention “{search}”" if search else ""
        if n > len(self.model.rows):
            text += " · scroll down for older ones"
        self.count_label.setText(text)

    def _select_row(self, row: int | None) -> None:
        """Highlight one row (None: none) without treating it as a click."""
        sm = self.table.selectionModel()
        sm.blockSignals(True)
        if row is None:
            sm.clearSelection()
        else:
            sm.setCurrentIndex(self.model.index(row, 0),
                               QItemSelectionModel.SelectionFlag.ClearAndSelect
                               | QItemSelectionModel.SelectionFlag.Rows)
        sm.blockSignals(False)
        self.table.viewport().update()

    def _question_text(self, a: Attempt | HistoryRow) -> str:
        q = self.services.bank.get(a.question_id) if a.question_id else None
        text = q.text if q else (a.question_id or "(unknown question)")
        return f"↳ {a.prompt_text}" if a.prompt_text else text

    def row_ids(self) -> list[int]:
        """The ids of the loaded rows, in order."""
        return [r.id for r in self.model.rows]

    def _changed(self, attempt_id: int) -> None:
        try:
            self.model.refresh_row(attempt_id)
        except Exception as exc:
            self.banner.show_message(f"Could not read the history: {exc}", "error")
            return
        if attempt_id == self.selected_id:
            row = self.model.row_of(attempt_id)
            if row is not None:
                self._select_row(row)
            self._show(attempt_id)
        self._update_count()

    def _on_failed(self, attempt_id: int, message: str) -> None:
        self._changed(attempt_id)
        if attempt_id == self.selected_id:
            self.banner.show_message(message, "error")

    def _on_selection(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        attempt_id = rows[0].data(ID_ROLE) if rows else None
        if attempt_id != self.selected_id:
            self._show(attempt_id)

    def open_attempt(self, attempt_id: int) -> bool:
        """Select and show an attempt (clearing the search if it is hidden, and loading older
        pages until it is listed)."""
        row = self.model.load_until(attempt_id)
        if row is None and self.model.search:
            self.search_edit.blockSignals(True)
            self.search_edit.clear()
            self.search_edit.blockSignals(False)
            self.refresh()
            row = self.model.load_until(attempt_id)
        if row is None:
            return False
        self._select_row(row)
        self.table.scrollTo(self.model.index(row, 0))
        self._show(attempt_id)
        return True

    # ---- detail ------------------------------------------------------------------------------
    def _show(self, attempt_id: int | None) -> None:
        self.stop_playback()
        self.selected_id = attempt_id
        stored = self.services.attempts.load(attempt_id) if attempt_id is not None else None
        attempt = stored.attempt if stored is not None else None
        self._set_buttons(attempt)
        if stored is None or attempt is None:
            self.selected_id = None
            self.detail_title.setText("Select an attempt.")
            self.scorecard.clear()
            return
        when = short_date(attempt.started_at)
        title = f"{self._question_text(attempt)}\n{when} · {fmt_time(attempt.duration_s)}"
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
        stored = self.services.attempts.load(self.selected_id) if self.selected_id else None
        held = self.pipeline.pending(self.selected_id) if stored else None
        if show_new and held is not None and stored is not None:
            self.scorecard.show_analysis(held[1], held[0], self._strong_answer(stored.attempt))
        elif stored is not None:
            self._show_result(stored)

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
        if attempt.status == AttemptStatus.RECOVERED:
            return "Recovered recording — press “Transcribe” to transcribe and score it."
        return "No transcript yet."

    def _review_selected(self) -> None:
        if self.selected_id is not None:
            self.review_requested.emit(self.selected_id)

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

    def transcribe_selected(self) -> None:
        attempt = self.services.attempts.get(self.selected_id) if self.selected_id else None
        if attempt is None:
            return
        has_result = attempt.has_result
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
            ok = self.services.attempts.delete(attempt_id)
        except Exception as exc:
            self.banner.show_message(f"Could not delete the attempt: {exc}", "error")
            return False
        was_selected = attempt_id == self.selected_id
        sm = self.table.selectionModel()
        sm.blockSignals(True)
        self.model.remove(attempt_id)
        sm.blockSignals(False)
        if was_selected:  # nothing stays highlighted: the next row is not what is shown
            self._select_row(None)
            self._show(None)
        self._update_count()
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
        path = self.services.attempts.audio_file(self.selected_id) if self.selected_id else None
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
