"""The transcript with STAR sentence colours and findings highlighted.

Findings are solid coloured underlines (and bold, italic or struck through by kind). Words
Whisper was unsure of look different on purpose: a dotted grey underline with the word's
confidence in its tooltip, and a legend line under the transcript (:class:`UncertainLegend`),
so a possibly misheard word is never mistaken for evidence.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QHBoxLayout, QLabel, QTextEdit, QWidget

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


UNCERTAIN = "uncertain"  # the finding kind of words the transcriber was unsure of
UNCERTAIN_COLOUR = "#52606d"  # grey dotted underline: not evidence, just "check this word"
UNCERTAIN_BACKGROUND = "#e4e7eb"  # a grey tint over the sentence colour, so it shows at a glance
EDIT_HINT = "Edit transcript… to fix it"


def uncertain_tip(probability: float | None, editable: bool) -> str:
    """The tooltip of one unsure word (``editable``: the view offers Edit transcript…)."""
    sure = f" ({probability:.0%})".replace("%", " %") if probability is not None else ""
    fix = EDIT_HINT if editable else "it is not counted as jargon or a name"
    return f"Whisper was unsure of this word{sure} — {fix}"


def finding_style(kind: str) -> tuple[str, bool, bool, bool]:
    k = kind.lower()
    if k in ("we", "we_ratio", "pronoun_we"):
        return FINDING_STYLES[7][1]
    for key, style in FINDING_STYLES:
        if key != "we" and key in k:
            return style
    return ("#486581", False, False, False)


def located_words(text: str, words: Sequence[Any]) -> list[tuple[int, int, Any]]:
    """Locate each timed word in ``text`` (in order): (char_start, char_end, word)."""
    found: list[tuple[int, int, Any]] = []
    pos = 0
    lowered = text.lower()
    for w in words:
        token = str(getattr(w, "text", "")).strip().lower()
        if not token:
            continue
        i = lowered.find(token, pos)
        if i < 0 or i - pos > 200:  # not found nearby: skip, keep position
            continue
        found.append((i, i + len(token), w))
        pos = i + len(token)
    return found


def word_char_spans(text: str, words: Sequence[Any]) -> list[tuple[int, int, float, float]]:
    """Locate each timed word in ``text`` (in order): (char_start, char_end, start, end)."""
    return [(cs, ce, float(w.start), float(w.end)) for cs, ce, w in located_words(text, words)]


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
    ``finding_spans`` (list of (start, end, kind)), ``uncertain_spans`` (list of (start, end,
    tooltip), one per unsure word), ``select_span(start, end)``. ``editable``: the view offers
    Edit transcript… (the unsure words' tooltips say so).
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
        self.uncertain_spans: list[tuple[int, int, str]] = []
        self.editable = False

    def set_content(
        self,
        text: str,
        sentences: Sequence[dict[str, Any]] = (),
        findings: Sequence[dict[str, Any]] = (),
        words: Sequence[Any] = (),
    ) -> None:
        """Show ``text`` with its STAR ``sentences`` and ``findings``; ``words`` (the
        transcript's timed words) give each unsure word its own confidence."""
        self.setPlainText(text)
        self.sentence_formats = sentence_ranges(text, sentences)
        self.finding_spans = []
        self.uncertain_spans = []
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
            if kind == UNCERTAIN:
                self._mark_uncertain(cs, ce, text, words)
                self.finding_spans.append((cs, ce, kind))
                continue
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

    def _mark_uncertain(self, cs: int, ce: int, text: str, words: Sequence[Any]) -> None:
        """A dotted grey underline per unsure word, its confidence in the tooltip."""
        inside = [(a, b, getattr(w, "probability", None))
                  for a, b, w in located_words(text, words) if cs <= a and b <= ce]
        for a, b, p in inside or [(cs, ce, None)]:
            fmt = QTextCharFormat()
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
            fmt.setUnderlineColor(QColor(UNCERTAIN_COLOUR))
            fmt.setBackground(QColor(UNCERTAIN_BACKGROUND))
            tip = uncertain_tip(p, self.editable)
            fmt.setToolTip(tip)
            self._apply(a, b, fmt)
            self.uncertain_spans.append((a, b, tip))

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


class _DottedSample(QLabel):
    """A word drawn the way unsure words are: a dotted grey line under it."""

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.fillRect(self.rect().adjusted(0, 1, 0, -1), QColor(UNCERTAIN_BACKGROUND))
        painter.end()
        super().paintEvent(event)
        painter = QPainter(self)
        pen = QPen(QColor(UNCERTAIN_COLOUR))
        pen.setStyle(Qt.PenStyle.DotLine)
        pen.setWidthF(1.2)
        painter.setPen(pen)
        y = self.height() - 2.0
        painter.drawLine(QPointF(1.0, y), QPointF(self.width() - 1.0, y))
        painter.end()


class UncertainLegend(QWidget):
    """The legend line under a transcript with unsure words (hidden when there are none).
    Test hooks: ``sample``, ``label``; ``set_editable(bool)``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sample = _DottedSample("word")
        self.sample.setContentsMargins(3, 0, 3, 3)
        self.label = QLabel()
        self.label.setWordWrap(True)
        for w in (self.sample, self.label):
            w.setStyleSheet("color: #52606d; font-size: 9.5pt;")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.sample)
        lay.addWidget(self.label, 1)
        self.set_editable(False)
        self.hide()

    def set_editable(self, editable: bool) -> None:
        fix = f" — {EDIT_HINT.replace(' it', ' them')}" if editable else ""
        self.label.setText(f"Whisper was unsure of the words marked like this (hover for how "
                           f"sure){fix}.")
