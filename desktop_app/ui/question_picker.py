"""Question picker: competency / kind filters, a search box, the list and "Next question"."""

from __future__ import annotations

import random
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import KINDS, Question
from desktop_app.textfmt import kind_label

QID_ROLE = Qt.ItemDataRole.UserRole


class QuestionPicker(QWidget):
    """Lists the bank's questions; emits ``question_selected(Question)`` when one is chosen.

    Test hooks: ``competency_combo``, ``kind_combo``, ``search_edit``, ``list``, ``next_button``,
    ``visible_ids()``, ``select(qid)``, ``next_question()``, ``set_due(ids)`` (questions due for
    review are listed first, marked, and counted in ``count_label``).
    """

    question_selected = Signal(object)

    def __init__(
        self, bank: Any, parent: QWidget | None = None, *, rng: random.Random | None = None
    ) -> None:
        super().__init__(parent)
        self.bank = bank
        self._rng = rng or random.Random()
        self._due: list[str] = []  # most overdue first
        self.competency_combo = QComboBox()
        self.competency_combo.setAccessibleName("Competency filter")
        self.competency_combo.addItem("All competencies", None)
        for comp in bank.competencies():  # shown as the pack writes them ("On-call", "trade-offs")
            self.competency_combo.addItem(comp, comp)
        self.kind_combo = QComboBox()
        self.kind_combo.setAccessibleName("Kind filter")
        self.kind_combo.addItem("All kinds", None)
        for kind in KINDS:
            self.kind_combo.addItem(kind_label(kind), kind)
        self.search_edit = QLineEdit()
        self.search_edit.setPlaceholderText("Search questions…")
        self.search_edit.setClearButtonEnabled(True)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setAlternatingRowColors(True)
        self.list.setAccessibleName("Questions")
        self.next_button = QPushButton("Next question")
        self.next_button.setToolTip("Pick a random question from the list (Ctrl+N)")
        self.count_label = QLabel()
        self.count_label.setStyleSheet("color: #627d98;")

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.competency_combo)
        lay.addWidget(self.kind_combo)
        lay.addWidget(self.search_edit)
        lay.addWidget(self.list, 1)
        lay.addWidget(self.count_label)
        lay.addWidget(self.next_button)

        self.competency_combo.currentIndexChanged.connect(self.refresh)
        self.kind_combo.currentIndexChanged.connect(self.refresh)
        self.search_edit.textChanged.connect(self.refresh)
        self.list.currentItemChanged.connect(self._on_current)
        self.next_button.clicked.connect(self.next_question)
        self.refresh()

    def filtered(self) -> list[Question]:
        questions = self.bank.filter(
            competency=self.competency_combo.currentData(), kind=self.kind_combo.currentData()
        )
        needle = self.search_edit.text().strip().lower()
        if needle:
            questions = [
                q for q in questions if needle in q.text.lower() or needle in q.competency.lower()
            ]
        rank = {qid: n for n, qid in enumerate(self._due)}
        return sorted(questions, key=lambda q: rank.get(q.id, len(rank)))  # due first, stable

    def set_due(self, question_ids: list[str]) -> None:
        """The questions due for review now, most overdue first."""
        if question_ids != self._due:
            self._due = list(question_ids)
            self.refresh()

    def refresh(self) -> None:
        """Rebuild the list from the filters, keeping the selection when it is still listed."""
        current = self.current_id()
        self.list.blockSignals(True)
        self.list.clear()
        due = set(self._due)
        shown_due = 0
        for q in self.filtered():
            is_due = q.id in due
            shown_due += is_due
            item = QListWidgetItem(f"Due · {q.text}" if is_due else q.text)
            item.setData(QID_ROLE, q.id)
            item.setToolTip(f"{q.competency} · {kind_label(q.kind)}")
            self.list.addItem(item)
            if q.id == current:
                self.list.setCurrentItem(item)
        self.list.blockSignals(False)
        n = self.list.count()
        due_text = f" · {shown_due} due for review (listed first)" if shown_due else ""
        self.count_label.setText(f"{n} question{'s' if n != 1 else ''}{due_text}")
        self.next_button.setEnabled(n > 0)

    def visible_ids(self) -> list[str]:
        return [self.list.item(i).data(QID_ROLE) for i in range(self.list.count())]

    def current_id(self) -> str | None:
        item = self.list.currentItem()
        return item.data(QID_ROLE) if item is not None else None

    def select(self, qid: str) -> bool:
        """Select a question by id (clearing filters if it is hidden). Emits question_selected."""
        if qid not in self.visible_ids():
            self.competency_combo.setCurrentIndex(0)
            self.kind_combo.setCurrentIndex(0)
            self.search_edit.clear()
        for i in range(self.list.count()):
            item = self.list.item(i)
            if item.data(QID_ROLE) == qid:
                if self.list.currentItem() is item:
                    self._on_current(item)
                else:
                    self.list.setCurrentItem(item)
                self.list.scrollToItem(item)
                return True
        return False

    def next_question(self) -> Question | None:
        """Pick a random listed question other than the current one."""
        ids = self.visible_ids()
        if not ids:
            return None
        others = [i for i in ids if i != self.current_id()] or ids
        qid = self._rng.choice(others)
        self.select(qid)
        return self.bank.get(qid)

    def _on_current(self, item: QListWidgetItem | None, _previous: Any = None) -> None:
        if item is None:
            return
        question = self.bank.get(item.data(QID_ROLE))
        if question is not None:
            self.question_selected.emit(question)
