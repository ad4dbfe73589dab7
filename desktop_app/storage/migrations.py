"""The Rehearse schema as sqlite-utils ``Migrations``, named ``mNNN_what``.

Each runs atomically with the record of it having been applied, and is never renamed or edited
once released: add a new one. The schema version is the number of migrations applied; a database
whose ``_sqlite_migrations`` names a migration this list lacks was written by a newer Rehearse.
"""

from __future__ import annotations

from sqlite_utils import Database, Migrations

from desktop_app.storage import rollup, rollup_totals
from desktop_app.storage.metrics import add_metric_columns, drop_metric_triggers

# The score columns m002 added. Frozen with the migration (a released migration never changes):
# desktop_app.domain.SCORE_KEYS is what the code uses, and a test holds the two equal.
SCORE_KEYS_M002 = ("overall", "star", "specificity", "jargon", "delivery", "reasoning")

MIGRATIONS = Migrations("rehearse")
INFO_TABLE = "rehearse_info"


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
    for key in SCORE_KEYS_M002:
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


# The attempts table exactly as m001-m003 left it, with AUTOINCREMENT on the id.
_ATTEMPTS_V4 = """
CREATE TABLE "attempts_v4" (
   "id" INTEGER PRIMARY KEY AUTOINCREMENT,
   "question_id" TEXT NOT NULL,
   "session_id" INTEGER REFERENCES "sessions"("id"),
   "started_at" TEXT NOT NULL,
   "ended_at" TEXT,
   "duration_s" REAL DEFAULT '0.0',
   "audio_path" TEXT,
   "model" TEXT,
   "transcript_text" TEXT DEFAULT '',
   "words_json" TEXT DEFAULT '[]',
   "status" TEXT NOT NULL DEFAULT 'recorded',
   "error" TEXT,
   "analysis_json" TEXT,
   "score_overall" REAL,
   "score_star" REAL,
   "score_specificity" REAL,
   "score_jargon" REAL,
   "score_delivery" REAL,
   "score_reasoning" REAL,
   "prompt_text" TEXT,
   "parent_attempt_id" INTEGER REFERENCES "attempts"("id") ON DELETE SET NULL
)
"""
_ATTEMPT_COLUMNS_V3 = (
    "id", "question_id", "session_id", "started_at", "ended_at", "duration_s", "audio_path",
    "model", "transcript_text", "words_json", "status", "error", "analysis_json",
    *(f"score_{k}" for k in SCORE_KEYS_M002), "prompt_text", "parent_attempt_id",
)  # fmt: skip


@MIGRATIONS()
def m004_never_reuse_attempt_ids(db: Database) -> None:
    """Rebuild attempts with AUTOINCREMENT so a deleted attempt's id is never given again (an
    exported report or a link keeps pointing at the attempt it named). Rows, ids, indexes and
    the full-text triggers are kept; the FTS index needs no rebuild (rowids are unchanged)."""
    if db.execute("PRAGMA foreign_keys").fetchone()[0]:
        raise RuntimeError("m004 rebuilds a table and must run with foreign keys off")
    keep = db.execute(
        "SELECT sql FROM sqlite_master WHERE tbl_name = 'attempts' AND type IN "
        "('index', 'trigger') AND sql IS NOT NULL ORDER BY type, name"
    ).fetchall()
    # [brackets], not "quotes": SQLite reads a quoted name it cannot find as a string literal
    cols = ", ".join(f"[{c}]" for c in _ATTEMPT_COLUMNS_V3)
    db.execute(_ATTEMPTS_V4)
    db.execute(f'INSERT INTO "attempts_v4" ({cols}) SELECT {cols} FROM "attempts"')
    db.execute('DROP TABLE "attempts"')  # drops its indexes and triggers with it
    db.execute('ALTER TABLE "attempts_v4" RENAME TO "attempts"')
    for (sql,) in keep:
        db.execute(sql)


@MIGRATIONS()
def m005_schema_info(db: Database) -> None:
    """A key/value table recording the schema version and the Rehearse that last wrote it, so
    an older Rehearse can name the version that a newer data folder needs."""
    db[INFO_TABLE].create({"key": str, "value": str}, pk="key")


@MIGRATIONS()
def m006_attempt_input(db: Database) -> None:
    """How an answer came in: ``spoken`` (recorded in the app), ``file`` (a recording made
    elsewhere, `rehearse practice --audio`) or ``typed`` (no voice: delivery is not timed)."""
    db["attempts"].add_column("input", str, not_null_default="spoken")


@MIGRATIONS()
def m007_rounds_and_schedule(db: Database) -> None:
    """Mock interview rounds in ``sessions`` (their plan, resumable state and report) and the
    spaced-repetition schedule: one card per question and a log of the reviews behind it."""
    for column in ("status", "plan_json", "state_json", "report_json", "updated_at"):
        db["sessions"].add_column(column, str)
    db["sessions"].create_index(["kind", "ended_at"], if_not_exists=True)
    db.execute("""CREATE TABLE "schedule_cards" (
        "question_id" TEXT PRIMARY KEY, "card_json" TEXT NOT NULL, "due_at" TEXT NOT NULL,
        "last_review_at" TEXT, "last_grade" TEXT, "reviews" INTEGER NOT NULL DEFAULT 0)""")
    db.execute('CREATE INDEX "idx_schedule_cards_due_at" ON "schedule_cards" ("due_at")')
    # A review outlives its attempt (the schedule keeps what it learnt): deleting it unlinks.
    db.execute("""CREATE TABLE "schedule_reviews" (
        "id" INTEGER PRIMARY KEY AUTOINCREMENT, "question_id" TEXT NOT NULL,
        "attempt_id" INTEGER UNIQUE REFERENCES "attempts"("id") ON DELETE SET NULL,
        "reviewed_at" TEXT NOT NULL, "grade" TEXT NOT NULL, "auto_grade" TEXT,
        "source" TEXT NOT NULL DEFAULT 'auto', "card_before_json" TEXT)""")
    db.execute('CREATE INDEX "idx_schedule_reviews_question" ON "schedule_reviews" '
               '("question_id", "reviewed_at")')


@MIGRATIONS()
def m008_attempt_metrics(db: Database) -> None:
    """The metrics charts and the CSV need, as columns kept equal to analysis_json by
    triggers (filled for the attempts already stored); the tips as rows; a per-attempt note.
    See desktop_app.storage.metrics."""
    add_metric_columns(db)
    # Covering indexes for the progress queries: an attempt's row holds its transcript, words
    # and analysis (tens of KB) before the score columns, so reading a score from the table
    # walks the row's overflow pages; from these indexes it reads a few bytes. With them the
    # Progress view costs about the same at 10,000 attempts as at 100 (bench/progress.py).
    scores = ", ".join(f"score_{k}" for k in SCORE_KEYS_M002)
    db.execute("CREATE INDEX attempts_progress ON attempts (started_at, id, question_id, "
               f"prompt_text, duration_s, {scores})")
    db.execute("CREATE INDEX attempts_question_started ON attempts (question_id, started_at, "
               f"id, prompt_text, duration_s, status, {scores})")
    db.execute("CREATE INDEX attempt_tips_by_attempt ON attempt_tips (attempt_id, tip_id, text)")


@MIGRATIONS()
def m009_transcript_versions(db: Database) -> None:
    """Earlier transcripts of an attempt (before a re-transcription or an edit replaced them),
    so none is ever lost: see :mod:`.transcript_versions`."""
    db["transcript_versions"].create(
        {
            "id": int,
            "attempt_id": int,
            "saved_at": str,
            "source": str,  # transcribed | edited
            "model": str,
            "transcript_text": str,
            "words_json": str,
            "analysis_json": str,
            "scores_json": str,
        },
        pk="id",
        not_null=["attempt_id", "saved_at", "source"],
    )
    db["transcript_versions"].create_index(["attempt_id"])


@MIGRATIONS()
def m010_progress_rollup(db: Database) -> None:
    """Per-day totals for the Progress view and reports (so opening it costs the same at
    10,000 attempts as at 100), filled for the attempts already stored; from now on the
    repository writes the metric and tip side tables itself, in the same transaction (m008's
    triggers parsed the analysis once per metric). See desktop_app.storage.rollup."""
    drop_metric_triggers(db)
    rollup.create_tables(db)
    rollup.rebuild(db)


@MIGRATIONS()
def m011_progress_totals(db: Database) -> None:
    """All-time totals per competency and kind, and per-day totals over every competency,
    added up from m010's per-day rows (which still grow with the days practised times the
    competencies), for the view as it opens: "All time", every competency. See
    desktop_app.storage.rollup_totals."""
    rollup_totals.create_tables(db)
    rollup_totals.rebuild(db)


def known_names() -> list[str]:
    """Every migration this Rehearse knows, in order (no sqlite-utils plugins: scanning every
    installed package's entry points cost ~0.1 s of start-up, and the history never runs them)."""
    return [m.name for m in MIGRATIONS.pending(Database(memory=True, execute_plugins=False))]


SCHEMA_VERSION = len(known_names())
