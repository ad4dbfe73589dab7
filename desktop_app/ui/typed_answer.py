"""Type an answer instead of speaking it: a plain-text editor with a live word count, Submit
(Ctrl+Enter) and Cancel (Esc). The draft of each question is kept while the window is open."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

# A spoken two-minute answer is ~250-300 words; the hint nudges toward that length.
HINT = ("Write it as you would say it: the situation, what you did, and how it turned out. "
        "Typed answers are scored like spoken ones, without pace or pauses.")


def word_count(text: str) -> int:
    return len(text.split())


class TypedAnswer(QFrame):
    """Signals: ``submitted(text)``, ``cancelled()``. Test hooks: ``editor``, ``count_label``,
    ``submit_button``, ``cancel_button``. ``open_for(key, heading)`` shows the draft of ``key``
    (a question id or a follow-up prompt)."""

    submitted = Signal(str)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("typedAnswer")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self._drafts: dict[str, str] = {}
        self._key = ""
        self.heading = QLabel()
        self.heading.setWordWrap(True)
        self.heading.setStyleSheet("font-weight: 600;")
        hint = QLabel(HINT)
        hint.setWordWrap(True)
        hint.setStyleSheet("color: #627d98;")
        self.editor = QPlainTextEdit()
        self.editor.setAccessibleName("Typed answer")
        self.editor.setPlaceholderText("Type or paste your answer…")
        self.editor.setTabChangesFocus(True)
        self.editor.setMinimumHeight(160)
        self.editor.textChanged.connect(self._on_text)
        self.count_label = QLabel("0 words")
        self.count_label.setStyleSheet("color: #627d98;")
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setToolTip("Close the editor; the draft is kept (Esc)")
        self.cancel_button.clicked.connect(self.cancel)
        self.submit_button = QPushButton("Submit answer")
        self.submit_button.setDefault(True)
        self.submit_button.setToolTip("Store and score this answer (Ctrl+Enter)")
        self.submit_button.clicked.connect(self.submit)
        row = QHBoxLayout()
        row.addWidget(self.count_label)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.submit_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.heading)
        lay.addWidget(hint)
        lay.addWidget(self.editor, 1)
        lay.addLayout(row)
        for keys in ("Ctrl+Return", "Ctrl+Enter"):
            sc = QShortcut(QKeySequence(keys), self.editor, self.submit)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        esc = QShortcut(QKeySequence("Esc"), self.editor, self.cancel)
        esc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._on_text()
        self.hide()

    def open_for(self, key: str, heading: str) -> None:
        """Show the editor with ``key``'s draft, focused at its end."""
        self._store_draft()
        self._key = key
        self.heading.setText(heading)
        self.editor.setPlainText(self._drafts.get(key, ""))
        self.editor.moveCursor(self.editor.textCursor().MoveOperation.End)
        self.show()
        self.editor.setFocus()

    def _store_draft(self) -> None:
        if self._key:
            self._drafts[self._key] = self.editor.toPlainText()

    def _on_text(self) -> None:
        n = word_count(self.editor.toPlainText())
        self.count_label.setText(f"{n} word{'s' if n != 1 else ''}")
        self.submit_button.setEnabled(n > 0)

    def submit(self) -> None:
        text = self.editor.toPlainText()
        if not text.strip() or not self.isVisible():
            return
        self.submitted.emit(text)

    def accepted(self) -> None:
        """The answer is stored: forget its draft and close."""
        self._drafts.pop(self._key, None)
        self._key = ""
        self.editor.clear()
        self.hide()

    def cancel(self) -> None:
        """Close; the draft stays for next time."""
        self._store_draft()
        self.hide()
        self.cancelled.emit()
