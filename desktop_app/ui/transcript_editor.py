"""Fix a misheard word: the candidate edits the transcript, and the answer is scored again.

:class:`TranscriptEditor` is a small dialog with the transcript as plain text; on Save it gives
the corrected :class:`~desktop_app.domain.Transcript` (timing kept, see
:mod:`desktop_app.transcription.edit`). The transcript it replaces is kept as an earlier
version (storage/transcript_versions.py), never lost.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.domain import Transcript


class TranscriptEditor(QDialog):
    """``result()`` is Accepted with :attr:`edited` set when the text changed."""

    def __init__(self, transcript: Transcript, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Edit transcript")
        self.original = transcript
        self.edited: Transcript | None = None
        hint = QLabel("Fix words the transcriber misheard (uncertain ones are underlined in the "
                      "transcript). Saving scores the answer again; the earlier transcript is "
                      "kept.")
        hint.setWordWrap(True)
        self.editor = QPlainTextEdit(transcript.text)
        self.editor.setAccessibleName("Transcript text")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._save)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(hint)
        lay.addWidget(self.editor, 1)
        lay.addWidget(self.buttons)
        self.resize(560, 320)

    def _save(self) -> None:
        from desktop_app.transcription.edit import edited_transcript

        text = " ".join(self.editor.toPlainText().split())
        if not text or text == " ".join(self.original.text.split()):
            self.reject()  # nothing changed (or everything deleted): keep what is stored
            return
        self.edited = edited_transcript(self.original, text)
        self.accept()
