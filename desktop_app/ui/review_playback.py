"""The Review tab's playback bar: play/pause, ±5 s, a seek bar with the STAR parts drawn along it
and the time.

It plays a :class:`~desktop_app.audio.transport.Transport` and reads the position from the
audio stream (frames played) every ``TICK_MS``, telling ``position_changed`` each time; a finding
can be played to its end (``play(start, stop_at=…)``).
"""

from __future__ import annotations

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStyle, QWidget

from desktop_app.audio.transport import SKIP_S, Transport
from desktop_app.textfmt import fmt_time
from desktop_app.ui.seek_bar import SeekBar

TICK_MS = 30


class PlaybackBar(QWidget):
    """Test hooks: ``play_button``, ``back_button``, ``forward_button``, ``seek_bar``,
    ``time_label``, ``transport``. Signals: ``position_changed(seconds)`` (the stream's
    position, after every tick, seek and pause), ``failed(message)`` (playing could not start).
    """

    position_changed = Signal(float)
    failed = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.transport: Transport | None = None
        self._stop_at: float | None = None
        self.play_button = QPushButton()
        self.play_button.setToolTip("Play or pause (Space)")
        self.play_button.clicked.connect(self.toggle_play)
        self.back_button = QPushButton(f"⟲ {SKIP_S:.0f} s")
        self.back_button.setToolTip("Back 5 seconds (←)")
        self.back_button.clicked.connect(lambda: self.skip(-SKIP_S))
        self.forward_button = QPushButton(f"{SKIP_S:.0f} s ⟳")
        self.forward_button.setToolTip("Forward 5 seconds (→)")
        self.forward_button.clicked.connect(lambda: self.skip(SKIP_S))
        self.seek_bar = SeekBar()
        self.seek_bar.seek_requested.connect(self.seek)
        self.time_label = QLabel("0:00 / 0:00")
        self.time_label.setObjectName("elapsed")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        for w in (self.play_button, self.back_button, self.forward_button):
            lay.addWidget(w)
        lay.addWidget(self.seek_bar, 1)
        lay.addWidget(self.time_label)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self.set_controls(False)

    def set_transport(self, transport: Transport | None) -> None:
        """The recording to play (None: nothing to play, the controls are off)."""
        self.transport = transport
        if transport is not None:
            self.seek_bar.set_timeline(transport.duration, self.seek_bar.parts)
            self.set_controls(True)
            self.show_position(0.0)
        else:
            self.set_controls(False)

    def set_controls(self, on: bool) -> None:
        for w in (self.play_button, self.back_button, self.forward_button, self.seek_bar):
            w.setEnabled(on)
        self._show_playing(False)

    def _show_playing(self, playing: bool) -> None:
        """The play button says what a press does (icons: not every font has ⏸)."""
        icon = (QStyle.StandardPixmap.SP_MediaPause if playing
                else QStyle.StandardPixmap.SP_MediaPlay)
        self.play_button.setIcon(self.style().standardIcon(icon))
        self.play_button.setText("Pause" if playing else "Play")

    def toggle_play(self) -> None:
        if self.transport is None:
            return
        if self.transport.playing:
            self.pause()
        else:
            self.play()

    def play(self, start: float | None = None, stop_at: float | None = None) -> None:
        """Play from ``start`` (None: where it is) until ``stop_at`` (None: the end)."""
        if self.transport is None:
            return
        self._stop_at = stop_at
        try:
            self.transport.play(start)
        except Exception as exc:
            self.failed.emit(f"Could not play the recording: {exc}")
            return
        self._show_playing(True)
        self._timer.start()
        self._tick()

    def pause(self) -> None:
        if self.transport is not None:
            self.transport.pause()
        self._show_playing(False)
        self._timer.stop()
        self._tick()

    def stop(self) -> None:
        """Stop playback (another attempt opens, the tab is left, the window closes)."""
        if self.transport is not None:
            self.transport.stop()
        self._timer.stop()
        self._show_playing(False)

    def seek(self, seconds: float) -> None:
        if self.transport is None:
            return
        self._stop_at = None
        self.transport.seek(seconds)
        self.show_position(self.transport.position)

    def skip(self, delta: float) -> None:
        if self.transport is not None:
            self.seek(self.transport.position + delta)

    def seek_or_play(self, seconds: float) -> None:
        """Go to ``seconds``, playing from there (the click on a word)."""
        if self.transport is None:
            return
        if self.transport.playing:
            self.seek(seconds)
        else:
            self.play(seconds)

    def _tick(self) -> None:
        t = self.transport
        if t is None:
            return
        pos = t.position
        self.show_position(pos)
        if self._stop_at is not None and t.playing and pos >= self._stop_at:
            self._stop_at = None
            self.pause()
        elif not t.playing and self._timer.isActive():
            self._timer.stop()
            self._show_playing(False)

    def show_position(self, pos: float) -> None:
        dur = self.transport.duration if self.transport else self.seek_bar.duration
        self.seek_bar.set_position(pos)
        self.time_label.setText(f"{fmt_time(pos)} / {fmt_time(dur)}")
        self.position_changed.emit(pos)
