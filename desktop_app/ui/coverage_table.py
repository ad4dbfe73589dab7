"""Coverage by competency: answers, best and latest score, last practised, weakest dimension.
Competencies never practised are listed too, greyed, so gaps are easy to see."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem

from desktop_app.reports.model import DIMENSION_TITLES
from desktop_app.storage.progress import CompetencyRow
from desktop_app.textfmt import fmt_score

COLUMNS = ("Competency", "Answers", "Best", "Latest", "Last practised", "Weakest")


class _Num(QTableWidgetItem):
    """Sorts by its number (None first), not by its text."""

    def __init__(self, text: str, value: float | None) -> None:
        super().__init__(text)
        self.value = -1.0 if value is None else float(value)

    def __lt__(self, other: QTableWidgetItem) -> bool:
        return self.value < getattr(other, "value", -1.0)


class CoverageTable(QTableWidget):
    """Test hooks: ``rows`` (the CompetencyRows shown), ``never`` (names never practised)."""

    def __init__(self) -> None:
        super().__init__(0, len(COLUMNS))
        self.rows: list[CompetencyRow] = []
        self.never: list[str] = []
        self.setHorizontalHeaderLabels(COLUMNS)
        self.verticalHeader().hide()
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.setAlternatingRowColors(True)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(0, Qt.SortOrder.AscendingOrder)  # Qt's default is descending
        self.setMinimumHeight(260)

    def show_rows(self, rows: Sequence[CompetencyRow]) -> None:
        self.setSortingEnabled(False)
        self.rows = list(rows)
        self.never = [r.competency for r in rows if not r.attempts]
        self.setRowCount(len(rows))
        grey = QColor("#9fb3c8")
        for i, r in enumerate(rows):
            last = r.last_at.astimezone().strftime("%Y-%m-%d") if r.last_at else "never practised"
            weakest = DIMENSION_TITLES.get(r.weakest or "", "—")
            days = -r.last_at.timestamp() if r.last_at else None
            items = [QTableWidgetItem(r.competency), _Num(str(r.attempts), r.attempts),
                     _Num(fmt_score(r.best), r.best), _Num(fmt_score(r.latest), r.latest),
                     _Num(last, None if days is None else -days), QTableWidgetItem(weakest)]
            for col, item in enumerate(items):
                if col:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if not r.attempts:
                    item.setForeground(grey)
                self.setItem(i, col, item)
        self.setSortingEnabled(True)
