"""Advisory locks between processes: one app per data folder, one writer per recording.

A lock belongs to an open file and is released when that file is closed or its process ends,
even by ``kill -9``, so a lock that cannot be taken means a live holder, never a stale one.
POSIX uses ``flock(2)``; Windows locks one byte far past any real data with ``msvcrt.locking``
(Windows locks are mandatory, so the file's own bytes stay readable by others).
"""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

_FAR = 1 << 40  # Windows: the byte that is locked, beyond any file this app writes
_CONTENDED = {errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES, errno.EDEADLK}


def try_lock(fd: int) -> bool:
    """Take an exclusive lock on an open file without waiting.

    Returns False when another open file (in this or another process) holds it. Raises OSError
    when the file system cannot lock at all (some network shares); callers decide what then.
    """
    if os.name == "nt":  # pragma: no cover - exercised on Windows only
        import msvcrt

        pos = os.lseek(fd, 0, os.SEEK_CUR)
        try:
            os.lseek(fd, _FAR, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError as exc:
            if exc.errno in _CONTENDED:
                return False
            raise
        finally:
            os.lseek(fd, pos, os.SEEK_SET)
    import fcntl

    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError as exc:
        if exc.errno in _CONTENDED:
            return False
        raise


def unlock(fd: int) -> None:
    """Release a lock taken with :func:`try_lock` (closing the file also releases it)."""
    if os.name == "nt":  # pragma: no cover
        import msvcrt

        pos = os.lseek(fd, 0, os.SEEK_CUR)
        try:
            os.lseek(fd, _FAR, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        finally:
            os.lseek(fd, pos, os.SEEK_SET)
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_UN)


def is_locked(path: Path) -> bool:
    """True when a live process holds the lock on ``path`` (False if missing or unlockable)."""
    try:
        fd = os.open(path, os.O_RDONLY if os.name != "nt" else os.O_RDWR)
    except OSError:
        return False
    try:
        if try_lock(fd):
            unlock(fd)
            return False
        return True
    except OSError:
        return False
    finally:
        os.close(fd)


class FileLock:
    """An exclusive lock on a small lock file (created 0600), held until :meth:`release`.

    ``acquire(timeout)`` waits up to ``timeout`` seconds. The holder may record who it is
    (``write_owner``) so a process that finds the lock taken can say which process holds it.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self, timeout: float = 0.0, poll: float = 0.05) -> bool:
        """True once held; False when another holder kept it for ``timeout`` seconds.

        Raises OSError when the lock file cannot be created or the file system cannot lock.
        """
        if self._fd is not None:
            return True
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        deadline = time.monotonic() + timeout
        try:
            while not try_lock(fd):
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return False
                time.sleep(poll)
        except BaseException:
            os.close(fd)
            raise
        self._fd = fd
        return True

    def write_owner(self, text: str) -> None:
        """Record who holds the lock (e.g. a process id) in the lock file."""
        if self._fd is None:
            raise RuntimeError("write_owner() needs the lock held")
        data = text.encode("utf-8")
        os.lseek(self._fd, 0, os.SEEK_SET)
        os.ftruncate(self._fd, 0)
        os.write(self._fd, data)

    def owner(self) -> str:
        """What the holder recorded (empty when nothing is readable)."""
        try:
            return self.path.read_text(encoding="utf-8", errors="replace").strip()
        except OSError:
            return ""

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            os.close(fd)

    def __enter__(self) -> FileLock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
