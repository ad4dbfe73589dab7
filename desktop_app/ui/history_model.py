"""The History list as a lazily filled Qt model: a page of light rows at a time, newest first.

The view asks for more rows (``canFetchMore``/``fetchMore``) only as the user scrolls down, so
ten thousand attempts cost what two hundred do; a search, a delete or a finished transcription
changes one page or one row, never the whole list. Each fetch is one keyset query of a few
milliseconds (desktop_app/storage/history.py), so it can run on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

from desktop_app.storage.history import PAGE_SIZE, HistoryRow

COLUMNS = ("Date", "Question", "Duration", "Overall", "Status")
ID_ROLE = Qt.ItemDataRole.UserRole
_Index = QModelIndex | QPersistentModelIndex


class HistorySource(Protocol):
    """What the model reads (a Repository)."""

    def history_page(self, *, search: str | None = None, after: tuple[str, int] | None = None,
                     limit: int = PAGE_SIZE) -> list[HistoryRow]: ...

    def history_count(self, *, search: str | None = None) -> int: ...

    def history_row(self, attempt_id: int, *, search: str | None = None
                    ) -> HistoryRow | None: ...


class HistoryModel(QAbstractTableModel):
    """Rows of the History table. ``cells(row)`` gives the five texts of a row."""

    def __init__(self, source: HistorySource, cells: Callable[[HistoryRow], tuple[str, ...]],
                 page_size: int = PAGE_SIZE) -> None:
        super().__init__()
        self.source, self._cells, self.page_size = source, cells, page_size
        self.rows: list[HistoryRow] = []
        self._texts: dict[int, tuple[str, ...]] = {}  # row id -> its cells (Qt asks often)
        self.search: str | None = None
        self.total = 0  # rows matching, loaded or not
        self._exhausted = True

    # ---- Qt model ----------------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008 (Qt API)
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rows):
            return None
        row = self.rows[index.row()]
        if role == ID_ROLE:
            return row.id
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if role == Qt.ItemDataRole.ToolTipRole and index.column() != 1:
                return None
            texts = self._texts.get(row.id)
            if texts is None:
                texts = self._texts[row.id] = self._cells(row)
            return texts[index.column()]
        if role == Qt.ItemDataRole.TextAlignmentRole and index.column() in (2, 3):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: N802, B008
        return not parent.isValid() and not self._exhausted

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: N802, B008
        if parent.isValid() or self._exhausted:
            return
        after = self.rows[-1].key if self.rows else None
        page = self.source.history_page(search=self.search, after=after, limit=self.page_size)
        self._exhausted = len(page) < self.page_size
        if page:
            first = len(self.rows)
            self.beginInsertRows(QModelIndex(), first, first + len(page) - 1)
            self.rows.extend(page)
            self.endInsertRows()

    # ---- changes -----------------------------------------------------------------------------
    def reload(self, search: str | None = None, *, keep_loaded: bool = False) -> None:
        """Start over with ``search`` (None: every attempt). ``keep_loaded`` reloads as many
        rows as are loaded now, so the scroll position and selection survive."""
        want = max(self.page_size, len(self.rows)) if keep_loaded else self.page_size
        total = self.source.history_count(search=search)
        rows = self.source.history_page(search=search, limit=want)
        self.beginResetModel()
        self.search, self.total, self.rows = search, total, rows
        self._texts.clear()
        self._exhausted = len(rows) < want
        self.endResetModel()

    def row_of(self, attempt_id: int) -> int | None:
        """The position of a loaded attempt (None when not loaded)."""
        return next((i for i, r in enumerate(self.rows) if r.id == attempt_id), None)

    def remove(self, attempt_id: int) -> bool:
        """Drop one attempt's row; True if it was loaded."""
        i = self.row_of(attempt_id)
        if i is None:
            return False
        self.beginRemoveRows(QModelIndex(), i, i)
        del self.rows[i]
        self.total = max(0, self.total - 1)
        self.endRemoveRows()
        return True

    def refresh_row(self, attempt_id: int) -> None:
        """Re-read one attempt: update its row, drop it (gone, or no longer matching the
        search) or insert it in order (new, and newer than the last loaded row)."""
        fresh = self.source.history_row(attempt_id, search=self.search)
        i = self.row_of(attempt_id)
        if fresh is None:
            if i is not None:
                self.remove(attempt_id)
            return
        self._texts.pop(attempt_id, None)
        if i is not None and self.rows[i].key == fresh.key:
            self.rows[i] = fresh
            self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
            return
        if i is not None:
            self.remove(attempt_id)
        if self.rows and self._exhausted is False and fresh.key < self.rows[-1].key:
            self.total += 1
            return  # it will arrive with a later page
        at = next((j for j, r in enumerate(self.rows) if r.key < fresh.key), len(self.rows))
        self.beginInsertRows(QModelIndex(), at, at)
        self.rows.insert(at, fresh)
        self.total += 1
        self.endInsertRows()

    def load_until(self, attempt_id: int) -> int | None:
        """Fetch pages until ``attempt_id`` is loaded; its row, or None if it is not listed."""
        i = self.row_of(attempt_id)
        if i is not None or self.source.history_row(attempt_id, search=self.search) is None:
            return i
        while i is None and self.canFetchMore():
            start = len(self.rows)
            self.fetchMore()
            i = next((j for j in range(start, len(self.rows))
                      if self.rows[j].id == attempt_id), None)
        return i
