"""Which questions are due for review, worked out off the GUI thread: the schedule catches up
with answers it has not reviewed yet (practice answers, answers from before schedules existed),
then lists what is due. It uses a connection of its own, as SQLite connections belong to the
thread that opened them."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from desktop_app.session.kit import open_schedule, parse_interview_date
from desktop_app.storage.repository import Repository

log = logging.getLogger(__name__)


class _Relay(QObject):
    """What the worker thread emits on: it has no parent and the thread holds it, so an answer
    that comes after the watch is gone (the window closing) just has no receiver."""

    ready = Signal(list)


class DueWatch(QObject):
    """``refresh()`` → ``changed(list of question ids, most overdue first)`` when done."""

    changed = Signal(list)

    def __init__(self, database: Path, interview_date: str | None = None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.database, self.interview_date = Path(database), interview_date
        self._lock = threading.Lock()
        self._again = False
        self._running = False
        self.due: list[str] = []
        self._relay = _Relay()
        self._relay.ready.connect(self.changed)  # queued: delivered on the GUI thread
        self.changed.connect(self._keep)

    def _keep(self, ids: list[str]) -> None:
        self.due = ids

    def refresh(self) -> None:
        with self._lock:
            if self._running:
                self._again = True  # once more when this one ends
                return
            self._running = True
        threading.Thread(target=self._work, args=(self._relay,), name="due-watch",
                         daemon=True).start()

    def _work(self, relay: _Relay) -> None:
        while True:
            try:
                ids = self._due_now()
            except Exception as exc:  # a locked or damaged database: nothing due is shown
                log.warning("could not work out what is due: %s", exc)
                ids = None
            if ids is not None:
                relay.ready.emit(ids)
            with self._lock:
                if not self._again:
                    self._running = False
                    return
                self._again = False

    def _due_now(self) -> list[str]:
        repo = Repository.open(self.database)
        try:
            schedule = open_schedule(repo, parse_interview_date(self.interview_date))
            schedule.sync()
            return [d.question_id for d in schedule.due()]
        finally:
            repo.close()
