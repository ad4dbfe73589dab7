"""Open the Rehearse SQLite database: version check, migrations, backups, WAL, recovery.

Opening runs under a lock file (``<name>.lock``), so two first starts at once (two windows, or a
window and a CLI command) never race in the migrations:

1. A look that cannot write: the header's ``user_version`` and a ``mode=ro`` connection. A file
   SQLite cannot read is moved (never deleted) to ``<name>.corrupt-<UTC stamp>`` and a fresh
   database started; a database written by a newer Rehearse is refused and left as it was.
2. Pending migrations (see :mod:`.migrations`). Before an existing database gets them, a
   consistent copy is written beside it as ``<name>.bak-v<its schema version>``: one per version,
   so a migration that fails on every launch does not pile up copies.
3. The schema version and this Rehearse's version are recorded (``PRAGMA user_version`` and the
   ``rehearse_info`` table), then WAL and foreign keys are switched on.

The file and its side files are created 0600. Writes go through :func:`write_transaction`
(``BEGIN IMMEDIATE``), so a writer waits for another process's write lock for up to ``timeout``.

Thread rule: the returned connection belongs to the thread that opened it (sqlite3's
``check_same_thread`` stays on, so use from another thread raises instead of corrupting state).
"""

from __future__ import annotations

import errno
import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database

from desktop_app import __version__
from desktop_app.locks import FileLock
from desktop_app.paths import make_private
from desktop_app.storage import errors as E
from desktop_app.storage.errors import (
    StorageError,
    is_corruption,
    sqlite_code,
    storage_error,
    translate_errors,
)
from desktop_app.storage.migrations import INFO_TABLE, MIGRATIONS, SCHEMA_VERSION
from desktop_app.storage.schema_info import (
    Found,
    inspect,
    read_only_uri,
    refuse_if_newer,
)

__all__ = [
    "MIGRATIONS", "SCHEMA_VERSION", "StorageError", "backups_of", "is_corruption",
    "open_database", "storage_error", "translate_errors", "write_transaction",
]  # fmt: skip

log = logging.getLogger(__name__)
_OPEN_LOCK_TIMEOUT = 30.0  # a long migration in another process may hold the open lock
_SQLITE_ERROR = 1  # SQL or schema error: a migration that does not fit this database


@contextmanager
def write_transaction(db: Database) -> Iterator[Database]:
    """A write transaction that takes SQLite's write lock first (``BEGIN IMMEDIATE``).

    A deferred ``BEGIN`` that reads before it writes (the FTS triggers do) gets SQLITE_BUSY at
    once when another process wrote meanwhile, without waiting on the busy timeout; taking the
    lock up front makes the connection's timeout apply. Nested use becomes a savepoint.
    """
    conn = db.conn
    if conn.in_transaction:
        with db.atomic():
            yield db
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    try:
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def _now_stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _sibling(path: Path, label: str) -> Path:
    """``<name>.<label>-<stamp>``, made unique if that name is taken."""
    base = f"{path.name}.{label}-{_now_stamp()}"
    target, n = path.with_name(base), 1
    while target.exists():
        target, n = path.with_name(f"{base}-{n}"), n + 1
    return target


def _touch_private(path: Path) -> None:
    """Create ``path`` 0600 if missing (SQLite gives its -wal/-shm files the same mode).

    An existing file is never opened here: closing any descriptor of it would drop every
    POSIX lock this process holds on it, SQLite's included, and another process could then
    delete the WAL this one still writes to (see schema_info.header_user_version)."""
    if not path.exists():
        try:
            os.close(os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600))
        except FileExistsError:  # made meanwhile by another process: it is not open here
            pass
    make_private(path, is_dir=False)


def _move_aside(path: Path) -> Path:
    """Move a damaged database (and its -wal/-shm/-journal files) aside; never delete it."""
    target = _sibling(path, "corrupt")
    os.replace(path, target)
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


def backup_path(path: Path, version: int) -> Path:
    """Where the copy made before migrating a database at schema ``version`` goes."""
    return path.with_name(f"{path.name}.bak-v{version}")


def _backup(db: Database, path: Path, version: int) -> Path:
    """A consistent copy of the open database (SQLite's online backup API), one per version:
    a later copy of the same version replaces the earlier one once it is complete."""
    target = backup_path(path, version)
    tmp = target.with_name(target.name + ".tmp")
    tmp.unlink(missing_ok=True)
    _touch_private(tmp)
    dest = sqlite3.connect(str(tmp))
    try:
        db.conn.backup(dest)
    finally:
        dest.close()
    os.replace(tmp, target)
    return target


def _corrupt_notice(path: Path, moved: Path, exc: BaseException) -> str:
    return (
        f"Rehearse could not read its history database ({exc}). The damaged file was moved "
        f"to {moved} (nothing was deleted) and a new, empty history was started at {path}. "
        "Your audio recordings are stored separately and were not touched."
    )


def _empty_notice(path: Path) -> str:
    return (
        f"The history database {path} was an empty file (0 bytes), so a new, empty history was "
        "started in it. If you expected your past attempts here, the file may have been cut "
        f"short by a copy or a sync tool; look for a rehearse.db.bak-* copy in {path.parent}."
    )


def _connect(path: Path, timeout: float, *, read_only: bool = False) -> Database:
    if read_only:
        conn = sqlite3.connect(read_only_uri(path), uri=True, timeout=timeout)
    else:
        conn = sqlite3.connect(str(path), timeout=timeout)
    try:
        db = Database(conn, execute_plugins=False)
        if read_only:
            db.execute("PRAGMA query_only = ON")
        return db
    except BaseException:
        conn.close()
        raise


def _migration_error(path: Path, step: str, exc: BaseException, backup: Path | None):
    kept = f" A copy from before the upgrade is at {backup}." if backup else ""
    return StorageError(
        f"Rehearse could not upgrade its database {path} to this version (step {step}: "
        f"{exc}). The upgrade was rolled back, so nothing in it was changed.{kept} It may "
        "have been changed by another program; choose another data folder, or open it "
        "read-only.",
        E.MIGRATION,
    )


def _migrate(db: Database, path: Path, found: Found) -> None:
    """Apply the pending migrations in one write transaction (all or none, and waiting for
    another process's write lock like any other write)."""
    names = [m.name for m in MIGRATIONS.pending(db)]
    if not names:
        return
    backup = _backup(db, path, found.version) if db.table_names() else None
    step = names[0]
    try:
        with write_transaction(db):
            for i in range(len(names)):
                step = names[i]
                MIGRATIONS.apply(db, stop_before=names[i + 1:])  # this one step
    except sqlite3.Error as exc:
        if isinstance(exc, sqlite3.OperationalError) and sqlite_code(exc) not in (
            None, _SQLITE_ERROR
        ):
            raise  # locked, read-only, disk full: reported as such by the caller
        raise _migration_error(path, step, exc, backup) from exc
    except Exception as exc:  # a migration function refused (e.g. a conflicting schema)
        raise _migration_error(path, step, exc, backup) from exc


def record_version(db: Database) -> None:
    """Store the schema version and this Rehearse's version (only when they changed)."""
    want = {"schema_version": str(SCHEMA_VERSION), "app_version": __version__}
    have = dict(db.execute(f"SELECT key, value FROM {INFO_TABLE}").fetchall())
    uv = db.execute("PRAGMA user_version").fetchone()[0]
    if have == {**have, **want} and uv == SCHEMA_VERSION:
        return
    with write_transaction(db):
        db[INFO_TABLE].upsert_all([{"key": k, "value": v} for k, v in want.items()], pk="key")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")


def _open_lock(path: Path) -> FileLock | None:
    """The lock that serialises opening (and migrating) across processes, or None when the
    folder cannot hold a lock file (read-only): then nothing can be migrated anyway."""
    lock = FileLock(path.with_name(path.name + ".lock"))
    try:
        if not lock.acquire(timeout=_OPEN_LOCK_TIMEOUT):
            raise StorageError(
                f"Another Rehearse has been upgrading the database {path} for over "
                f"{_OPEN_LOCK_TIMEOUT:.0f} s. Wait for it to finish, then try again.",
                E.LOCKED,
            )
    except OSError as exc:
        log.info("no open lock for %s (%s); opening without it", path, exc)
        return None
    return lock


def _check_path(path: Path) -> None:
    if path.is_dir():
        raise StorageError(
            f"{path} is a folder, not a database file. Move it away, or choose another data "
            "folder.",
            E.FOLDER,
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(
            f"Cannot create the folder {path.parent}: {exc.strerror}.", E.FOLDER
        ) from exc
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StorageError(
            f"The database {path} is not readable and writable by you. Fix its permissions, "
            "or choose another data folder with --data-dir or REHEARSE_HOME.",
            E.READ_ONLY,
        )


def _open_writable(path: Path, timeout: float) -> tuple[Database, str | None]:
    notice: str | None = None
    try:
        found = inspect(path, timeout)
    except sqlite3.DatabaseError as exc:
        if not is_corruption(exc):
            raise
        try:
            moved = _move_aside(path)
        except OSError as move_exc:
            raise StorageError(
                f"The database {path} is damaged ({exc}) and could not be moved aside "
                f"({move_exc.strerror}). Move or rename it yourself, then start again.",
                E.DAMAGED,
            ) from move_exc
        notice, found = _corrupt_notice(path, moved, exc), Found()
    refuse_if_newer(path, found)
    if path.exists() and found.size == 0:
        notice = _empty_notice(path)
    _touch_private(path)
    db = _connect(path, timeout)
    try:
        _migrate(db, path, found)
        record_version(db)
        db.enable_wal()
        db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        db.close()
        raise
    return db, notice


def _open_read_only(path: Path, timeout: float) -> Database:
    if not path.is_file() or path.stat().st_size == 0:
        raise StorageError(f"There is no history at {path} to open read-only.", E.CANT_OPEN)
    try:
        found = inspect(path, timeout, read_only=True)
    except sqlite3.DatabaseError as exc:
        if not is_corruption(exc):
            raise
        raise StorageError(f"The database {path} is damaged ({exc}).", E.DAMAGED) from exc
    refuse_if_newer(path, found)
    return _connect(path, timeout, read_only=True)


def connect_reader(path: str | os.PathLike[str], *, timeout: float = 5.0) -> Database:
    """A read-only connection to a database this process has already opened (checked and
    migrated): for background readers (the Progress view, exports). It skips the quick check,
    which reads the whole file (about 1 s at 10,000 attempts). Raises StorageError."""
    path = Path(path)
    try:
        return _connect(path, timeout, read_only=True)
    except sqlite3.Error as exc:
        raise storage_error(path, exc) from exc


def open_database(
    path: str | os.PathLike[str], *, timeout: float = 5.0, read_only: bool = False
) -> tuple[Database, str | None]:
    """Open (creating if needed) and migrate the database at ``path``.

    Returns the database and a notice for the user (``None`` unless a damaged file was moved
    aside or an empty file was found). Raises StorageError with a plain message (and a
    ``kind``) when the file is locked, read-only, full, newer, or otherwise unusable.
    ``read_only`` opens an existing database without migrating it or ever writing to it.
    """
    path = Path(path)
    if read_only and path.is_dir():
        raise StorageError(f"{path} is a folder, not a database file.", E.FOLDER)
    if not read_only:
        _check_path(path)
    try:
        if read_only:
            return _open_read_only(path, timeout), None
        lock = _open_lock(path)
        try:
            return _open_writable(path, timeout)
        finally:
            if lock is not None:
                lock.release()
    except sqlite3.Error as exc:
        raise storage_error(path, exc) from exc
    except OSError as exc:
        raise StorageError(
            f"Cannot use the database {path}: {exc.strerror or exc}.",
            E.FULL if exc.errno == errno.ENOSPC else E.CANT_OPEN,
        ) from exc


def backups_of(path: str | os.PathLike[str]) -> list[Path]:
    """Backup copies written before migrations, oldest first."""
    path = Path(path)
    return sorted(
        (p for p in path.parent.glob(f"{path.name}.bak-*") if not p.name.endswith(".tmp")),
        key=lambda p: p.stat().st_mtime,
    )
