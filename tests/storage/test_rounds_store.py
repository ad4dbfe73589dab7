"""m007_rounds_and_schedule on a database from before it, and the rounds' rows in sessions."""

from __future__ import annotations

from sqlite_utils import Database

from desktop_app.domain import Attempt
from desktop_app.storage.cards import CardRow, CardStore
from desktop_app.storage.db import open_database
from desktop_app.storage.migrations import MIGRATIONS
from desktop_app.storage.repository import Repository
from desktop_app.storage.rounds import RoundStore
from tests.storage.test_db import make_old_database


def test_m007_keeps_old_sessions_and_adds_the_round_and_schedule_tables(tmp_path):
    path = tmp_path / "rehearse.db"
    make_old_database(path, stop_before="m003_transcript_search")
    old = Database(path)
    MIGRATIONS.apply(old, stop_before="m007_rounds_and_schedule")
    old.close()
    db, _ = open_database(path)
    try:
        row = db["sessions"].get(1)
        assert row["kind"] == "practice" and row["status"] is None and row["plan_json"] is None
        assert {"schedule_cards", "schedule_reviews"} <= set(db.table_names())
        assert RoundStore(db).unfinished() == []  # a practice session is not a round
    finally:
        db.close()


def test_a_review_outlives_its_attempt(tmp_path):
    with Repository.open(tmp_path / "rehearse.db") as repo:
        a = repo.add_attempt(Attempt(None, "q1", "2026-12-01T09:00:00+00:00", status="scored"))
        cards = CardStore(repo.db)
        cards.save_review(CardRow("q1", "{}", "2026-12-02T09:00:00+00:00",
                                  "2026-12-01T09:00:00+00:00", "good", 1),
                          attempt_id=a, grade="good", auto_grade="good", source="auto",
                          card_before_json=None)
        repo.delete_attempt(a, tmp_path)
        rev = cards.latest_review("q1")
        assert rev is not None and rev.attempt_id is None and cards.card("q1").reviews == 1


def test_rounds_are_created_saved_and_finished(tmp_path):
    with Repository.open(tmp_path / "rehearse.db") as repo:
        store = RoundStore(repo.db, repo.path)
        rid = store.create({"items": []})
        store.save_state(rid, {"version": 1, "step": 2})
        (row,) = store.unfinished()
        assert row.id == rid and row.state == {"version": 1, "step": 2} and row.status == "running"
        store.finish(rid, {"overall": 70.0}, "completed")
        assert store.unfinished() == []
        done = store.get(rid)
        assert done.report == {"overall": 70.0} and done.finished and done.status == "completed"
        assert [r.id for r in store.finished()] == [rid]
        repo.db.execute("UPDATE sessions SET state_json = 'not json' WHERE id = ?", [rid])
        assert store.get(rid).state is None  # a damaged state reads as none, never raises
