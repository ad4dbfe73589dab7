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
        self.changed.connect(self._keep)  # queued: runs on the GUI thread

    def _keep(self, ids: list[str]) -> None:
        self.due = ids

    def refresh(self) -> None:
        with self._lock:
            if self._running:
                self._again = True  # once more when this one ends
                return
            self._running = True
        threading.Thread(target=self._work, name="due-watch", daemon=True).start()

    def _work(self) -> None:
        while True:
            try:
                ids = self._due_now()
            except Exception as exc:  # a locked or damaged database: nothing due is shown
                log.warning("could not work out what is due: %s", exc)
                ids = None
            if ids is not None:
                self.changed.emit(ids)
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
