"""Notices a model put into the models folder from outside the window (``rehearse models
import`` in a terminal, a file copied in), so a window waiting for one loads it without a
restart. Qt's file-system watcher sees the folder change; the listing it triggers is a few
``stat`` calls, done once the folder has been quiet for a moment (an import writes a temporary
file, then renames it into place)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

log = logging.getLogger(__name__)
SETTLE_MS = 400


class _Lister(Protocol):
    def list(self) -> list: ...


class ModelsWatch(QObject):
    """``changed(names)``: the installed models, after the folder changed (names sorted as
    the store lists them, smallest first)."""

    changed = Signal(list)

    def __init__(self, folder: Path, store: _Lister, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder, self.store = Path(folder), store
        self._watcher = QFileSystemWatcher(self)
        if self.folder.is_dir():
            self._watcher.addPath(str(self.folder))
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(SETTLE_MS)
        self._watcher.directoryChanged.connect(lambda _p: self._settle.start())
        self._settle.timeout.connect(self._look)

    def _look(self) -> None:
        try:
            names = [m.name for m in self.store.list()]
        except OSError as exc:
            log.warning("could not list the models folder: %s", exc)
            return
        self.changed.emit(names)
