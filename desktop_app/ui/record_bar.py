"""The record control: the Record/Stop button, the input level meter and the answer's clock."""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop_app.textfmt import fmt_time
from desktop_app.ui.widgets import LevelMeter


class RecordBar(QWidget):
    """Test hooks: ``record_button`` (checkable), ``level_meter``, ``elapsed_label``."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record_button = QPushButton("● Record")
        self.record_button.setObjectName("recordButton")
        self.record_button.setCheckable(True)
        self.record_button.setToolTip("Start/stop recording (Space or Ctrl+R)")
        self.level_meter = LevelMeter()
        self.elapsed_label = QLabel("0:00")
        self.elapsed_label.setObjectName("elapsed")
        self._t0 = 0.0
        self._clock = QTimer(self)
        self._clock.setInterval(200)
        self._clock.timeout.connect(self._tick)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.record_button)
        lay.addWidget(self.level_meter, 1)
        lay.addWidget(self.elapsed_label)

    def show_recording(self, recording: bool, enabled: bool) -> None:
        self.record_button.setChecked(recording)
        self.record_button.setText("■ Stop" if recording else "● Record")
        self.record_button.setEnabled(enabled)

    def reset(self) -> None:
        """A new answer (or none): the clock at 0:00, the meter empty."""
        self._clock.stop()
        self.level_meter.reset()
        self.elapsed_label.setText("0:00")

    def start_clock(self) -> None:
        self._t0 = time.monotonic()
        self.elapsed_label.setText("0:00")
        self._clock.start()

    def stop_clock(self, duration_s: float | None = None) -> None:
        """Stop counting; show the recording's real length when known."""
        self._clock.stop()
        self.level_meter.reset()
        if duration_s is not None:
            self.elapsed_label.setText(fmt_time(duration_s))

    def _tick(self) -> None:
        self.elapsed_label.setText(fmt_time(time.monotonic() - self._t0))
