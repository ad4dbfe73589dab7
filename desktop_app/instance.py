"""One Rehearse window per data folder.

The window holds an OS lock on ``<data folder>/.rehearse-instance.lock`` for as long as it runs
(released by the OS if it dies), and listens on a local socket named after the folder. A second
start on the same folder finds the lock taken and asks that socket to bring the first window
forward (see desktop_app/ui/instance_server.py) instead of opening a second window that would
race it for the same recordings.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from desktop_app.locks import FileLock

LOCK_NAME = ".rehearse-instance.lock"


def server_name(root: Path) -> str:
    """The local socket name of the window that has ``root`` open (same for every spelling
    of the path)."""
    digest = hashlib.sha256(str(Path(root).resolve()).encode("utf-8")).hexdigest()[:20]
    return f"rehearse-{digest}"


class InstanceLock:
    """The per-folder single-instance lock (POSIX flock / Windows byte lock)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._lock = FileLock(self.root / LOCK_NAME)

    @property
    def held(self) -> bool:
        return self._lock.held

    def acquire(self) -> bool:
        """True when this process now owns the folder; False when another live process does.

        Raises OSError when the folder cannot be created or cannot hold a lock file.
        """
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not self._lock.acquire(timeout=0):
            return False
        self._lock.write_owner(str(os.getpid()))
        return True

    def holder(self) -> str:
        """The process id the holder recorded ("" when unknown)."""
        return self._lock.owner()

    def release(self) -> None:
        self._lock.release()
