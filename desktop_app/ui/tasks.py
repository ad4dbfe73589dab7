"""Run one function off the GUI thread and get its result (or error) back on the GUI thread.

For the review, progress and export views: reading a recording, querying the history, drawing
a chart or writing a report never runs on the GUI thread. Each :class:`Task` runs on Qt's global
thread pool; its ``done``/``failed`` signals arrive through a queued connection. A task the view
no longer wants (another attempt was opened) is simply ignored: compare its ``token``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

log = logging.getLogger(__name__)


class _Signals(QObject):
    done = Signal(object, object)  # (token, result)
    failed = Signal(object, object)  # (token, exception)
    progress = Signal(object, float, str)  # (token, fraction, what)


class _Runnable(QRunnable):
    def __init__(self, fn: Callable[..., Any], token: object, signals: _Signals,
                 with_progress: bool) -> None:
        super().__init__()
        self.fn, self.token, self.signals, self.with_progress = fn, token, signals, with_progress
        self.setAutoDelete(True)

    def run(self) -> None:  # a pool thread
        try:
            if self.with_progress:
                result = self.fn(lambda f, w: self.signals.progress.emit(self.token, f, w))
            else:
                result = self.fn()
        except Exception as exc:  # noqa: BLE001 - every failure goes back to the view
            log.debug("background task failed", exc_info=True)
            self.signals.failed.emit(self.token, exc)
            return
        self.signals.done.emit(self.token, result)


class Tasks(QObject):
    """Starts background tasks for one view; keeps its signal object alive while they run."""

    done = Signal(object, object)
    failed = Signal(object, object)
    progress = Signal(object, float, str)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self.pool = pool or QThreadPool.globalInstance()
        self._signals = _Signals()
        self._signals.done.connect(self.done)
        self._signals.failed.connect(self.failed)
        self._signals.progress.connect(self.progress)

    def start(self, token: object, fn: Callable[..., Any], *, with_progress: bool = False
              ) -> None:
        """Run ``fn()`` (or ``fn(progress)`` with ``with_progress``) on the pool."""
        self.pool.start(_Runnable(fn, token, self._signals, with_progress))

    def wait(self, msecs: int = 5000) -> bool:
        """Wait for the pool's tasks (shutdown and tests)."""
        return self.pool.waitForDone(msecs)
