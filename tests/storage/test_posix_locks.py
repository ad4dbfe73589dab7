"""Nothing in this process opens the database file outside SQLite while SQLite has it open.

Closing any descriptor of a file drops every POSIX lock the process holds on it, SQLite's
included. The window opens second connections while its main one is open (what is due for
review, background readers, the command line's checks); before this was fixed, one Python
``open()`` of the file (the header peek, a "touch" of the file) was enough for another process
— ``rehearse practice`` in a terminal, a second start — to believe it was the last connection
and delete the WAL the window was still writing to. From then on the window's answers were
invisible to every other reader, and Progress said "database disk image is malformed".

Real second processes, real files.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.domain import Attempt
from desktop_app.storage.repository import Repository

OTHER = ("import sqlite3, sys\n"
         "c = sqlite3.connect(sys.argv[1])\n"
         "print(c.execute('SELECT COUNT(*) FROM attempts').fetchone()[0])\n"
         "c.close()\n")


def count_elsewhere(path: Path) -> int:
    """How many attempts another process sees (it opens, reads and closes: if it thinks it is
    the last connection, SQLite checkpoints and deletes the WAL as it closes)."""
    run = subprocess.run([sys.executable, "-c", OTHER, str(path)], capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    return int(run.stdout)


@pytest.mark.parametrize("second", ["repository", "reader"])
def test_a_second_connection_here_leaves_the_wal_to_the_first(tmp_path, second):
    path = tmp_path / "rehearse.db"
    main = Repository.open(path)
    try:
        main.add_attempt(Attempt(None, "q0", "2026-11-01T10:00:00+00:00", duration_s=1.0))
        # as the due-for-review watch and the Progress view do, on other threads
        other = Repository.open(path) if second == "repository" else Repository.reader(path)
        other.close()
        assert count_elsewhere(path) == 1
        wal = path.with_name(path.name + "-wal")
        assert wal.exists(), "another process deleted the WAL this one is writing to"
        main.add_attempt(Attempt(None, "q0", "2026-11-02T10:00:00+00:00", duration_s=1.0))
        assert count_elsewhere(path) == 2, "a write of this process is lost to the others"
    finally:
        main.close()


def test_opening_never_touches_the_file_outside_sqlite(tmp_path):
    """An audit hook sees every Python-level open of the file while it is open in SQLite."""
    path = tmp_path / "rehearse.db"
    main = Repository.open(path)
    opened: list[str] = []

    def hook(event: str, args: tuple) -> None:
        if event in ("open", "os.open") and args and str(args[0]) == str(path):
            opened.append(event)

    sys.addaudithook(hook)  # cannot be removed: it only records opens of this test's file
    try:
        for _ in range(2):
            Repository.open(path).close()
            Repository.reader(path).close()
        assert opened == []
    finally:
        main.close()
