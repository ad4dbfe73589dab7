"""Silence is not an answer: what the window shows when an answer had no detected speech.

Not a score of 0 and no follow-up: the candidate is told to check the microphone, and the empty
attempt stays in History only if they ask for it (Keep in History); otherwise it is deleted with
its recording when they choose Discard or move on to another answer.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

SILENT_TEXT = "I didn't hear anything — check the microphone (level meter, input device)."


class SilentNotice(QFrame):
    """Signals ``keep(attempt_id)`` and ``discard(attempt_id)``; one attempt at a time."""

    keep = Signal(int)
    discard = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("silentNotice")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.attempt_id: int | None = None
        self.label = QLabel(SILENT_TEXT)
        self.label.setWordWrap(True)
        self.detail = QLabel("The answer was not scored and asks no follow-up. Press Record to "
                             "try again.")
        self.detail.setWordWrap(True)
        self.detail.setStyleSheet("color: #627d98;")
        self.keep_button = QPushButton("Keep in History")
        self.discard_button = QPushButton("Discard")
        self.keep_button.clicked.connect(lambda: self._decide(self.keep))
        self.discard_button.clicked.connect(lambda: self._decide(self.discard))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.discard_button)
        buttons.addWidget(self.keep_button)
        lay = QVBoxLayout(self)
        lay.addWidget(self.label)
        lay.addWidget(self.detail)
        lay.addLayout(buttons)
        self.hide()

    def show_for(self, attempt_id: int) -> None:
        """Ask about ``attempt_id`` (an attempt still undecided is discarded first)."""
        self.settle()
        self.attempt_id = attempt_id
        self.show()

    def settle(self) -> None:
        """The candidate moved on without keeping it: discard the attempt on show."""
        if self.attempt_id is not None:
            self._decide(self.discard)

    def _decide(self, signal: Signal) -> None:
        attempt_id, self.attempt_id = self.attempt_id, None
        self.hide()
        if attempt_id is not None:
            signal.emit(attempt_id)
