"""After an answer: the candidate's own STAR parts beside what a strong answer covers."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop_app.textfmt import shorten
from desktop_app.ui.transcript_view import STAR_COLOURS, STAR_NAMES

SIDE_BY_SIDE_MIN_WIDTH = 620  # narrower than this, the two columns stack


def strong_points(note: str) -> list[str]:
    """A pack's ``strong_answer`` ("a; b; c") as a list of points."""
    points = [p.strip().rstrip(".") for p in note.split(";") if p.strip()]
    return [p[0].upper() + p[1:] for p in points]


def own_parts(star: Mapping[str, Any], width: int = 240) -> list[tuple[str, str | None]]:
    """(S/T/A/R, what the candidate said for it, shortened — or None when it is missing)."""
    sentences = [s for s in star.get("sentences") or [] if isinstance(s, Mapping)]
    parts: list[tuple[str, str | None]] = []
    for key in "STAR":
        said = " ".join(str(s.get("text", "")).strip() for s in sentences if s.get("label") == key)
        parts.append((key, shorten(said, width) if said.strip() else None))
    return parts


class StrongAnswerPanel(QWidget):
    """Two columns: "Your answer, part by part" and "What a strong answer covers".

    Test hooks: ``own_label``, ``strong_label`` (rich text), ``show_for(star, note)``, ``clear()``.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.own_label = self._column_label()
        self.strong_label = self._column_label()
        self.own_label.setAccessibleName("Your answer, part by part")
        self.strong_label.setAccessibleName("What a strong answer covers")
        self._box = QBoxLayout(QBoxLayout.Direction.LeftToRight)
        self._box.setContentsMargins(0, 0, 0, 0)
        self._box.setSpacing(16)
        self._box.addWidget(self.own_label, 1)
        self._box.addWidget(self.strong_label, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(self._box)
        self.hide()

    @staticmethod
    def _column_label() -> QLabel:
        label = QLabel()
        label.setTextFormat(Qt.TextFormat.RichText)
        label.setWordWrap(True)
        label.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        label.setObjectName("compareColumn")
        return label

    def clear(self) -> None:
        self.own_label.clear()
        self.strong_label.clear()
        self.hide()

    def show_for(self, star: Mapping[str, Any], note: str) -> None:
        """Show the candidate's parts (from the analysis' ``star``) beside ``note``."""
        points = strong_points(note or "")
        if not points:
            self.clear()
            return
        rows = []
        for key, said in own_parts(star):
            name = (f"<span style='background:{STAR_COLOURS[key]}'>"
                    f"&nbsp;{STAR_NAMES[key]}&nbsp;</span>")
            text = escape(said) if said else "<i style='color:#c63737'>✗ not told</i>"
            rows.append(f"<p style='margin:2px 0 6px 0'>{name} {text}</p>")
        self.own_label.setText("<b>Your answer, part by part</b>" + "".join(rows))
        items = "".join(f"<li>{escape(p)}</li>" for p in points)
        self.strong_label.setText(
            "<b>What a strong answer covers</b>"
            f"<ul style='margin-left:-20px; margin-top:2px'>{items}</ul>"
        )
        self.show()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 (Qt API)
        wide = event.size().width() >= SIDE_BY_SIDE_MIN_WIDTH
        direction = QBoxLayout.Direction.LeftToRight if wide else QBoxLayout.Direction.TopToBottom
        if self._box.direction() != direction:
            self._box.setDirection(direction)
        super().resizeEvent(event)
