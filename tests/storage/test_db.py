"""open_database on real SQLite files: schema, migrations on old data, backups, damaged files."""

from __future__ import annotations

import sqlite3

import pytest
from sqlite_utils import Database

from desktop_app.storage.db import (
    MIGRATIONS,
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
        assert set(db["attempts"].columns_dict) == ATTEMPT_COLUMNS_M001 | ATTEMPT_COLUMNS_M002
        assert set(db["questions"].columns_dict) == {
            "id",
            "text",
            "competency",
            "kind",
            "pack",
            "data_json",
            "synced_at",
        }
        assert set(db["sessions"].columns_dict) == {"id", "kind", "started_at", "ended_at"}
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
