"""open_database on real SQLite files: schema, migrations on old data, backups, damaged files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from desktop_app import __version__
from desktop_app.storage.db import (
    MIGRATIONS,
    SCHEMA_VERSION,
    StorageError,
    backups_of,
    open_database,
    translate_errors,
)

MIGRATION_NAMES = [
    "m001_initial",
    "m002_analysis_and_follow_ups",
    "m003_transcript_search",
    "m004_never_reuse_attempt_ids",
    "m005_schema_info",
    "m006_attempt_input",
    "m007_rounds_and_schedule",
    "m008_attempt_metrics",
    "m009_transcript_versions",
    "m010_progress_rollup",
    "m011_progress_totals",
]
ATTEMPT_COLUMNS_M001 = {
    "id",
    "question_id",
    "session_id",
    "started_at",
    "ended_at",
    "duration_s",
    "audio_path",
    "model",
    "transcript_text",
    "words_json",
    "status",
    "error",
}
ATTEMPT_COLUMNS_M002 = {
    "analysis_json",
    "score_overall",
    "score_star",
    "score_specificity",
    "score_jargon",
    "score_delivery",
    "score_reasoning",
    "parent_attempt_id",
    "prompt_text",
}


def make_old_database(path, stop_before="m002_analysis_and_follow_ups"):
    """A database as an earlier release left it (migrations up to ``stop_before``), with data."""
    db = Database(path)
    MIGRATIONS.apply(db, stop_before=stop_before)
    db["questions"].insert(
        {
            "id": "conflict-1",
            "text": "Tell me about a conflict.",
            "competency": "conflict",
            "kind": "behavioural",
            "pack": "core",
        }
    )
    db["sessions"].insert({"id": 1, "kind": "practice", "started_at": "2024-05-01T10:00:00+00:00"})
    db["attempts"].insert_all(
        [
            {
                "id": 1,
                "question_id": "conflict-1",
                "session_id": 1,
                "started_at": "2024-05-01T10:01:00+00:00",
                "duration_s": 62.5,
                "audio_path": "recordings/2024/one.wav",
                "model": "tiny.en",
                "transcript_text": "We missed the deadline because the vendor changed the API.",
                "words_json": '[{"text": "We", "start": 0.0, "end": 0.2, "probability": 0.9}]',
                "status": "transcribed",
            },
            {
                "id": 2,
                "question_id": "conflict-1",
                "session_id": 1,
                "started_at": "2024-05-01T10:05:00+00:00",
                "status": "recorded",
            },
        ]
    )
    db.close()


def test_fresh_database_has_every_table_and_column(tmp_path):
    db, notice = open_database(tmp_path / "rehearse.db")
    try:
        assert notice is None
        assert {"questions", "sessions", "attempts", "attempts_fts"} <= set(db.table_names())
        want = ATTEMPT_COLUMNS_M001 | ATTEMPT_COLUMNS_M002 | {"input", "note"}  # m006, m008
        assert set(db["attempts"].columns_dict) == want
        assert {"attempt_metrics", "attempt_tips"} <= set(db.table_names())
        assert set(db["questions"].columns_dict) == {
            "id",
            "text",
            "competency",
            "kind",
            "pack",
            "data_json",
            "synced_at",
        }
        assert set(db["sessions"].columns_dict) == {
            "id", "kind", "started_at", "ended_at",
            "status", "plan_json", "state_json", "report_json", "updated_at",  # m007: rounds
        }  # fmt: skip
        assert {"schedule_cards", "schedule_reviews"} <= set(db.table_names())
        assert {"attempts_ai", "attempts_ad", "attempts_au"} <= set(db.triggers_dict)
        fks = {(fk.column, fk.other_table, fk.on_delete) for fk in db["attempts"].foreign_keys}
        assert fks == {
            ("session_id", "sessions", "NO ACTION"),
            ("parent_attempt_id", "attempts", "SET NULL"),
        }
        assert db.journal_mode == "wal"
        assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert not MIGRATIONS.pending(db)
        assert backups_of(tmp_path / "rehearse.db") == []  # nothing to back up
    finally:
        db.close()


def test_migration_names_are_stable():
    # Released migrations are never renamed: a rename would re-run them on users' databases.
    assert [m.name for m in MIGRATIONS.pending(Database(memory=True))] == MIGRATION_NAMES


@pytest.mark.parametrize("stop_before", ["m002_analysis_and_follow_ups", "m003_transcript_search"])
def test_migrating_an_old_database_keeps_its_data(tmp_path, stop_before):
    path = tmp_path / "rehearse.db"
    make_old_database(path, stop_before)
    db, notice = open_database(path)
    try:
        assert notice is None
        rows = list(db["attempts"].rows_where(order_by="id"))
        assert [r["id"] for r in rows] == [1, 2]
        assert rows[0]["transcript_text"].startswith("We missed the deadline")
        assert rows[0]["duration_s"] == 62.5
        assert rows[0]["audio_path"] == "recordings/2024/one.wav"
        assert rows[0]["words_json"].startswith('[{"text": "We"')
        assert rows[0]["score_overall"] is None and rows[0]["parent_attempt_id"] is None
        assert ATTEMPT_COLUMNS_M002 <= set(db["attempts"].columns_dict)
        assert db["questions"].get("conflict-1")["text"] == "Tell me about a conflict."
        assert db["sessions"].count == 1
        # The full-text index was built over transcripts that existed before it.
        hits = db.execute("SELECT rowid FROM attempts_fts WHERE attempts_fts MATCH 'vendor'")
        assert [r[0] for r in hits] == [1]
    finally:
        db.close()
    backups = backups_of(path)
    assert len(backups) == 1
    old = Database(backups[0])
    try:  # the backup is the database as it was before migrating
        assert old["attempts"].count == 2
        applied = [m.name for m in MIGRATIONS.applied(old)]
        assert applied == [n for n in MIGRATION_NAMES[: MIGRATION_NAMES.index(stop_before)]]
        assert "attempts_fts" not in old.table_names()
    finally:
        old.close()


def test_reopening_is_idempotent_and_makes_no_new_backup(tmp_path):
    path = tmp_path / "rehearse.db"
    make_old_database(path)
    db, _ = open_database(path)
    db.close()
    assert len(backups_of(path)) == 1
    db, notice = open_database(path)
    try:
        assert notice is None
        assert db["attempts"].count == 2
        assert len(db.execute("SELECT * FROM _sqlite_migrations").fetchall()) == len(
            MIGRATION_NAMES
        )
    finally:
        db.close()
    assert len(backups_of(path)) == 1


def _assert_moved_aside(tmp_path, path, notice, original: bytes):
    moved = [p for p in tmp_path.iterdir() if p.name.startswith("rehearse.db.corrupt-")]
    assert len(moved) == 1
    assert moved[0].read_bytes() == original  # nothing of the old file is lost
    assert notice is not None and str(moved[0]) in notice
    assert "recordings" in notice and "not touched" in notice


def test_garbage_file_is_moved_aside_and_a_fresh_database_started(tmp_path):
    path = tmp_path / "rehearse.db"
    garbage = b"this is not sqlite at all\x00\xff" * 200
    path.write_bytes(garbage)
    db, notice = open_database(path)
    try:
        assert "attempts" in db.table_names() and db["attempts"].count == 0
    finally:
        db.close()
    _assert_moved_aside(tmp_path, path, notice, garbage)


def test_truncated_database_is_moved_aside(tmp_path):
    path = tmp_path / "rehearse.db"
    db, _ = open_database(path)
    db["attempts"].insert_all(
        {
            "question_id": "q",
            "started_at": f"2024-01-01T00:00:{i:02d}",
            "transcript_text": "a long answer about deadlines " * 40,
        }
        for i in range(60)
    )
    db.close()
    data = path.read_bytes()
    assert len(data) > 3 * 4096
    truncated = data[: len(data) // 2]
    path.write_bytes(truncated)
    db, notice = open_database(path)
    try:
        assert db["attempts"].count == 0 and not MIGRATIONS.pending(db)
    finally:
        db.close()
    _assert_moved_aside(tmp_path, path, notice, truncated)


def test_locked_database_gives_a_clear_error_and_moves_nothing(tmp_path):
    path = tmp_path / "rehearse.db"
    make_old_database(path)
    holder = sqlite3.connect(path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with pytest.raises(StorageError, match="locked by another program"):
            open_database(path, timeout=0.2)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    # nothing moved or copied (the lock file that serialises opening is all that is new)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rehearse.db", "rehearse.db.lock"]
    db, notice = open_database(path)  # usable again once released
    db.close()
    assert notice is None


def test_folder_instead_of_file_is_a_clear_error(tmp_path):
    (tmp_path / "rehearse.db").mkdir()
    with pytest.raises(StorageError, match="is a folder"):
        open_database(tmp_path / "rehearse.db")


def test_read_only_database_errors_become_a_clear_storage_error(tmp_path):
    # Root ignores chmod, so make SQLite itself refuse the write: a read-only connection.
    path = tmp_path / "rehearse.db"
    open_database(path)[0].close()
    ro = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        with pytest.raises(StorageError, match="is read-only") as info:
            with translate_errors(path):
                ro.execute("INSERT INTO sessions (kind, started_at) VALUES ('x', 'y')")
    finally:
        ro.close()
    assert str(path) in str(info.value)


# ---- schema versions: newer databases, failed migrations, backups ---------------------------


def _future_database(path, *, user_version=None, extra_migration=None, written_by="9.0.0"):
    """A database as a newer Rehearse would leave it."""
    db, _ = open_database(path)
    db["attempts"].insert({"question_id": "q", "started_at": "2024", "transcript_text": "hi"})
    if extra_migration:
        db["_sqlite_migrations"].insert({"migration_set": "rehearse", "name": extra_migration,
                                         "applied_at": "2030-01-01"})
    db.execute("UPDATE rehearse_info SET value = ? WHERE key = 'app_version'", [written_by])
    if user_version is not None:
        db.execute(f"PRAGMA user_version = {user_version}")
    db.conn.commit()
    db.close()


def _snapshot(folder):
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()
            if not p.name.endswith(".lock")}


@pytest.mark.parametrize(
    "future",
    [
        {"user_version": SCHEMA_VERSION + 3},  # the version it records
        {"extra_migration": "m006_rename_transcript"},  # a migration this version lacks
    ],
)
def test_a_database_from_a_newer_rehearse_is_refused_and_never_written(tmp_path, future):
    path = tmp_path / "rehearse.db"
    _future_database(path, **future)
    before = _snapshot(tmp_path)
    with pytest.raises(StorageError, match="newer version of Rehearse") as info:
        open_database(path)
    assert info.value.kind == "newer" and not info.value.read_only_ok
    assert "Rehearse 9.0.0" in str(info.value) and "Upgrade Rehearse" in str(info.value)
    assert "choose another data folder" in str(info.value)
    with pytest.raises(StorageError, match="newer version"):
        open_database(path, read_only=True)
    assert _snapshot(tmp_path) == before  # not a byte, not a timestamp changed
    assert backups_of(path) == []


def test_the_schema_version_and_app_version_are_recorded(tmp_path):
    db, _ = open_database(tmp_path / "rehearse.db")
    try:
        assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        info = dict(db.execute("SELECT key, value FROM rehearse_info").fetchall())
        assert info == {"schema_version": str(SCHEMA_VERSION), "app_version": __version__}
    finally:
        db.close()


def _conflicting_database(path):
    """Applied up to m003, but the attempts table lost a column m004 copies (edited by hand)."""
    make_old_database(path, stop_before="m004_never_reuse_attempt_ids")
    db = Database(path)
    db.execute("ALTER TABLE attempts DROP COLUMN prompt_text")
    db.close()


def test_a_failed_migration_is_a_clear_error_and_keeps_one_backup_per_version(tmp_path):
    path = tmp_path / "rehearse.db"
    _conflicting_database(path)
    for _launch in range(3):
        with pytest.raises(StorageError, match="could not upgrade") as info:
            open_database(path)
        assert info.value.kind == "migration" and info.value.read_only_ok
        assert "m004_never_reuse_attempt_ids" in str(info.value)
    backups = backups_of(path)
    assert [b.name for b in backups] == ["rehearse.db.bak-v3"]
    assert str(backups[0]) in str(info.value)
    with Database(path) as still:  # rolled back: the data is as it was
        assert [m.name for m in MIGRATIONS.applied(still)] == MIGRATION_NAMES[:3]
        assert still["attempts"].count == 2
    db, _ = open_database(path, read_only=True)  # and it can still be read
    try:
        assert db["attempts"].count == 2
    finally:
        db.close()


def test_read_only_open_never_writes_and_refuses_writes(tmp_path):
    path = tmp_path / "rehearse.db"
    make_old_database(path, stop_before="m004_never_reuse_attempt_ids")
    before = path.read_bytes()
    db, notice = open_database(path, read_only=True)
    try:
        assert notice is None and db["attempts"].count == 2
        with pytest.raises(StorageError, match="read-only"), translate_errors(path):
            db.execute("INSERT INTO sessions (kind, started_at) VALUES ('x', 'y')")
    finally:
        db.close()
    assert path.read_bytes() == before and backups_of(path) == []


# ---- attempt ids, empty files, file modes ---------------------------------------------------


def test_attempt_ids_are_never_reused_after_a_delete(tmp_path):
    db, _ = open_database(tmp_path / "rehearse.db")
    try:
        rows = db["attempts"]
        for i in range(3):
            rows.insert({"question_id": "q", "started_at": f"2024-0{i + 1}"})
        db.execute("DELETE FROM attempts WHERE id = 3")
        db.conn.commit()
        new = rows.insert({"question_id": "q", "started_at": "2024-09"}).last_pk
        assert new == 4  # not 3: a report that named attempt 3 never points at this one
    finally:
        db.close()


def test_m004_keeps_rows_ids_links_and_search(tmp_path):
    path = tmp_path / "rehearse.db"
    make_old_database(path, stop_before="m004_never_reuse_attempt_ids")
    with Database(path) as old:
        old.execute("UPDATE attempts SET parent_attempt_id = 1 WHERE id = 2")
        old.conn.commit()
        before = list(old["attempts"].rows_where(order_by="id"))
    db, _ = open_database(path)
    try:
        after = list(db["attempts"].rows_where(order_by="id"))
        assert [r.pop("input") for r in after] == ["spoken"] * len(before)  # m006's default
        assert [r.pop("note") for r in after] == [None] * len(before)  # m008: no note yet
        assert after == before
        assert "AUTOINCREMENT" in db["attempts"].schema
        assert {"attempts_ai", "attempts_ad", "attempts_au"} <= set(db.triggers_dict)
        assert {"idx_attempts_started_at", "idx_attempts_status", "idx_attempts_question_id",
                "idx_attempts_parent_attempt_id"} <= {i.name for i in db["attempts"].indexes}

        def search(word):
            return [r[0] for r in db.execute(
                "SELECT rowid FROM attempts_fts WHERE attempts_fts MATCH ?", [word])]

        assert search("vendor") == [1]  # the old index still answers
        with db.conn:
            db.execute("UPDATE attempts SET transcript_text = 'a calm vendor' WHERE id = 2")
        assert search("calm") == [2]  # the triggers still keep it current
        with db.conn:
            db.execute("DELETE FROM attempts WHERE id = 1")
        assert search("vendor") == [2]
        assert db["attempts"].get(2)["parent_attempt_id"] is None  # ON DELETE SET NULL kept
    finally:
        db.close()


def test_an_empty_database_file_is_started_afresh_with_a_notice(tmp_path):
    path = tmp_path / "rehearse.db"
    path.write_bytes(b"")
    db, notice = open_database(path)
    try:
        assert "attempts" in db.table_names()
    finally:
        db.close()
    assert notice is not None and "empty file (0 bytes)" in notice and str(path) in notice


UMASK_OPEN = """
import os, sys
os.umask(0)
from desktop_app.storage.repository import Repository
from desktop_app.domain import Attempt
with Repository.open(sys.argv[1]) as repo:
    repo.add_attempt(Attempt(None, "q", "2024"))
    print("open", flush=True)
    sys.stdin.readline()
"""


def test_database_and_its_side_files_are_private_whatever_the_umask(tmp_path):
    import os
    import stat
    import subprocess
    import sys

    path = tmp_path / "rehearse.db"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[2]))
    child = subprocess.Popen([sys.executable, "-c", UMASK_OPEN, str(path)], env=env,
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().strip() == "open"
        names = {p.name: stat.S_IMODE(p.stat().st_mode) for p in tmp_path.iterdir()}
    finally:
        child.communicate("\n", timeout=30)
    assert {"rehearse.db", "rehearse.db-wal", "rehearse.db-shm"} <= set(names)
    assert set(names.values()) == {0o600}, {k: oct(v) for k, v in names.items()}
