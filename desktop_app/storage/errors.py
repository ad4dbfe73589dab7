"""Storage failures as plain messages: what is wrong, what to do, and whether read-only can help."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

# SQLite primary result codes (extended codes keep these in the low byte).
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_IOERR, _SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN = 10, 11, 13, 14
_SQLITE_NOTADB = 26

# What went wrong, for callers that offer a way out (the start-up dialog).
LOCKED, READ_ONLY, FULL, FOLDER, CANT_OPEN = "locked", "read-only", "full", "folder", "cant-open"
NEWER, MIGRATION, DAMAGED, OTHER = "newer", "migration", "damaged", "other"
# Problems after which the data can still be read (the app can open read-only).
READABLE_KINDS = frozenset({LOCKED, READ_ONLY, FULL, MIGRATION})


class StorageError(Exception):
    """The database cannot be opened or written; the message says why and what to do.

    ``kind`` is one of the constants above; ``read_only_ok`` says whether opening the same data
    read-only is worth offering.
    """

    def __init__(self, message: str, kind: str = OTHER) -> None:
        super().__init__(message)
        self.kind = kind

    @property
    def read_only_ok(self) -> bool:
        return self.kind in READABLE_KINDS


def sqlite_code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def is_corruption(exc: BaseException) -> bool:
    """True when SQLite says the file is not a database or is malformed."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = sqlite_code(exc)
    if code is not None:
        return code in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    msg = str(exc).lower()
    return "not a database" in msg or "malformed" in msg


def storage_error(path: Path, exc: sqlite3.Error) -> StorageError:
    """A human-readable StorageError for a SQLite failure on ``path``."""
    code, msg = sqlite_code(exc), str(exc)
    low = msg.lower()
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in low:
        return StorageError(
            f"The database {path} is locked by another program (is Rehearse already "
            "running?). Close the other program and try again.",
            LOCKED,
        )
    if code in (_SQLITE_READONLY, _SQLITE_PERM) or "readonly" in low or "read-only" in low:
        return StorageError(
            f"The database {path} is read-only, so Rehearse cannot save to it. Make the "
            "file and its folder writable, or choose another data folder with --data-dir "
            "or REHEARSE_HOME.",
            READ_ONLY,
        )
    if code == _SQLITE_FULL or "disk is full" in low:
        return StorageError(
            f"The disk holding {path} is full. Free some space and try again.", FULL
        )
    if code == _SQLITE_CANTOPEN or "unable to open" in low:
        return StorageError(
            f"Cannot open the database {path}. Check that its folder exists and is writable.",
            CANT_OPEN,
        )
    return StorageError(f"The database {path} could not be used: {msg}")


@contextmanager
def translate_errors(path: Path) -> Iterator[None]:
    """Turn operational SQLite failures (locked, read-only, disk full) into StorageError."""
    try:
        yield
    except sqlite3.IntegrityError:
        raise
    except sqlite3.OperationalError as exc:
        raise storage_error(path, exc) from exc
