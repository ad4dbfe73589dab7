"""Small reusable widgets and the application style sheet."""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QSizePolicy, QToolButton, QWidget

STYLE = """
QWidget { font-size: 10.5pt; }
QLabel#questionText { font-size: 17pt; font-weight: 600; color: #1f2933; padding: 8px 2px; }
QLabel#sectionTitle { font-size: 11.5pt; font-weight: 600; color: #334e68; margin-top: 10px; }
QLabel#followUp { font-size: 12pt; font-style: italic; color: #243b53; }
QLabel#elapsed { font-family: monospace; font-size: 14pt; color: #334e68; }
QPushButton { padding: 6px 14px; border-radius: 5px; border: 1px solid #bcccdc;
              background: #f0f4f8; }
QPushButton:hover { background: #d9e2ec; }
QPushButton:disabled { color: #9fb3c8; }
QPushButton#recordButton { background: #d64545; color: white; font-weight: 600;
                           border: none; min-width: 120px; padding: 9px 18px; }
QPushButton#recordButton:checked { background: #610404; }
QPushButton#recordButton:disabled { background: #e8a6a6; }
QFrame#banner { border-radius: 6px; padding: 4px; }
QFrame#welcome { background: #f0f7ff; border: 1px solid #b6d4f0; border-radius: 8px; }
QFrame#welcome QLabel { background: transparent; }
QLabel#welcomeTitle { font-size: 15pt; font-weight: 700; color: #1f2933; }
QPushButton#primaryButton { background: #2680c2; color: white; font-weight: 600; border: none;
                            padding: 7px 16px; }
QPushButton#primaryButton:hover { background: #1f6fa8; }
QPushButton#primaryButton:disabled { background: #9fc3e2; }
QFrame#banner[kind="info"] { background: #e6f6ff; border: 1px solid #8bc5ea; }
QFrame#banner[kind="error"] { background: #ffe3e3; border: 1px solid #e66a6a; }
QFrame#scoreTile { background: #f5f7fa; border: 1px solid #d9e2ec; border-radius: 8px; }
QFrame#scoreTile:hover { border-color: #9fb3c8; }
QFrame#scoreTile:focus { border: 1px solid #2680c2; }
QFrame#scoreTile[open="true"] { border: 2px solid #2680c2; background: #e6f6ff; }
QLabel#scoreValue { font-size: 20pt; font-weight: 700; }
QLabel#scoreName { color: #486581; }
QLabel#scoreCaption { color: #627d98; font-size: 8.5pt; }
QLabel#hint { color: #829ab1; font-size: 9pt; }
QLabel#breakdown { background: #f5f7fa; border: 1px solid #d9e2ec; border-radius: 6px;
                   padding: 8px; }
QLabel#cardHeading { color: #486581; font-size: 10pt; }
QLabel#compareColumn { background: #fbfcfd; border: 1px solid #e4e7eb; border-radius: 6px;
                       padding: 8px; }
QListWidget, QTableWidget, QTableView, QTextEdit { border: 1px solid #d9e2ec; border-radius: 4px; }
QListWidget::item { padding: 5px 4px; border-bottom: 1px solid #e4e7eb; }
QListWidget::item:selected { background: #2680c2; color: white; }
"""


def score_colour(value: float | None) -> QColor:
    """Red → amber → green for a 0–100 score."""
    if value is None:
        return QColor("#829ab1")
    if value >= 70:
        return QColor("#2f8132")
    if value >= 45:
        return QColor("#c99a2e")
    return QColor("#c63737")


class LevelMeter(QWidget):
    """A horizontal input level bar with a slowly falling peak marker (values 0..1)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.level = 0.0
        self.peak = 0.0
        self.setMinimumHeight(14)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName("Input level")
        self._decay = QTimer(self)
        self._decay.setInterval(50)
        self._decay.timeout.connect(self._fall)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(240, 16)

    def set_level(self, value: float) -> None:
        value = max(0.0, min(1.0, float(value)))
        # A perceptual (dB-like) scale so speech does not sit at the bottom of the bar.
        shown = max(0.0, 1.0 + math.log10(max(value, 1e-3)) / 3.0)
        self.level = shown
        self.peak = max(self.peak, shown)
        if not self._decay.isActive():
            self._decay.start()
        self.update()

    def reset(self) -> None:
        self.level = self.peak = 0.0
        self._decay.stop()
        self.update()

    def _fall(self) -> None:
        self.peak = max(self.level, self.peak - 0.02)
        self.level = max(0.0, self.level - 0.04)
        if self.peak <= 0.0:
            self._decay.stop()
        self.update()

    def paintEvent(self, _event: object) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#e4e7eb"))
        p.drawRoundedRect(r, 4, 4)
        colour = QColor("#3ebd93") if self.level < 0.85 else QColor("#e12d39")
        p.setBrush(colour)
        p.drawRoundedRect(QRectF(r.x(), r.y(), r.width() * self.level, r.height()), 4, 4)
        if self.peak > 0:
            p.setBrush(QColor("#243b53"))
            x = r.x() + r.width() * self.peak
            p.drawRect(QRectF(min(x, r.right() - 2), r.y(), 2, r.height()))
        p.end()


class Banner(QFrame):
    """A non-modal inline message with a close button (``kind`` is "info" or "error")."""

    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.setToolTip("Dismiss")
        close.clicked.connect(self.dismiss)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(8, 4, 4, 4)
        lay.addWidget(self.label, 1)
        lay.addWidget(close, 0, Qt.AlignmentFlag.AlignTop)
        self.hide()

    def show_message(self, text: str, kind: str = "info") -> None:
        self.setProperty("kind", kind)
        self.style().unpolish(self)
        self.style().polish(self)
        self.label.setText(text)
        self.show()

    def text(self) -> str:
        return "" if self.isHidden() else self.label.text()

    def dismiss(self) -> None:
        self.hide()
        self.closed.emit()
