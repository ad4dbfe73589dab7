"""The transcript with STAR sentence colours and findings highlighted."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtGui import QColor, QFont, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QTextEdit, QWidget

from desktop_app.breakdown import STAR_NAMES

STAR_COLOURS = {
    "S": "#dbeafe",  # Situation: blue
    "T": "#ede9fe",  # Task: violet
    "A": "#dcfce7",  # Action: green
    "R": "#fef3c7",  # Result: amber
}

# Finding kind (matched by substring) → (underline colour, bold, italic, strike-through)
FINDING_STYLES: list[tuple[str, tuple[str, bool, bool, bool]]] = [
    ("filler", ("#c63737", False, False, True)),
    ("hedge", ("#7c3aed", False, True, False)),
    ("jargon", ("#d97706", False, False, False)),
    ("acronym", ("#d97706", False, False, False)),
    ("buzz", ("#d97706", False, False, False)),
    ("vague", ("#b45309", False, True, False)),
    ("hypothetical", ("#b45309", False, True, False)),
    ("we", ("#2563eb", False, False, False)),
    ("quant", ("#15803d", True, False, False)),
    ("number", ("#15803d", True, False, False)),
    ("named", ("#0f766e", True, False, False)),
]


def finding_style(kind: str) -> tuple[str, bool, bool, bool]:
    k = kind.lower()
    if k in ("we", "we_ratio", "pronoun_we"):
        return FINDING_STYLES[7][1]
    for key, style in FINDING_STYLES:
        if key != "we" and key in k:
            return style
    return ("#486581", False, False, False)


def word_char_spans(text: str, words: Sequence[Any]) -> list[tuple[int, int, float, float]]:
    """Locate each timed word in ``text`` (in order): (char_start, char_end, start, end)."""
    spans: list[tuple[int, int, float, float]] = []
    pos = 0
    lowered = text.lower()
    for w in words:
        token = str(getattr(w, "text", "")).strip().lower()
        if not token:
            continue
        i = lowered.find(token, pos)
        if i < 0 or i - pos > 200:  # not found nearby: skip, keep position
            continue
        spans.append((i, i + len(token), float(w.start), float(w.end)))
        pos = i + len(token)
    return spans


def time_at(spans: Sequence[tuple[int, int, float, float]], char_start: int) -> float | None:
    """The start time of the first word that ends after ``char_start``."""
    for cs, ce, start, _end in spans:
        if ce > char_start:
            return start if cs <= char_start + 40 else None
    return None


def sentence_ranges(text: str, sentences: Sequence[dict[str, Any]]) -> list[tuple[int, int, str]]:
    """(char_start, char_end, label) per sentence: stored offsets, else found by text."""
    out: list[tuple[int, int, str]] = []
    pos = 0
    for s in sentences:
        label = str(s.get("label", "O"))
        cs, ce = s.get("char_start"), s.get("char_end")
        if isinstance(cs, int) and isinstance(ce, int) and 0 <= cs < ce <= len(text):
            out.append((cs, ce, label))
            pos = ce
            continue
        stext = str(s.get("text", "")).strip()
        i = text.find(stext, pos) if stext else -1
        if i >= 0:
            out.append((i, i + len(stext), label))
            pos = i + len(stext)
    return out


class TranscriptView(QTextEdit):
    """Read-only transcript; ``set_content`` colours STAR sentences and marks findings.

    Hooks for tests: ``toPlainText()``, ``sentence_formats`` (list of (start, end, label)),
    ``finding_spans`` (list of (start, end, kind)), ``select_span(start, end)``.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setAccessibleName("Transcript")
        font = self.font()
        font.setPointSizeF(max(font.pointSizeF(), 11.5))
        self.setFont(font)
        self.setMinimumHeight(140)
        self.setUndoRedoEnabled(False)
        self._cursor = QTextCursor(self.document())
        self.sentence_formats: list[tuple[int, int, str]] = []
        self.finding_spans: list[tuple[int, int, str]] = []

    def set_content(
        self,
        text: str,
        sentences: Sequence[dict[str, Any]] = (),
        findings: Sequence[dict[str, Any]] = (),
    ) -> None:
        self.setPlainText(text)
        self.sentence_formats = sentence_ranges(text, sentences)
        self.finding_spans = []
        self._cursor = QTextCursor(self.document())
        self._cursor.beginEditBlock()  # one re-layout at the end, not one per highlight
        for cs, ce, label in self.sentence_formats:
            colour = STAR_COLOURS.get(label)
            if colour:
                fmt = QTextCharFormat()
                fmt.setBackground(QColor(colour))
                fmt.setToolTip(STAR_NAMES.get(label, label))
                self._apply(cs, ce, fmt)
        for f in findings:
            cs, ce = f.get("char_start"), f.get("char_end")
            if not (isinstance(cs, int) and isinstance(ce, int) and 0 <= cs < ce <= len(text)):
                continue
            kind = str(f.get("kind", ""))
            colour, bold, italic, strike = finding_style(kind)
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
            fmt.setUnderlineColor(QColor(colour))
            fmt.setForeground(QColor(colour))
            if bold:
                fmt.setFontWeight(QFont.Weight.DemiBold)
            fmt.setFontItalic(italic)
            fmt.setFontStrikeOut(strike)
            fmt.setToolTip(kind.replace("_", " "))
            self._apply(cs, ce, fmt)
            self.finding_spans.append((cs, ce, kind))
        self._cursor.endEditBlock()
        self.document().clearUndoRedoStacks()
        self.moveCursor(QTextCursor.MoveOperation.Start)

    def set_live_text(self, text: str) -> None:
        """Show the live transcript so far: appends when it only grew (cheap), else replaces."""
        old = self.toPlainText()
        if text == old:
            return
        if old and text.startswith(old):
            cursor = QTextCursor(self.document())
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertText(text[len(old):])
        else:
            self.setPlainText(text)
        self.moveCursor(QTextCursor.MoveOperation.End)
        self.ensureCursorVisible()

    def _apply(self, start: int, end: int, fmt: QTextCharFormat) -> None:
        cursor = self._cursor
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.mergeCharFormat(fmt)

    def select_span(self, start: int, end: int) -> None:
        """Select (and scroll to) a character range."""
        n = len(self.toPlainText())
        start, end = max(0, min(start, n)), max(0, min(end, n))
        cursor = self.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def selected_text(self) -> str:
        return self.textCursor().selectedText()
