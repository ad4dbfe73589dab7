"""Play, pause and seek over one recording: the review view's playback, without Qt.

The position always comes from the audio stream (:attr:`Player.position`: frames the stream has
played); while paused it is where playback stopped. Pausing stops the stream (a new one starts on
play), seeking while playing moves the stream's frame pointer, and seeking while paused only
moves where play() will start.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from desktop_app.audio.wavio import read_audio

if TYPE_CHECKING:
    import numpy as np

SKIP_S = 5.0


class PlayerLike(Protocol):
    @property
    def position(self) -> float: ...

    def play(self, samples: np.ndarray, rate: int, on_finished=None, start: float = 0.0
             ) -> None: ...

    def seek(self, seconds: float) -> bool: ...

    def stop(self) -> None: ...


class Transport:
    """One recording's playback through a shared Player (one sound at a time)."""

    def __init__(self, player: PlayerLike, samples: np.ndarray, rate: int) -> None:
        self.player = player
        self.samples = samples
        self.rate = int(rate)
        self._at = 0.0  # where playback (re)starts while paused
        self._ended = threading.Event()
        self._ended.set()
        self._natural_end = False

    @classmethod
    def from_file(cls, player: PlayerLike, path: Path) -> Transport:
        """Raises UnreadableAudio (a missing or unreadable file) with a plain message."""
        samples, rate = read_audio(Path(path))
        return cls(player, samples, rate)

    @property
    def duration(self) -> float:
        return self.samples.shape[0] / self.rate if self.rate else 0.0

    @property
    def playing(self) -> bool:
        return not self._ended.is_set()

    @property
    def at_end(self) -> bool:
        """True once playback ran to the end by itself (the next play starts over)."""
        return self._natural_end and not self.playing

    @property
    def position(self) -> float:
        if self.playing:
            return min(self.duration, self.player.position)
        return self.duration if self.at_end else self._at

    def play(self, start: float | None = None) -> None:
        """Play from ``start`` (default: where it paused; from the top after the end).
        Raises PlaybackError when the speaker cannot be opened."""
        if start is None:
            start = 0.0 if self.at_end else self._at
        start = min(max(0.0, start), self.duration)
        self._at = start
        if self.playing and self.player.seek(start):
            return
        done = threading.Event()
        self._ended = done
        self._natural_end = False

        def finished() -> None:  # the player's reaper thread
            if done is self._ended and not done.is_set():
                self._natural_end = self.player.position >= self.duration - 0.05
            done.set()

        try:
            self.player.play(self.samples, self.rate, finished, start)
        except Exception:
            done.set()
            raise

    def pause(self) -> None:
        if self.playing:
            self._at = min(self.duration, self.player.position)
            self._ended.set()  # before stop(): its on_finished must not call this an end
            self.player.stop()

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def seek(self, seconds: float) -> None:
        seconds = min(max(0.0, seconds), self.duration)
        self._at = seconds
        self._natural_end = False
        if self.playing:
            self.player.seek(seconds)

    def skip(self, delta: float) -> None:
        self.seek(self.position + delta)

    def stop(self) -> None:
        """Stop and forget the position (the view is closing or shows another attempt)."""
        self.pause()
        self._at = 0.0
