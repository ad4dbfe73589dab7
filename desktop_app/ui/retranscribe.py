"""Re-transcribing in History: the previous result stays until the user keeps the new one.

The bar says what is happening, compares the two results when the new one is ready, lets the user
look at either in the scorecard below, and keeps the one chosen.
"""

from __future__ import annotations

import difflib
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from desktop_app.textfmt import fmt_score


def changed_words(old: str, new: str) -> int:
    """How many words differ between two transcripts (inserted, deleted or replaced)."""
    a, b = old.lower().split(), new.lower().split()
    ops = difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes()
    return sum(max(i2 - i1, j2 - j1) for tag, i1, i2, j1, j2 in ops if tag != "equal")


def comparison(previous: Any, transcript: Any, analysis: Any) -> str:
    """One paragraph: the previous and the new overall score, length, model and what changed."""
    old_text = previous.transcript_text or ""
    new_score = analysis.scores.get("overall") if analysis is not None else None
    changed = changed_words(old_text, transcript.text)
    old_model = f", {previous.model}" if previous.model else ""
    new_model = f", {transcript.model}" if getattr(transcript, "model", "") else ""
    return (
        f"<b>A new transcript is ready.</b> Previous: {fmt_score(previous.scores.get('overall'))} "
        f"overall, {len(old_text.split())} words{old_model}. New: {fmt_score(new_score)} "
        f"overall, {len(transcript.text.split())} words{new_model}. "
        f"{changed} word{'s' if changed != 1 else ''} differ. Nothing is replaced until you "
        "choose."
    )


class RetranscribeBar(QFrame):
    """Test hooks: ``label``, ``show_new_button`` (checkable), ``keep_new_button``,
    ``keep_previous_button``; ``showing_new`` (the scorecard shows the held result).
    Signals: ``preview(bool)`` (show the new result, or the stored one), ``keep_new()``,
    ``keep_previous()``."""

    preview = Signal(bool)
    keep_new = Signal()
    keep_previous = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setProperty("kind", "info")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.show_new_button = QPushButton("Show the new one")
        self.show_new_button.setCheckable(True)
        self.show_new_button.toggled.connect(self._on_toggle)
        self.keep_new_button = QPushButton("Keep the new one")
        self.keep_new_button.clicked.connect(self.keep_new)
        self.keep_previous_button = QPushButton("Keep the previous one")
        self.keep_previous_button.clicked.connect(self.keep_previous)
        buttons = QHBoxLayout()
        for b in (self.show_new_button, self.keep_new_button, self.keep_previous_button):
            buttons.addWidget(b)
        buttons.addStretch(1)
        self._buttons = (self.show_new_button, self.keep_new_button, self.keep_previous_button)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.addWidget(self.label)
        lay.addLayout(buttons)
        self.hide()

    @property
    def showing_new(self) -> bool:
        return self.isVisible() and self.show_new_button.isChecked()

    def working(self) -> None:
        self._set_choice(False)
        self.label.setText("Re-transcribing… your current transcript and scores stay until you "
                           "choose to keep the new ones.")
        self.show()

    def ready(self, text: str) -> None:
        self._set_choice(True)
        self.label.setText(text)
        self.show()

    def done(self) -> None:
        self._set_choice(False)
        self.hide()

    def _set_choice(self, on: bool) -> None:
        self.show_new_button.blockSignals(True)
        self.show_new_button.setChecked(False)
        self.show_new_button.setText("Show the new one")
        self.show_new_button.blockSignals(False)
        for b in self._buttons:
            b.setVisible(on)

    def _on_toggle(self, on: bool) -> None:
        self.show_new_button.setText("Show the previous one" if on else "Show the new one")
        self.preview.emit(on)
