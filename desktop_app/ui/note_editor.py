"""The per-attempt note: what the candidate wants to remember. Saved as they type (after a
short pause, and when the field loses focus); exported with the attempt."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QFocusEvent
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from desktop_app.reports.records import NOTE_MAX_CHARS, AttemptRecord, save_note

SAVE_AFTER_MS = 700


class _Edit(QPlainTextEdit):
    def __init__(self, on_leave: Any) -> None:
        super().__init__()
        self._on_leave = on_leave

    def focusOutEvent(self, event: QFocusEvent) -> None:  # noqa: N802 (Qt API)
        self._on_leave()
        super().focusOutEvent(event)


class NoteEditor(QWidget):
    """Test hooks: ``edit`` (QPlainTextEdit), ``state_label`` (saved / not saved), ``save_now()``,
    ``attempt_id``."""

    def __init__(self, services: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.attempt_id: int | None = None
        self._saved = ""
        title = QLabel("Your note")
        title.setObjectName("sectionTitle")
        self.edit = _Edit(self.save_now)
        self.edit.setPlaceholderText("What do you want to remember about this answer? "
                                     "(saved as you type, and exported with it)")
        self.edit.setFixedHeight(76)
        self.edit.setAccessibleName("Note")
        self.state_label = QLabel()
        self.state_label.setObjectName("hint")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(title)
        lay.addWidget(self.edit)
        lay.addWidget(self.state_label)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SAVE_AFTER_MS)
        self._timer.timeout.connect(self.save_now)
        self.edit.textChanged.connect(self._changed)

    def set_attempt(self, rec: AttemptRecord | None) -> None:
        self.save_now()
        self.attempt_id = rec.id if rec is not None else None
        self._saved = (rec.attempt.note or "") if rec is not None else ""
        self.edit.blockSignals(True)
        self.edit.setPlainText(self._saved)
        self.edit.blockSignals(False)
        read_only = bool(getattr(self.services, "read_only", False))
        self.edit.setReadOnly(read_only or rec is None)
        self.state_label.setText("Read-only: notes cannot be saved." if read_only else "")

    def _changed(self) -> None:
        n = len(self.edit.toPlainText())
        self.state_label.setText(f"Too long: {n} of {NOTE_MAX_CHARS} characters." if
                            n > NOTE_MAX_CHARS else "Editing…")
        self._timer.start()

    def save_now(self) -> None:
        self._timer.stop()
        text = self.edit.toPlainText()
        if self.attempt_id is None or text.strip() == self._saved.strip():
            return
        try:
            save_note(self.services.attempts, self.attempt_id, text)
        except Exception as exc:  # too long, database locked or full: the text stays
            self.state_label.setText(f"Not saved: {exc}")
            return
        self._saved = text
        self.state_label.setText("Saved.")
