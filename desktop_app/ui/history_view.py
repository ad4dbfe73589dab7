"""History: past attempts newest first; open one to read, replay, transcribe or delete it.

The view joins two panes and keeps them in step: :class:`~desktop_app.ui.history_list.HistoryList`
(search, the paged table, the count; every attempt is reachable, and scrolling, searching and
deleting cost the same at 10,000 attempts as at 100, see bench/history_scale.py) and
:class:`~desktop_app.ui.history_detail.HistoryDetail` (the attempt on show and its actions).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QMessageBox, QScrollArea, QSplitter, QVBoxLayout, QWidget

from desktop_app.textfmt import short_date
from desktop_app.ui.history_detail import HistoryDetail
from desktop_app.ui.history_list import HistoryList
from desktop_app.ui.history_model import COLUMNS, ID_ROLE

__all__ = ["COLUMNS", "ID_ROLE", "HistoryView", "short_date"]


class HistoryView(QWidget):
    """Lists attempts a page at a time (HistoryModel) with a search box and a detail pane.

    Test hooks: ``table`` (QTableView), ``model`` (HistoryModel), ``search_edit``,
    ``count_label``, ``row_ids()`` (loaded rows), ``open_attempt(id)``, ``selected_id``,
    ``play_button``, ``review_button``, ``transcribe_button``, ``delete_button``,
    ``delete_attempt(id, ask=True)``, ``scorecard``, ``detail_title``, ``banner``,
    ``refresh()``, ``retranscribe_bar`` (the new result of a re-transcription waits there until
    kept); ``list`` and ``detail`` are the two panes. Signals: ``attempt_deleted(id)``,
    ``review_requested(id)``.
    """

    attempt_deleted = Signal(int)
    review_requested = Signal(int)  # "Review…" or a double-click on a row

    def __init__(self, services: Any, pipeline: Any, player: Any = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services, self.pipeline, self.player = services, pipeline, player
        self.list = HistoryList(services.attempts, services.bank)
        self.list.selection_changed.connect(self._on_selection)
        self.list.activated.connect(self.review_requested.emit)
        self.list.search_changed.connect(lambda: self._reload(keep_loaded=False))
        self.detail = d = HistoryDetail(services, pipeline, player)
        d.review_requested.connect(self.review_requested.emit)
        d.delete_requested.connect(self.delete_attempt)
        self.table, self.model = self.list.table, self.list.model
        self.search_edit, self.count_label = self.list.search_edit, self.list.count_label
        self.banner, self.detail_title, self.scorecard = d.banner, d.detail_title, d.scorecard
        self.play_button, self.review_button = d.play_button, d.review_button
        self.transcribe_button, self.delete_button = d.transcribe_button, d.delete_button
        self.retranscribe_bar = d.retranscribe_bar
        self.toggle_play, self.stop_playback = d.toggle_play, d.stop_playback
        self.transcribe_selected = d.transcribe

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(d)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(self.list)
        splitter.addWidget(scroll)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)  # the detail pane grows first: it holds the reading
        splitter.setSizes([520, 580])  # the list keeps room for its Question column
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 8, 8, 8)
        lay.addWidget(splitter)

        pipeline.attempt_scored.connect(lambda i, *_: self._changed(i))
        pipeline.attempt_failed.connect(self._on_failed)
        pipeline.attempt_rescored.connect(lambda i, *_: self._changed(i))
        pipeline.attempt_transcribing.connect(self._changed)
        self.refresh()

    @property
    def selected_id(self) -> int | None:
        """The attempt on show in the detail pane."""
        return self.detail.attempt_id

    def add_section(self, widget: QWidget) -> None:
        """Another list under the attempts (the mock interview rounds)."""
        self.list.add_section(widget)

    def row_ids(self) -> list[int]:
        """The ids of the loaded rows, in order."""
        return self.list.row_ids()

    def refresh(self) -> None:
        """Reload the list from the database (as many rows as are loaded), keeping the
        selection when its attempt is still listed."""
        self._reload(keep_loaded=self.list.search() == self.model.search)

    def _reload(self, *, keep_loaded: bool) -> None:
        try:
            self.model.reload(self.list.search(), keep_loaded=keep_loaded)
        except Exception as exc:
            self.banner.show_message(f"Could not read the history: {exc}", "error")
            return
        keep = self.selected_id
        row = self.model.row_of(keep) if keep is not None else None
        if row is not None:
            self.list.select_row(row)
        elif keep is not None:
            self.detail.show_attempt(None)
        self.list.update_count()

    def _changed(self, attempt_id: int) -> None:
        try:
            self.model.refresh_row(attempt_id)
        except Exception as exc:
            self.banner.show_message(f"Could not read the history: {exc}", "error")
            return
        if attempt_id == self.selected_id:
            row = self.model.row_of(attempt_id)
            if row is not None:
                self.list.select_row(row)
            self.detail.show_attempt(attempt_id)
        self.list.update_count()

    def _on_failed(self, attempt_id: int, message: str) -> None:
        self._changed(attempt_id)
        if attempt_id == self.selected_id:
            self.banner.show_message(message, "error")

    def _on_selection(self, attempt_id: int | None) -> None:
        if attempt_id != self.selected_id:
            self.detail.show_attempt(attempt_id)

    def open_attempt(self, attempt_id: int) -> bool:
        """Select and show an attempt (clearing the search if it is hidden, and loading older
        pages until it is listed)."""
        row = self.model.load_until(attempt_id)
        if row is None and self.model.search:
            self.list.clear_search()
            self.refresh()
            row = self.model.load_until(attempt_id)
        if row is None:
            return False
        self.list.select_row(row)
        self.table.scrollTo(self.model.index(row, 0))
        self.detail.show_attempt(attempt_id)
        return True

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
        was_selected = attempt_id == self.selected_id
        if was_selected:
            self.stop_playback()
        try:
            ok = self.services.attempts.delete(attempt_id)
        except Exception as exc:
            self.banner.show_message(f"Could not delete the attempt: {exc}", "error")
            return False
        self.list.remove(attempt_id)
        if was_selected:  # nothing stays highlighted: the next row is not what is shown
            self.list.select_row(None)
            self.detail.show_attempt(None)
        self.list.update_count()
        if ok:
            self.attempt_deleted.emit(attempt_id)
        return ok
