"""One answer's live transcription, as seen from the GUI thread.

The recorder thread calls :meth:`LiveSession.feed` (cheap: the LiveTranscriber queues the block);
the LiveTranscriber's worker thread transcribes and reports text and state, which become queued
signals to the GUI thread. :meth:`LiveSession.finish` runs the blocking ``finish()`` on a thread
of its own (never the GUI thread, never the transcription worker's, which may still have to load
the model the live worker waits for) and reports ``finished`` or ``failed``.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from PySide6.QtCore import QObject, Signal

log = logging.getLogger(__name__)

STATE_TEXT = {
    "listening": "Listening…",
    "transcribing": "Transcribing…",
    "catching up": "Catching up…",
    "done": "Transcript complete",
}


def state_text(state: str, behind_s: float = 0.0) -> str:
    """What the window says for a live ``state``; "Catching up… N s behind" while behind."""
    if behind_s > 0 and state != "done":
        return f"Catching up… {behind_s:.0f} s behind"
    return STATE_TEXT.get(state, state)


class LiveSession(QObject):
    """Signals: ``text_changed(Transcript)`` (committed text plus the speculative tail),
    ``state_changed(str)`` (listening | transcribing | catching up | done),
    ``lag_changed(float)`` (seconds the transcript is behind the speech; 0 once caught up),
    ``finished(attempt_id, Transcript)``, ``failed(attempt_id, message)``."""

    text_changed = Signal(object)
    state_changed = Signal(str)
    lag_changed = Signal(float)
    finished = Signal(int, object)
    failed = Signal(int, str)

    def __init__(self, transcribe: Any, config: Any = None,
                 parent: QObject | None = None, *, meter: Any = None) -> None:
        super().__init__(parent)
        from desktop_app.transcription.live import LiveTranscriber  # numpy: not at start-up

        self.error: str | None = None
        self.live = LiveTranscriber(
            transcribe, config=config, on_text=self.text_changed.emit,
            on_state=self.state_changed.emit, on_lag=self.lag_changed.emit,
            meter=meter,
        )

    def feed(self, samples: Any) -> None:
        """Recorder thread: queue a block. A failure is kept and reported at finish()."""
        if self.error is not None:
            return
        try:
            self.live.feed(samples)
        except Exception as exc:
            self.error = f"live transcription stopped taking audio: {exc}"
            log.warning("%s", self.error)

    def finish(self, attempt_id: int) -> None:
        """Finish on a background thread; emits ``finished`` or ``failed``."""
        threading.Thread(target=self._finish, args=(attempt_id,), name="live-finish",
                         daemon=True).start()

    def _finish(self, attempt_id: int) -> None:
        if self.error is not None:
            self.live.cancel()
            self.failed.emit(attempt_id, self.error)
            return
        try:
            transcript = self.live.finish()
        except Exception as exc:  # LiveTranscriptionError, model missing, shutting down
            self.failed.emit(attempt_id, str(exc) or exc.__class__.__name__)
            return
        self.finished.emit(attempt_id, transcript)

    def cancel(self) -> None:
        """Forget the answer's live transcription (returns at once)."""
        self.live.cancel()
