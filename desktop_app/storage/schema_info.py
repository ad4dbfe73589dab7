"""What a database file holds, read without writing to it: schema version, and its writer.

The schema version is recorded twice: ``PRAGMA user_version`` (readable from the file header
alone) and the ``rehearse_info`` table, which also names the Rehearse that last wrote it. A file
is newer than this Rehearse when either its version is higher or it lists a migration this
Rehearse does not know; it is then refused without a single write.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from desktop_app import __version__
from desktop_app.storage import errors as E
from desktop_app.storage.errors import StorageError
from desktop_app.storage.migrations import INFO_TABLE, MIGRATIONS, SCHEMA_VERSION, known_names

_KNOWN = set(known_names())


def read_only_uri(path: Path) -> str:
    """A ``mode=ro`` URI for ``path``; ``immutable`` too when its folder is not writable (a
    read-only mount, where SQLite could not make the WAL's side files and nothing else can
    write either)."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    return uri if os.access(path.parent, os.W_OK) else uri + "&immutable=1"


@dataclass
class Found:
    """What a look at the file without writing found."""

    size: int = 0
    applied: list[str] = field(default_factory=list)
    user_version: int = 0
    written_by: str = ""

    @property
    def version(self) -> int:
        return max(self.user_version, len([n for n in self.applied if n in _KNOWN]))


def header_user_version(path: Path) -> int:
    """``PRAGMA user_version`` from the file header, peeked at without locks or side files
    (0 when it is not a database).

    Through SQLite, never Python's ``open()``: closing any other descriptor of the database
    file drops every POSIX lock this process holds on it, SQLite's included (see "How To
    Corrupt An SQLite Database File", 2.2). Another process (the command line, a second
    start) then thinks it is the last connection and deletes the WAL this process is still
    writing to: later writes vanish for every other reader. SQLite keeps such a descriptor open
    until its own connections on the file are closed."""
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error:
        return 0
    try:
        return int(conn.execute("PRAGMA user_version").fetchone()[0])
    except sqlite3.DatabaseError:
        return 0
    finally:
        conn.close()


def inspect(path: Path, timeout: float, *, read_only: bool = False) -> Found:
    """Read the file's state without writing to it. Raises sqlite3.DatabaseError when the file
    is damaged (SQLite's quick check fails); a newer database is never called damaged.
    ``read_only``: the caller will never write (the folder may be a read-only mount)."""
    found = Found()
    if not path.exists():
        return found
    found.size = path.stat().st_size
    if found.size == 0:
        return found
    found.user_version = header_user_version(path)
    newer = found.user_version > SCHEMA_VERSION
    # A newer file, or one on a read-only mount, is only peeked at (immutable: no locks, no
    # -wal/-shm made beside it); any other is read through a normal connection, which writes
    # nothing unless asked to and removes the side files it made when it closes.
    peek = newer or (read_only and not os.access(path.parent, os.W_OK))
    uri = f"{path.resolve().as_uri()}?mode=ro&immutable=1" if peek else str(path)
    try:
        conn = sqlite3.connect(uri, uri=peek, timeout=timeout)
        try:
            if not newer:
                rows = conn.execute("PRAGMA quick_check").fetchall()
                if [r[0] for r in rows] != ["ok"]:
                    raise sqlite3.DatabaseError("database disk image is malformed")
            found.user_version = conn.execute("PRAGMA user_version").fetchone()[0]
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master "
                                                 "WHERE type = 'table'")}
            if MIGRATIONS.migrations_table in tables:
                found.applied = [r[0] for r in conn.execute(
                    f"SELECT name FROM {MIGRATIONS.migrations_table} WHERE migration_set = ? "
                    "ORDER BY rowid", [MIGRATIONS.name])]
            if INFO_TABLE in tables:
                row = conn.execute(
                    f"SELECT value FROM {INFO_TABLE} WHERE key = 'app_version'").fetchone()
                found.written_by = row[0] if row else ""
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        if not newer:
            raise
    return found


def refuse_if_newer(path: Path, found: Found) -> None:
    unknown = [n for n in found.applied if n not in _KNOWN]
    if found.user_version <= SCHEMA_VERSION and not unknown:
        return
    by = f"Rehearse {found.written_by}" if found.written_by else "a newer Rehearse"
    version = max(found.user_version, SCHEMA_VERSION + len(unknown))
    raise StorageError(
        f"The data folder {path.parent} was written by a newer version of Rehearse ({by}, "
        f"database schema {version}); this is Rehearse {__version__} (schema {SCHEMA_VERSION}). "
        "Upgrade Rehearse, or choose another data folder. Nothing in it was changed.",
        E.NEWER,
    )
