"""The review's seek bar: the recording's length with its STAR parts drawn along it.

Click or drag anywhere to seek; the parts (Situation blue, Task violet, Action green, Result
amber) show where in the answer each was told, so "play my Result" is one click.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from desktop_app.breakdown import STAR_NAMES
from desktop_app.textfmt import fmt_time
from desktop_app.ui.transcript_view import STAR_COLOURS

STRONG = {"S": "#60a5fa", "T": "#a78bfa", "A": "#4ade80", "R": "#fbbf24"}


class SeekBar(QWidget):
    """Test hooks: ``parts`` [(start, end, label)], ``position``, ``duration``, ``x_for(t)``."""

    seek_requested = Signal(float)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.duration = 0.0
        self.position = 0.0
        self.parts: list[tuple[float, float, str]] = []
        self.setMinimumHeight(30)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setAccessibleName("Playback position")
        self.setMouseTracking(True)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(400, 30)

    def set_timeline(self, duration: float, parts: Sequence[tuple[float, float, str]]) -> None:
        self.duration = max(0.0, float(duration))
        self.parts = [(float(s), float(e), lab) for s, e, lab in parts if e > s]
        self.position = 0.0
        self.update()

    def set_position(self, seconds: float) -> None:
        if abs(seconds - self.position) > 1e-3:
            self.position = seconds
            self.update()

    def _track(self) -> QRectF:
        return QRectF(self.rect()).adjusted(6, 9, -6, -9)

    def x_for(self, seconds: float) -> float:
        r = self._track()
        return r.x() + (r.width() * seconds / self.duration if self.duration else 0.0)

    def time_at(self, x: float) -> float:
        r = self._track()
        if not self.duration or r.width() <= 0:
            return 0.0
        return min(self.duration, max(0.0, (x - r.x()) / r.width() * self.duration))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        if self.isEnabled() and event.button() == Qt.MouseButton.LeftButton:
            self.seek_requested.emit(self.time_at(event.position().x()))

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 (Qt API)
        t = self.time_at(event.position().x())
        label = next((lab for s, e, lab in self.parts if s <= t <= e), None)
        tip = fmt_time(t) + (f" · {STAR_NAMES.get(label, label)}" if label else "")
        self.setToolTip(tip)
        if event.buttons() & Qt.MouseButton.LeftButton and self.isEnabled():
            self.seek_requested.emit(t)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        r = self._track()
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#e4e7eb"))
        p.drawRoundedRect(r, 3, 3)
        played = self.position if self.duration else 0.0
        for start, end, label in self.parts:
            x0, x1 = self.x_for(start), self.x_for(end)
            colour = STAR_COLOURS.get(label)
            if colour is None:
                continue
            p.setBrush(QColor(STRONG[label] if start < played else colour))
            p.drawRect(QRectF(x0, r.y(), max(1.0, x1 - x0), r.height()))
        if self.duration:
            x = self.x_for(played)
            p.setBrush(QColor(0, 0, 0, 40))
            p.drawRect(QRectF(r.x(), r.bottom() - 3, x - r.x(), 3))
            p.setBrush(QColor("#243b53" if self.isEnabled() else "#9fb3c8"))
            p.drawRoundedRect(QRectF(x - 2, r.y() - 6, 4, r.height() + 12), 2, 2)
        p.end()
