"""History's list pane: the search box, the table of attempts a page at a time, the count line
and any sections added under them (the mock interview rounds).

The table is a QTableView over :class:`~desktop_app.ui.history_model.HistoryModel`. Columns have
fixed widths and rows a fixed height, so Qt never measures every cell (see bench/history_scale.py).
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import AnswerInput, Attempt
from desktop_app.storage.history import HistoryRow
from desktop_app.textfmt import fmt_time, list_date
from desktop_app.ui.history_model import COLUMNS, ID_ROLE, HistoryModel

# Widest text each fixed column holds (the Question column stretches).
_COLUMN_SAMPLES = {0: "30 Sep 23:59", 2: "12:59", 3: "100", 4: "transcribed"}
_NARROW_LIST_PX = 460  # below this the list drops its Duration column
_CELL_PADDING = 20  # cell margins and the header's padding
SEARCH_DELAY_MS = 250  # typing pauses this long before the list is searched


def question_text(bank: Any, a: Attempt | HistoryRow) -> str:
    """What an attempt answered: its question's text, or "↳ prompt" for a follow-up."""
    q = bank.get(a.question_id) if a.question_id else None
    text = q.text if q else (a.question_id or "(unknown question)")
    return f"↳ {a.prompt_text}" if a.prompt_text else text


class HistoryList(QWidget):
    """The attempts list. Owns no selection of its own: the view says which row to highlight.

    Test hooks: ``search_edit``, ``table``, ``model``, ``count_label``. Signals:
    ``selection_changed(id or None)`` when the user picks a row, ``activated(id)`` on a
    double-click, ``search_changed()`` once typing in the search box has paused.
    """

    selection_changed = Signal(object)
    activated = Signal(int)
    search_changed = Signal()

    def __init__(self, attempts: Any, bank: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._bank = bank
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search transcripts…")
        self.search_edit.setClearButtonEnabled(True)
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: #627d98;")
        self.model = HistoryModel(attempts, self._cells)
        self.model.rowsInserted.connect(lambda *_: self.update_count())
        self.table = self._make_table()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.search_edit)
        lay.addWidget(self.table)
        lay.addWidget(self.count_label)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._search_paused)
        self.search_edit.textChanged.connect(lambda _t: self._search_timer.start())

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
        table.doubleClicked.connect(lambda index: self.activated.emit(index.data(ID_ROLE)))
        return table

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        """A narrow list hides Duration (it is in the detail title) so Question keeps room."""
        if event.type() == QEvent.Type.Resize and watched is self.table.viewport():
            self.table.setColumnHidden(2, self.table.viewport().width() < _NARROW_LIST_PX)
        return super().eventFilter(watched, event)

    def _cells(self, row: HistoryRow) -> tuple[str, ...]:
        return (
            list_date(row.started_at),
            question_text(self._bank, row),
            "typed" if row.input == AnswerInput.TYPED else fmt_time(row.duration_s),
            "" if row.overall is None else f"{round(row.overall)}",
            row.status,
        )

    def add_section(self, widget: QWidget) -> None:
        """Another list under the attempts (the mock interview rounds)."""
        self.layout().addWidget(widget)

    # ---- searching ---------------------------------------------------------------------------
    def search(self) -> str | None:
        """The search box's text, or None when it is empty."""
        return self.search_edit.text().strip() or None

    def _search_paused(self) -> None:
        if self.search() != self.model.search:
            self.search_changed.emit()

    def clear_search(self) -> None:
        """Empty the search box without starting a search (the caller reloads)."""
        self.search_edit.blockSignals(True)
        self.search_edit.clear()
        self.search_edit.blockSignals(False)

    # ---- rows and selection ------------------------------------------------------------------
    def row_ids(self) -> list[int]:
        """The ids of the loaded rows, in order."""
        return [r.id for r in self.model.rows]

    def update_count(self) -> None:
        n, search = self.model.total, self.model.search
        text = f"{n:,} attempt{'s' if n != 1 else ''}"
        text += f" mention “{search}”" if search else ""
        if n > len(self.model.rows):
            text += " · scroll down for older ones"
        self.count_label.setText(text)

    def select_row(self, row: int | None) -> None:
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

    def remove(self, attempt_id: int) -> None:
        """Drop an attempt's row without the selection change counting as a click."""
        sm = self.table.selectionModel()
        sm.blockSignals(True)
        self.model.remove(attempt_id)
        sm.blockSignals(False)

    def _on_selection(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        self.selection_changed.emit(rows[0].data(ID_ROLE) if rows else None)
