"""Practice's question header: the question on show, its competency and kind, and the speech
controls (Speak question, Skip)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QPushButton

from desktop_app.domain import Question
from desktop_app.textfmt import kind_label

PLACEHOLDER = "Pick a question on the left, or press “Next question”."


class QuestionHeader(QObject):
    """Shows the question and keeps the speech buttons in step with ``speech`` (the question
    speaker, or None when there is no audio output: Speak is then disabled and says why).
    Not a widget of its own: ``add_to(layout)`` puts its rows in the practice column, so a long
    question wraps in the same layout pass as the rest of the column.

    Test hooks: ``question_label``, ``meta_label``, ``speak_button`` (its ``clicked`` is the
    practice view's to handle: what to speak depends on the answer under way), ``skip_button``.
    """

    def __init__(self, speech: Any = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.speech = speech
        self.question_label = QLabel(PLACEHOLDER)
        self.question_label.setObjectName("questionText")
        self.question_label.setWordWrap(True)
        self.question_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.meta_label = QLabel()
        self.meta_label.setStyleSheet("color: #627d98;")
        self.speak_button = QPushButton("Speak question")
        self.skip_button = QPushButton("Skip")
        self.skip_button.setToolTip("Stop speaking (Esc)")
        self.skip_button.clicked.connect(self.stop_speech)
        if speech is not None:
            speech.started.connect(self.update_buttons)
            speech.finished.connect(self.update_buttons)
            speech.error.connect(lambda _m: self.update_buttons())
        self.update_buttons()

    def add_to(self, column: QBoxLayout) -> None:
        """Add the question, its meta line and the speech buttons' row to ``column``."""
        speak_row = QHBoxLayout()
        speak_row.addWidget(self.speak_button)
        speak_row.addWidget(self.skip_button)
        speak_row.addStretch(1)
        column.addWidget(self.question_label)
        column.addWidget(self.meta_label)
        column.addLayout(speak_row)

    def show_question(self, question: Question) -> None:
        self.question_label.setText(question.text)
        self.meta_label.setText(f"{question.competency} · {kind_label(question.kind)}")
        self.meta_label.setToolTip(f"Question id: {question.id} ({question.pack})")

    def show_follow_up(self, prompt: str) -> None:
        self.question_label.setText(f"Follow-up: {prompt}")

    def say(self, text: str) -> None:
        """Speak ``text`` (nothing without a speaker or text)."""
        if self.speech is None or not text:
            return
        self.speech.say(text)
        self.update_buttons()

    def stop_speech(self) -> None:
        if self.speech is not None:
            self.speech.stop()

    def update_buttons(self) -> None:
        has = self.speech is not None
        self.speak_button.setEnabled(has)
        self.skip_button.setEnabled(has and self.speech.speaking)
        if not has:
            self.speak_button.setToolTip("Speech is unavailable (no audio output).")
