"""Compare retakes: every answer to one question, and two of them side by side.

The list shows each attempt's date and scores, with the first, the best and the latest marked.
Pick two rows (click, then Ctrl+click) — or use the First/Best/Previous vs latest buttons — to
see each dimension's change (↑/↓), which STAR parts appeared or went, and both transcripts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.breakdown import STAR_NAMES
from desktop_app.reports.model import DIMENSION_TITLES
from desktop_app.reports.records import load_record
from desktop_app.storage.progress import SCORE_KEYS, STAR_PARTS, Progress, Retake
from desktop_app.textfmt import fmt_score, long_date, short_date
from desktop_app.ui.transcript_view import TranscriptView

COLUMNS = ("Date", *(DIMENSION_TITLES[k] for k in SCORE_KEYS), "")


@dataclass(frozen=True)
class Marks:
    first: int | None
    best: int | None
    latest: int | None


def marks_of(retakes: list[Retake]) -> Marks:
    scored = [r for r in retakes if r.scores.get("overall") is not None]
    best = max(scored, key=lambda r: (r.scores["overall"], r.started_at)) if scored else None
    return Marks(retakes[0].id if retakes else None, best.id if best else None,
                 retakes[-1].id if retakes else None)


def change_text(a: float | None, b: float | None) -> tuple[str, str]:
    """("↑ +12", colour) for the change from ``a`` to ``b``."""
    if a is None or b is None:
        return "—", "#829ab1"
    d = b - a
    if abs(d) < 0.5:
        return "= 0", "#627d98"
    return (f"↑ +{d:.0f}", "#2f8132") if d > 0 else (f"↓ {d:.0f}", "#c63737")


def star_changes(a: Retake, b: Retake) -> dict[str, list[str]]:
    """Which STAR parts appeared in ``b``, went from it, or stayed (by name)."""
    out: dict[str, list[str]] = {"appeared": [], "went": [], "kept": [], "missing": []}
    for part in STAR_PARTS:
        was, now = bool(a.star.get(part)), bool(b.star.get(part))
        key = ("kept" if was else "appeared") if now else ("went" if was else "missing")
        out[key].append(STAR_NAMES[part])
    return out


class CompareView(QWidget):
    """Test hooks: ``load(question_id, focus_id)``, ``table``, ``retakes``, ``marks``,
    ``pick(a_id, b_id)``, ``picked``, ``change_labels[key]``, ``star_label``, ``left_view``,
    ``right_view``, ``first_button``/``best_button``/``previous_button``."""

    def __init__(self, services: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.retakes: list[Retake] = []
        self.marks = Marks(None, None, None)
        self.picked: tuple[int, int] | None = None
        self.title = QLabel()
        self.title.setObjectName("questionText")
        self.title.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMaximumHeight(220)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.first_button = QPushButton("First vs latest")
        self.best_button = QPushButton("Best vs latest")
        self.previous_button = QPushButton("Previous vs latest")
        self.first_button.clicked.connect(lambda: self.pick(self.marks.first, self.marks.latest))
        self.best_button.clicked.connect(lambda: self.pick(self.marks.best, self.marks.latest))
        self.previous_button.clicked.connect(self._previous_vs_latest)
        quick = QHBoxLayout()
        hint = QLabel("Pick two rows (click, then Ctrl+click) to compare them, or:")
        hint.setObjectName("hint")
        quick.addWidget(hint)
        for b in (self.first_button, self.best_button, self.previous_button):
            quick.addWidget(b)
        quick.addStretch(1)

        self.grid = QGridLayout()
        self.head_a, self.head_b = QLabel(), QLabel()
        for col, text in enumerate(("", "", "", "Change")):
            label = QLabel(text)
            label.setObjectName("sectionTitle")
            self.grid.addWidget(label, 0, col)
        self.grid.addWidget(self.head_a, 0, 1)
        self.grid.addWidget(self.head_b, 0, 2)
        self.value_labels: dict[str, tuple[QLabel, QLabel]] = {}
        self.change_labels: dict[str, QLabel] = {}
        for row, key in enumerate(SCORE_KEYS, 1):
            self.grid.addWidget(QLabel(DIMENSION_TITLES[key]), row, 0)
            a, b, c = QLabel(), QLabel(), QLabel()
            self.grid.addWidget(a, row, 1)
            self.grid.addWidget(b, row, 2)
            self.grid.addWidget(c, row, 3)
            self.value_labels[key] = (a, b)
            self.change_labels[key] = c
        self.star_label = QLabel()
        self.star_label.setWordWrap(True)
        self.left_view, self.right_view = TranscriptView(), TranscriptView()
        texts = QSplitter(Qt.Orientation.Horizontal)
        texts.addWidget(self.left_view)
        texts.addWidget(self.right_view)

        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.table)
        lay.addLayout(quick)
        lay.addLayout(self.grid)
        lay.addWidget(self.star_label)
        lay.addWidget(texts, 1)

    def load(self, question_id: str, focus_id: int | None = None) -> None:
        """List every answer to ``question_id``; compare ``focus_id`` with the one before it
        (or the first with the latest)."""
        q = self.services.bank.get(question_id)
        self.title.setText(q.text if q else f"(question {question_id})")
        self.retakes = Progress(self.services.repo.db).retakes(question_id)
        self.marks = marks_of(self.retakes)
        self.table.blockSignals(True)
        self.table.setRowCount(len(self.retakes))
        for row, r in enumerate(self.retakes):
            cells = [short_date(r.started_at), *(fmt_score(r.scores.get(k)) for k in SCORE_KEYS),
                     self._badges(r.id)]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, r.id)
                if col == len(cells) - 1 and text:
                    item.setForeground(QColor("#2680c2"))
                self.table.setItem(row, col, item)
        self.table.blockSignals(False)
        ids = [r.id for r in self.retakes]
        for b in (self.first_button, self.best_button, self.previous_button):
            b.setEnabled(len(ids) >= 2)
        if len(ids) >= 2:
            if focus_id in ids and ids.index(focus_id) > 0:
                i = ids.index(focus_id)
                self.pick(ids[i - 1], focus_id)
            else:
                self.pick(ids[0], ids[-1])
        else:
            self.picked = None
            self.star_label.setText("Only one answer to this question so far: answer it again "
                                    "to compare your retakes.")

    def _badges(self, attempt_id: int) -> str:
        names = [n for n, i in (("first", self.marks.first), ("best", self.marks.best),
                                ("latest", self.marks.latest)) if i == attempt_id]
        return " · ".join(names)

    def _previous_vs_latest(self) -> None:
        if len(self.retakes) >= 2:
            self.pick(self.retakes[-2].id, self.retakes[-1].id)

    def _on_selection(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedItems()})
        if len(rows) >= 2:
            self._compare(self.retakes[rows[0]], self.retakes[rows[-1]])

    def pick(self, a_id: int | None, b_id: int | None) -> None:
        """Compare attempts ``a_id`` (older) and ``b_id``, selecting their rows."""
        by_id = {r.id: (i, r) for i, r in enumerate(self.retakes)}
        if a_id not in by_id or b_id not in by_id or a_id == b_id:
            return
        (ra, a), (rb, b) = sorted((by_id[a_id], by_id[b_id]), key=lambda x: x[0])
        self.table.blockSignals(True)
        self.table.clearSelection()
        for row in (ra, rb):
            self._select(row)
        self.table.blockSignals(False)
        self._compare(a, b)

    def _select(self, row: int) -> None:
        for col in range(self.table.columnCount()):
            item = self.table.item(row, col)
            if item is not None:
                item.setSelected(True)

    def _compare(self, a: Retake, b: Retake) -> None:
        self.picked = (a.id, b.id)
        self.head_a.setText(f"A · {long_date(a.started_at)}")
        self.head_b.setText(f"B · {long_date(b.started_at)}")
        for key in SCORE_KEYS:
            va, vb = a.scores.get(key), b.scores.get(key)
            la, lb = self.value_labels[key]
            la.setText(fmt_score(va))
            lb.setText(fmt_score(vb))
            text, colour = change_text(va, vb)
            self.change_labels[key].setText(text)
            self.change_labels[key].setStyleSheet(f"color: {colour}; font-weight: 600;")
        ch = star_changes(a, b)
        parts = []
        for key, what in (("appeared", "Appeared in B"), ("went", "Went from B"),
                          ("kept", "In both"), ("missing", "Missing in both")):
            if ch[key]:
                parts.append(f"<b>{what}:</b> {', '.join(ch[key])}")
        self.star_label.setText("STAR parts — " + " · ".join(parts))
        for view, attempt_id in ((self.left_view, a.id), (self.right_view, b.id)):
            self._show_text(view, attempt_id)

    def _show_text(self, view: TranscriptView, attempt_id: int) -> None:
        rec = load_record(self.services.attempts, self.services.bank, attempt_id)
        if rec is None:
            view.set_content("(this attempt is gone)")
        elif rec.analysis is not None:
            an = rec.analysis.to_dict()
            view.set_content(an["text"], an["star"]["sentences"], [])
        else:
            view.set_content(rec.transcript.text or "(no transcript)")


class CompareDialog(QDialog):
    """The comparison in its own window, beside the review."""

    def __init__(self, services: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Compare retakes — Rehearse")
        self.resize(1040, 760)
        self.view = CompareView(services)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        lay.addWidget(self.view)
