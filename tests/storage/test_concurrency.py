"""One data folder, several processes: writers wait for each other, first starts do not race.

Every test here starts real second processes on real SQLite files.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from desktop_app.domain import Attempt
from desktop_app.storage.db import SCHEMA_VERSION, backups_of
from desktop_app.storage.repository import Repository

REPO = Path(__file__).resolve().parents[2]
ENV = dict(os.environ, PYTHONPATH=str(REPO))

# One writer process: add an answer, search (History), score it, search, add and delete a
# scratch attempt; every call goes through the repository as the app makes it.
WRITER = textwrap.dedent(
    """
    import sys, time
    from pathlib import Path
    from desktop_app.domain import Attempt
    from desktop_app.storage.repository import Repository
    db, tag, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    repo = Repository.open(db)
    start = float(sys.argv[4])
    while time.time() < start:
        pass
    errors = []
    for i in range(n):
        try:
            aid = repo.add_attempt(Attempt(None, f"q-{tag}", f"2024-01-01T00:{i % 60:02d}:00",
                                           transcript_text=f"answer {tag} {i} about deadlines"))
            repo.list_attempts(limit=5, search="deadlines")
            repo.update_attempt(aid, status="scored", transcript_text=f"scored {tag} {i}")
            repo.list_attempts(limit=5, search="scored")
            scratch = repo.add_attempt(Attempt(None, f"t-{tag}", "2024", transcript_text="x"))
            repo.delete_attempt(scratch, db.parent)
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
    print(len(errors))
    print("\\n".join(sorted(set(errors))), file=sys.stderr)
    """
)


def test_two_writer_processes_lose_no_row(tmp_path):
    db = tmp_path / "rehearse.db"
    Repository.open(db).close()
    cycles = 2500
    start = time.time() + 1.5  # both begin together, after their imports
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(db), tag, str(cycles), str(start)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
        for tag in ("a", "b")
    ]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert [o[0].strip() for o in outs] == ["0", "0"], [o[1] for o in outs]
    with Repository.open(db) as repo:
        for tag in "ab":
            rows = repo.db.execute(
                "SELECT count(*), sum(status = 'scored') FROM attempts WHERE question_id = ?",
                [f"q-{tag}"]).fetchone()
            assert rows == (cycles, cycles)  # every answer kept, every score saved
        assert repo.db.execute("SELECT count(*) FROM attempts WHERE question_id LIKE 't-%'"
                               ).fetchone()[0] == 0


HOLDER = textwrap.dedent(
    """
    import sqlite3, sys, time
    conn = sqlite3.connect(sys.argv[1], isolation_level=None)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO attempts (question_id, started_at, transcript_text) "
                 "VALUES ('held', '2024', 'words the holder wrote')")
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
    conn.execute("COMMIT")
    """
)


def test_writes_wait_for_another_processes_write_lock(tmp_path):
    db = tmp_path / "rehearse.db"
    repo = Repository.open(db)
    aid = repo.add_attempt(Attempt(None, "q", "2024-01-01T00:00:00", transcript_text="hello"))
    repo.list_attempts(search="hello")
    operations = {
        "add": lambda: repo.add_attempt(Attempt(None, "q", "2024", transcript_text="new one")),
        "update": lambda: repo.update_attempt(aid, transcript_text="changed words"),
        "delete": lambda: repo.delete_attempt(aid, tmp_path),
    }
    try:
        for name, operation in operations.items():
            holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(db), "1.0"],
                                      stdout=subprocess.PIPE, text=True, env=ENV)
            assert holder.stdout.readline().strip() == "held"
            t0 = time.monotonic()
            assert operation(), name
            waited = time.monotonic() - t0
            assert holder.wait(timeout=10) == 0
            assert waited >= 0.7, f"{name} did not wait for the lock ({waited:.2f} s)"
    finally:
        repo.close()
    with Repository.open(db) as again:
        assert again.get_attempt(aid) is None
        assert [a.question_id for a in again.list_attempts()].count("held") == 3


OPENER = textwrap.dedent(
    """
    import sys, time
    from desktop_app.storage.repository import Repository
    start = float(sys.argv[2])
    while time.time() < start:
        pass
    try:
        Repository.open(sys.argv[1]).close()
        print("ok")
    except Exception as exc:
        print(f"{type(exc).__name__}: {exc}")
    """
)


def test_two_first_starts_at_once_do_not_race_in_the_migrations(tmp_path):
    for round_ in range(4):
        folder = tmp_path / f"round{round_}"
        folder.mkdir()
        db = folder / "rehearse.db"
        start = time.time() + 1.5
        procs = [subprocess.Popen([sys.executable, "-c", OPENER, str(db), str(start)],
                                  stdout=subprocess.PIPE, text=True, env=ENV) for _ in range(3)]
        results = [p.communicate(timeout=60)[0].strip() for p in procs]
        assert results == ["ok", "ok", "ok"], f"round {round_}: {results}"
        assert backups_of(db) == []  # a new database has nothing to back up
        with Repository.open(db) as repo:
            applied = repo.db.execute("SELECT name FROM _sqlite_migrations").fetchall()
            assert len(applied) == len(set(applied)) == SCHEMA_VERSION  # each ran once
