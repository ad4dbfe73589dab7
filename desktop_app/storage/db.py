"""Open the Rehearse SQLite database: migrations, backups, WAL, recovery from a corrupt file.

Schema changes are sqlite-utils ``Migrations`` named ``mNNN_what``. Each runs atomically (with the
record of it having been applied) and is never renamed or edited once released: add a new one.
Before an existing database gets pending migrations, a consistent copy is written beside it as
``<name>.bak-<UTC timestamp>``. A file SQLite cannot read is moved (never deleted) to
``<name>.corrupt-<UTC timestamp>`` and a fresh database is started; the caller shows the notice.

Thread rule: the returned connection belongs to the thread that opened it (sqlite3's
``check_same_thread`` stays on, so use from another thread raises instead of corrupting state).
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from sqlite_utils import Database, Migrations

SCORE_KEYS = ("overall", "star", "specificity", "jargon", "delivery", "reasoning")

MIGRATIONS = Migrations("rehearse")

# SQLite primary result codes (extended codes keep these in the low byte).
_SQLITE_PERM, _SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY = 3, 5, 6, 8
_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 11, 13, 14, 26


class StorageError(Exception):
    """The database cannot be opened or written; the message says why and what to do."""


@MIGRATIONS()
def m001_initial(db: Database) -> None:
    """Questions (a copy of the packs' rows), practice sessions and attempts."""
    db["questions"].create(
        {
            "id": str,
            "text": str,
            "competency": str,
            "kind": str,
            "pack": str,
            "data_json": str,
            "synced_at": str,
        },
        pk="id",
        not_null=["text"],
    )
    db["sessions"].create(
        {"id": int, "kind": str, "started_at": str, "ended_at": str},
        pk="id",
        not_null=["kind", "started_at"],
    )
    # question_id is deliberately not a foreign key: packs change, history must survive them.
    db["attempts"].create(
        {
            "id": int,
            "question_id": str,
            "session_id": int,
            "started_at": str,
            "ended_at": str,
            "duration_s": float,
            "audio_path": str,
            "model": str,
            "transcript_text": str,
            "words_json": str,
            "status": str,
            "error": str,
        },
        pk="id",
        not_null=["question_id", "started_at", "status"],
        defaults={
            "duration_s": 0.0,
            "transcript_text": "",
            "words_json": "[]",
            "status": "recorded",
        },
        foreign_keys=[("session_id", "sessions", "id")],
    )
    attempts = db["attempts"]
    attempts.create_index(["started_at"])
    attempts.create_index(["question_id"])
    attempts.create_index(["status"])


@MIGRATIONS()
def m002_analysis_and_follow_ups(db: Database) -> None:
    """Analysis JSON, headline scores as columns (for charts) and follow-up links."""
    attempts = db["attempts"]
    attempts.add_column("analysis_json", str)
    for key in SCORE_KEYS:
        attempts.add_column(f"score_{key}", float)
    attempts.add_column("prompt_text", str)
    attempts.add_column("parent_attempt_id", int)
    # A follow-up outlives the attempt it followed: deleting the parent unlinks it.
    attempts.add_foreign_key("parent_attempt_id", "attempts", "id", on_delete="SET NULL")
    attempts.create_index(["parent_attempt_id"], if_not_exists=True)


@MIGRATIONS()
def m003_transcript_search(db: Database) -> None:
    """FTS5 index over attempts.transcript_text, kept current by triggers."""
    db["attempts"].enable_fts(
        ["transcript_text"],
        fts_version="FTS5",
        create_triggers=True,
        tokenize="porter unicode61",
    )


def _now_stamp() -> str:
    return datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def _sibling(path: Path, label: str) -> Path:
    """``<name>.<label>-<stamp>``, made unique if that name is taken."""
    base = f"{path.name}.{label}-{_now_stamp()}"
    target, n = path.with_name(base), 1
    while target.exists():
        target, n = path.with_name(f"{base}-{n}"), n + 1
    return target


def _code(exc: sqlite3.Error) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return None if code is None else code & 0xFF


def is_corruption(exc: BaseException) -> bool:
    """True when SQLite says the file is not a database or is malformed."""
    if not isinstance(exc, sqlite3.DatabaseError):
        return False
    code = _code(exc)
    if code is not None:
        return code in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    msg = str(exc).lower()
    return "not a database" in msg or "malformed" in msg


def storage_error(path: Path, exc: sqlite3.Error) -> StorageError:
    """A human-readable StorageError for a SQLite failure on ``path``."""
    code, msg = _code(exc), str(exc)
    low = msg.lower()
    if code in (_SQLITE_BUSY, _SQLITE_LOCKED) or "locked" in low:
        text = (
            f"The database {path} is locked by another program (is Rehearse already "
            "running?). Close the other program and try again."
        )
    elif code in (_SQLITE_READONLY, _SQLITE_PERM) or "readonly" in low or "read-only" in low:
        text = (
            f"The database {path} is read-only, so Rehearse cannot save to it. Make the "
            "file and its folder writable, or choose another data folder with --data-dir "
            "or REHEARSE_HOME."
        )
    elif code == _SQLITE_FULL or "disk is full" in low:
        text = f"The disk holding {path} is full. Free some space and try again."
    elif code == _SQLITE_CANTOPEN or "unable to open" in low:
        text = f"Cannot open the database {path}. Check that its folder exists and is writable."
    else:
        text = f"The database {path} could not be used: {msg}"
    return StorageError(text)


@contextmanager
def translate_errors(path: Path) -> Iterator[None]:
    """Turn operational SQLite failures (locked, read-only, disk full) into StorageError."""
    try:
        yield
    except sqlite3.IntegrityError:
        raise
    except sqlite3.OperationalError as exc:
        raise storage_error(path, exc) from exc


def _connect(path: Path, timeout: float) -> Database:
    conn = sqlite3.connect(str(path), timeout=timeout)
    try:
        return Database(conn, execute_plugins=False)
    except BaseException:
        conn.close()
        raise


def _check_readable(db: Database) -> None:
    """Raise sqlite3.DatabaseError (corrupt) unless the file passes SQLite's quick check."""
    rows = db.conn.execute("PRAGMA quick_check").fetchall()
    if [r[0] for r in rows] != ["ok"]:
        raise sqlite3.DatabaseError("database disk image is malformed")


def _move_aside(path: Path) -> Path:
    """Move a damaged database (and its -wal/-shm/-journal files) aside; never delete it."""
    target = _sibling(path, "corrupt")
    os.replace(path, target)
    for suffix in ("-wal", "-shm", "-journal"):
        side = path.with_name(path.name + suffix)
        if side.exists():
            os.replace(side, target.with_name(target.name + suffix))
    return target


def _backup(db: Database, path: Path) -> Path:
    """A consistent single-file copy of the open database (SQLite's online backup API)."""
    target = _sibling(path, "bak")
    dest = sqlite3.connect(str(target))
    try:
        db.conn.backup(dest)
    finally:
        dest.close()
    return target


def _corrupt_notice(path: Path, moved: Path, exc: BaseException) -> str:
    return (
        f"Rehearse could not read its history database ({exc}). The damaged file was moved "
        f"to {moved} (nothing was deleted) and a new, empty history was started at {path}. "
        "Your audio recordings are stored separately and were not touched."
    )


def _open_checked(path: Path, timeout: float) -> Database:
    db = _connect(path, timeout)
    try:
        if path.stat().st_size > 0:
            _check_readable(db)
        return db
    except BaseException:
        db.close()
        raise


def open_database(
    path: str | os.PathLike[str], *, timeout: float = 5.0
) -> tuple[Database, str | None]:
    """Open (creating if needed) and migrate the database at ``path``.

    Returns the database and a notice for the user (``None`` unless a damaged file was moved
    aside). Raises StorageError with a plain message when the file is locked, read-only or
    otherwise unusable.
    """
    path = Path(path)
    if path.is_dir():
        raise StorageError(f"{path} is a folder, not a database file.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StorageError(f"Cannot create the folder {path.parent}: {exc.strerror}.") from exc
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise StorageError(
            f"The database {path} is not readable and writable by you. Fix its permissions, "
            "or choose another data folder with --data-dir or REHEARSE_HOME."
        )
    notice: str | None = None
    try:
        try:
            db = _open_checked(path, timeout)
        except sqlite3.DatabaseError as exc:
            if not is_corruption(exc):
                raise
            try:
                moved = _move_aside(path)
            except OSError as move_exc:
                raise StorageError(
                    f"The database {path} is damaged ({exc}) and could not be moved aside "
                    f"({move_exc.strerror}). Move or rename it yourself, then start again."
                ) from move_exc
            notice = _corrupt_notice(path, moved, exc)
            db = _connect(path, timeout)
        try:
            if MIGRATIONS.pending(db) and db.table_names():
                _backup(db, path)
            MIGRATIONS.apply(db)
            db.enable_wal()
            db.execute("PRAGMA synchronous = NORMAL")
            db.execute("PRAGMA foreign_keys = ON")
        except BaseException:
            db.close()
            raise
    except sqlite3.Error as exc:
        raise storage_error(path, exc) from exc
    return db, notice


def backups_of(path: str | os.PathLike[str]) -> list[Path]:
    """Backup copies written before migrations, oldest first."""
    path = Path(path)
    return sorted(path.parent.glob(f"{path.name}.bak-*"))
