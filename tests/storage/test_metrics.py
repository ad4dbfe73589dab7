"""m008: the metric and tip side tables hold what analysis_json says, for attempts stored before
the migration (backfill) and after it (m008's triggers, since m010 the repository's writes on
insert, re-score, delete: the same rows); a malformed analysis never fails the write that stored
it; the progress queries read covering indexes."""

from __future__ import annotations

import json

from sqlite_utils import Database

from desktop_app.analysis import Analyzer
from desktop_app.domain import Attempt, Transcript
from desktop_app.paths import prompts_dir
from desktop_app.questions import QuestionBank
from desktop_app.storage.db import open_database
from desktop_app.storage.migrations import MIGRATIONS
from desktop_app.storage.progress import ProgressFilter, source
from desktop_app.storage.repository import Repository

STRONG = ("Last year our checkout failed for ten percent of customers. I was on call, so I had "
          "to find the cause. I added tracing and raised the pool limit from 20 to 80. As a "
          "result, errors fell to almost zero within two days.")
WEAK = "Um, we sort of fixed things, I think, and it was, like, maybe better."


def analysis(text: str) -> dict:
    q = QuestionBank.load([prompts_dir()]).questions[0]
    return Analyzer().analyze(Transcript.from_text(text), q).to_dict()


def metrics_row(db: Database, attempt_id: int) -> dict | None:
    rows = list(db["attempt_metrics"].rows_where("attempt_id = ?", [attempt_id]))
    return rows[0] if rows else None


def tips_of(db: Database, attempt_id: int) -> list[str]:
    return [r["tip_id"] for r in db["attempt_tips"].rows_where(
        "attempt_id = ?", [attempt_id], order_by="position")]


def test_backfill_then_triggers_keep_the_side_tables_equal_to_the_analysis(tmp_path):
    path = tmp_path / "rehearse.db"
    strong, weak = analysis(STRONG), analysis(WEAK)
    old = Database(path)
    MIGRATIONS.apply(old, stop_before="m008_attempt_metrics")
    old["attempts"].insert_all([
        {"id": 1, "question_id": "q", "started_at": "2026-11-01T10:00:00+00:00",
         "status": "scored", "analysis_json": json.dumps(strong)},
        {"id": 2, "question_id": "q", "started_at": "2026-11-02T10:00:00+00:00",
         "status": "scored", "analysis_json": "{not json"},
        {"id": 3, "question_id": "q", "started_at": "2026-11-03T10:00:00+00:00",
         "status": "recorded"},
    ])
    old.close()

    db, _ = open_database(path)
    try:
        m = metrics_row(db, 1)  # stored before the migration: filled by it
        assert m["m_quantities"] == strong["specificity"]["quantities"] >= 2
        assert m["m_star_r"] == 1 and m["m_words"] == strong["delivery"]["words"]
        assert tips_of(db, 1) == strong["tip_ids"]
        assert metrics_row(db, 2) is None and metrics_row(db, 3) is None

        # since m010 the repository writes them, in the save's own transaction
        repo = Repository(db, path=path)
        new = repo.add_attempt(Attempt(None, "q", "2026-11-04T10:00:00+00:00", status="scored",
                                       analysis_json=json.dumps(weak)))
        assert metrics_row(db, new)["m_hedges"] == weak["delivery"]["hedges"] >= 1
        assert tips_of(db, new) == weak["tip_ids"]
        # re-scored ("keep the new one"): both replaced
        repo.update_attempt(new, analysis_json=json.dumps(strong))
        assert metrics_row(db, new)["m_quantities"] == strong["specificity"]["quantities"]
        assert tips_of(db, new) == strong["tip_ids"]
        # a note or a status change leaves them alone
        repo.update_attempt(new, note="remember the numbers", status="scored")
        assert tips_of(db, new) == strong["tip_ids"]
        # a malformed analysis is stored (the write does not fail) and simply has no metrics
        repo.update_attempt(new, analysis_json="{broken")
        assert metrics_row(db, new) is None and tips_of(db, new) == []
        repo.delete_attempt(1, tmp_path)
        assert metrics_row(db, 1) is None and tips_of(db, 1) == []
    finally:
        db.close()


def test_the_repository_stores_what_the_m008_triggers_stored(tmp_path):
    """The Python extraction (m010 on) gives the very row SQLite's JSON functions gave."""
    data = [analysis(STRONG), analysis(WEAK)]
    data[1]["delivery"]["wpm"] = None  # a typed answer: no pace
    old = Database(tmp_path / "old.db")
    MIGRATIONS.apply(old, stop_before="m010_progress_rollup")
    for i, d in enumerate(data, 1):
        old["attempts"].insert({"id": i, "question_id": "q", "status": "scored",
                                "started_at": "2026-11-01T10:00:00+00:00",
                                "analysis_json": json.dumps(d)})
    repo = Repository.open(tmp_path / "new.db")
    try:
        for d in data:
            repo.add_attempt(Attempt(None, "q", "2026-11-01T10:00:00+00:00", status="scored",
                                     analysis_json=json.dumps(d)))
        for i in (1, 2):
            assert metrics_row(repo.db, i) == metrics_row(old, i)
            assert (list(repo.db["attempt_tips"].rows_where("attempt_id = ?", [i]))
                    == list(old["attempt_tips"].rows_where("attempt_id = ?", [i])))
    finally:
        repo.close()
        old.close()


def test_the_progress_queries_read_covering_indexes_not_the_attempt_rows(tmp_path):
    db, _ = open_database(tmp_path / "rehearse.db")
    try:
        f = ProgressFilter()
        where, params = f.where(scored=True)
        cols = ", ".join(f"a.score_{k}" for k in ("overall", "star", "delivery"))
        plan = db.execute(f"EXPLAIN QUERY PLAN SELECT COUNT(*), AVG(a.duration_s), {cols} "
                          f"{source(f)} {where}", params).fetchall()
        assert any("COVERING INDEX" in row[-1] for row in plan), plan
    finally:
        db.close()
