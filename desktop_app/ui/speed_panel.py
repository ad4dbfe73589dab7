"""Settings → Model: measure this computer's speed and recommend the model that suits it.

"Measure this computer" loads the installed model in its own transcription process (a thread
waits for it, never the GUI thread), times it on the bundled clip
(:mod:`desktop_app.transcription.speed_check`) and shows the most accurate model that keeps
live transcription ahead of speech here, with the sizes and measured speeds of the others.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget


class SpeedPanel(QWidget):
    """Signals ``measured(str)`` (the recommendation text) and ``failed(str)``."""

    measured = Signal(str)
    failed = Signal(str)

    def __init__(self, services: Any, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.button = QPushButton("Measure this computer")
        self.button.setToolTip("Time the installed model on a 13-second clip and recommend the "
                               "most accurate model that keeps up while you talk")
        self.button.clicked.connect(self.start)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setStyleSheet("font-size: 9pt;")
        self.label.hide()
        row = QHBoxLayout()
        row.addWidget(self.button)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.label)
        self.measured.connect(self._show)
        self.failed.connect(self._show)
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Measure on a background thread (False if one is running or no model is installed)."""
        if self._thread is not None and self._thread.is_alive():
            return False
        try:
            info = self.services.models.resolve(self.services.settings.model)
        except Exception as exc:
            self._show(f"Install a model first ({exc}).")
            return False
        self.button.setEnabled(False)
        self._show(f"Measuring with {info.name}… (about half a minute)")
        self._thread = threading.Thread(target=self._measure, args=(info,), daemon=True,
                                        name="speed-check")  # fmt: skip
        self._thread.start()
        return True

    def _measure(self, info: Any) -> None:
        from desktop_app.transcription.speed_check import measure_speed, predictions, recommend

        engine = None
        try:
            engine = self.services.engine_factory(info)
            rtf = measure_speed(engine)
            shape = getattr(info, "shape", None) or info.name
            best = recommend(shape, rtf)
            others = [c.text for c in predictions(shape, rtf)
                      if c.model.name.endswith(".en") and c.model.name != best.model.name]
            text = (f"This computer runs {info.name} at {rtf:.2f} s per second of speech.\n"
                    f"Recommended: {best.text}.\nOthers: " + "; ".join(others) + ".")
            signal = self.measured
        except Exception as exc:  # the model would not load or decode: say so
            text, signal = f"Could not measure this computer's speed: {exc}", self.failed
        try:
            signal.emit(text)
        except RuntimeError:  # the dialog was closed meanwhile
            pass
        close = getattr(engine, "close", None)
        if callable(close):
            close()

    def _show(self, text: str) -> None:
        self.label.setText(text)
        self.label.show()
        if not text.startswith("Measuring"):
            self.button.setEnabled(True)
