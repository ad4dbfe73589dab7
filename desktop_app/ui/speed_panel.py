"""Settings → Model: measure this computer's speed and recommend the model that suits it.

"Measure this computer" loads the installed model in its own transcription process (a thread
waits for it, never the GUI thread), times it on the bundled clip
(:mod:`desktop_app.transcription.speed_check`) and shows the most accurate model that keeps
live transcription ahead of speech here, with the sizes and measured speeds of the others.
The other models' speeds are the measured one scaled by their relative speeds in
assets/models.toml (measured for tiny.en and base, estimated from parameter counts for the rest).
The first-run panel (ui/welcome.py) runs the same measurement once the first model is in.
"""

from __future__ import annotations

import threading
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.transcription.speed_check import MAX_RTF


class SpeedPanel(QWidget):
    """Signals ``measured(str)`` (the recommendation text), ``advised(Advice)`` (the same,
    typed: see speed_check.advise) and ``failed(str)``. ``max_rtf``: the speed a model must
    be predicted to reach here to count as keeping up. Test hooks: ``button``, ``label``,
    ``busy_bar``, ``advice`` (the last one)."""

    measured = Signal(str)
    advised = Signal(object)
    failed = Signal(str)

    def __init__(self, services: Any, parent: QWidget | None = None, *,
                 max_rtf: float = MAX_RTF) -> None:
        super().__init__(parent)
        self.services, self.max_rtf = services, max_rtf
        self.advice: Any = None
        self.button = QPushButton("Measure this computer")
        self.button.setToolTip("Time the installed model on a 13-second clip and recommend the "
                               "most accurate model that keeps up while you talk")
        self.button.clicked.connect(self.start)
        self.label = QLabel()
        self.label.setWordWrap(True)
        self.label.setStyleSheet("font-size: 9pt;")
        self.label.hide()
        self.busy_bar = QProgressBar()  # no percentages to give: it moves while it measures
        self.busy_bar.setRange(0, 0)
        self.busy_bar.setMaximumHeight(8)
        self.busy_bar.setTextVisible(False)
        self.busy_bar.hide()
        row = QHBoxLayout()
        row.addWidget(self.button)
        row.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(row)
        lay.addWidget(self.busy_bar)
        lay.addWidget(self.label)
        self.advised.connect(self._on_advice)
        self.measured.connect(self._show)
        self.failed.connect(self._show)
        self._thread: threading.Thread | None = None

    def start(self, info: Any = None) -> bool:
        """Measure ``info`` (default: the model in use) on a background thread; False if one
        is running or no model is installed."""
        if self._thread is not None and self._thread.is_alive():
            return False
        try:
            info = info or self.services.models.resolve(self.services.settings.model)
        except Exception as exc:
            self._show(f"Install a model first ({exc}).")
            return False
        self.button.setEnabled(False)
        self.busy_bar.show()
        self._show(f"Measuring with {info.name}… (about half a minute)")
        self._thread = threading.Thread(target=self._measure, args=(info,), daemon=True,
                                        name="speed-check")  # fmt: skip
        self._thread.start()
        return True

    def _measure(self, info: Any) -> None:
        from desktop_app.transcription.speed_check import advise, measure_speed

        engine = None
        advice, message = None, ""
        try:
            engine = self.services.engine_factory(info)
            rtf = measure_speed(engine)
            advice = advise(info.name, getattr(info, "shape", None), rtf, max_rtf=self.max_rtf)
        except Exception as exc:  # the model would not load or decode: say so
            message = f"Could not measure this computer's speed: {exc}"
        try:
            if advice is not None:
                self.advised.emit(advice)
                self.measured.emit(advice.text)
            else:
                self.failed.emit(message)
        except RuntimeError:  # the dialog was closed meanwhile
            pass
        close = getattr(engine, "close", None)
        if callable(close):
            close()

    def _on_advice(self, advice: Any) -> None:
        self.advice = advice
        self.button.setEnabled(True)  # measured: whichever of the two signals comes first
        self.busy_bar.hide()

    def _show(self, text: str) -> None:
        self.label.setText(text)
        self.label.show()
        if not text.startswith("Measuring"):
            self.button.setEnabled(True)
            self.busy_bar.hide()
