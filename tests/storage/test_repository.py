"""Repository on a real SQLite file: attempts round trip, follow-ups, search, deletion."""

from __future__ import annotations

import json
import sqlite3
import threading

import pytest

from desktop_app.domain import Attempt, Question
from desktop_app.storage.repository import Repository, fts_query

SCORES = {
    "overall": 71.5,
    "star": 80.0,
    "specificity": 55.0,
    "jargon": 90.0,
    "delivery": 64.0,
    "reasoning": 40.0,
}


@pytest.fixture
def repo(tmp_path):
    r = Repository.open(tmp_path / "rehearse.db")
    yield r
    r.close()


def attempt(started: str, text: str = "", **kw) -> Attempt:
    return Attempt(
        id=None,
        question_id=kw.pop("question_id", "conflict-1"),
        started_at=started,
        transcript_text=text,
        **kw,
    )


def test_add_get_round_trip_keeps_every_field(repo):
    session = repo.start_session()
    words = json.dumps([{"text": "We", "start": 0.0, "end": 0.21, "probability": 0.93}])
    a = Attempt(
        id=None,
        question_id="conflict-1",
        started_at="2024-05-01T10:01:00+00:00",
        ended_at="2024-05-01T10:02:02+00:00",
        duration_s=62.5,
        audio_path="recordings/2024-05-01/a.wav",
        model="tiny.en",
        transcript_text="We shipped on time.",
        words_json=words,
        analysis_json=json.dumps({"scores": SCORES}),
        status="scored",
        error=None,
        session_id=session,
        prompt_text=None,
        scores=dict(SCORES),
    )
    new_id = repo.add_attempt(a)
    got = repo.get_attempt(new_id)
    a.id = new_id
    assert got == a
    assert repo.notice is None
    assert repo.get_attempt(new_id + 100) is None


def test_update_changes_fields_and_replaces_scores(repo):
    aid = repo.add_attempt(
        attempt(
            "2024-05-01T10:00:00+00:00", status="recorded", scores={"overall": 10.0, "star": 20.0}
        )
    )
    assert repo.update_attempt(
        aid,
        status="scored",
        transcript_text="new words",
        analysis_json={"tips": ["Say the number."]},
        words_json=[{"text": "new", "start": 0, "end": 1}],
        scores={"overall": 55.0, "delivery": 61.0, "extra": 1.0},
    )
    got = repo.get_attempt(aid)
    assert got.status == "scored" and got.transcript_text == "new words"
    assert json.loads(got.analysis_json) == {"tips": ["Say the number."]}
    assert json.loads(got.words_json)[0]["text"] == "new"
    assert got.scores == {"overall": 55.0, "delivery": 61.0}  # replaced; unknown keys dropped
    assert repo.update_attempt(aid + 99, status="failed") is False
    with pytest.raises(ValueError, match="Unknown attempt field.*colour"):
        repo.update_attempt(aid, colour="red")
    with pytest.raises(ValueError, match="Unknown attempt field.*id"):
        repo.update_attempt(aid, id=5)


def test_list_is_newest_first_with_question_filter_and_limit(repo):
    ids = [
        repo.add_attempt(attempt("2024-05-01T10:00:00+00:00", question_id="a")),
        repo.add_attempt(attempt("2024-05-03T10:00:00+00:00", question_id="b")),
        repo.add_attempt(attempt("2024-05-02T10:00:00+00:00", question_id="a")),
        repo.add_attempt(attempt("2024-05-03T10:00:00+00:00", question_id="a")),  # tie: id desc
    ]
    assert [a.id for a in repo.list_attempts()] == [ids[3], ids[1], ids[2], ids[0]]
    assert [a.id for a in repo.list_attempts(question_id="a")] == [ids[3], ids[2], ids[0]]
    assert [a.id for a in repo.list_attempts(limit=2)] == [ids[3], ids[1]]
    assert len(repo.list_attempts(limit=None)) == 4


def test_follow_up_link_and_deleting_the_parent_keeps_the_follow_up(repo, tmp_path):
    parent = repo.add_attempt(attempt("2024-05-01T10:00:00+00:00", "first answer"))
    f1 = repo.add_attempt(
        attempt(
            "2024-05-01T10:03:00+00:00",
            "more",
            parent_attempt_id=parent,
            prompt_text="What was your own part in that?",
        )
    )
    f2 = repo.add_attempt(
        attempt("2024-05-01T10:05:00+00:00", "even more", parent_attempt_id=parent)
    )
    follow = repo.follow_ups_of(parent)
    assert [a.id for a in follow] == [f1, f2]  # oldest first
    assert follow[0].prompt_text == "What was your own part in that?"
    assert repo.delete_attempt(parent, tmp_path) is True
    assert repo.get_attempt(parent) is None
    kept = repo.get_attempt(f1)
    assert kept is not None and kept.parent_attempt_id is None
    assert kept.prompt_text == "What was your own part in that?"
    with pytest.raises(ValueError, match="Cannot save attempt"):  # foreign keys are enforced
        repo.add_attempt(attempt("2024-05-01T11:00:00+00:00", parent_attempt_id=9999))


def test_delete_removes_the_audio_file_and_tolerates_a_missing_one(repo, tmp_path):
    wav = tmp_path / "recordings" / "a.wav"
    wav.parent.mkdir()
    wav.write_bytes(b"RIFF....WAVE")
    aid = repo.add_attempt(attempt("2024-05-01T10:00:00+00:00", audio_path="recordings/a.wav"))
    gone = repo.add_attempt(attempt("2024-05-01T10:01:00+00:00", audio_path="recordings/x.wav"))
    assert repo.delete_attempt(aid, tmp_path) is True
    assert not wav.exists()
    assert repo.delete_attempt(gone, tmp_path) is True  # file already missing: fine
    assert repo.delete_attempt(gone, tmp_path) is False
    assert repo.list_attempts() == []


def test_delete_never_touches_files_outside_the_data_folder(repo, tmp_path):
    root = tmp_path / "data"
    root.mkdir()
    outside = tmp_path / "precious.wav"
    outside.write_bytes(b"keep me")
    aid = repo.add_attempt(attempt("2024-05-01T10:00:00+00:00", audio_path="../precious.wav"))
    assert repo.delete_attempt(aid, root) is True
    assert outside.read_bytes() == b"keep me"


def test_search_finds_words_and_prefixes_and_follows_updates(repo, tmp_path):
    a = repo.add_attempt(
        attempt(
            "2024-05-01T10:00:00+00:00",
            "We missed the deadline because the vendor changed the API.",
        )
    )
    b = repo.add_attempt(
        attempt(
            "2024-05-02T10:00:00+00:00", "I mentored a junior engineer through her first incident."
        )
    )
    c = repo.add_attempt(
        attempt("2024-05-03T10:00:00+00:00", "Deadlines slipped twice.", question_id="other")
    )
    assert [x.id for x in repo.list_attempts(search="deadline")] == [c, a]  # stemmed
    assert [x.id for x in repo.list_attempts(search="vend")] == [a]  # prefix
    assert [x.id for x in repo.list_attempts(search="junior engineer")] == [b]
    assert [x.id for x in repo.list_attempts(search="deadline", question_id="other")] == [c]
    assert repo.list_attempts(search="kubernetes") == []
    repo.update_attempt(b, transcript_text="Now it talks about kubernetes.")
    assert [x.id for x in repo.list_attempts(search="kubernetes")] == [b]
    assert repo.list_attempts(search="mentored") == []
    repo.delete_attempt(a, tmp_path)
    assert [x.id for x in repo.list_attempts(search="vendor")] == []


@pytest.mark.parametrize(
    ("nasty", "hits"),
    [
        ('"deadline', 1),
        ('deadline"', 1),
        ("(deadline", 1),
        ("deadline*", 1),
        ("{deadline}", 1),
        ('"the deadline" "vendor', 1),
        ("deadline - ^ +", 1),
        # Operators are plain words; all words must occur, so these match nothing (never raise).
        ("deadline OR", 0),
        ("NOT deadline", 0),
        ("transcript_text:deadline", 0),
        ("NEAR(deadline vendor)", 0),
        ("'; DROP TABLE attempts; --", 0),
    ],
)
def test_search_tolerates_quotes_and_operators(repo, nasty, hits):
    a = repo.add_attempt(attempt("2024-05-01T10:00:00+00:00", "The deadline and the vendor."))
    found = repo.list_attempts(search=nasty)
    assert [x.id for x in found] == [a] * hits
    assert repo.get_attempt(a) is not None


def test_search_without_words_lists_everything(repo):
    repo.add_attempt(attempt("2024-05-01T10:00:00+00:00", "anything"))
    assert fts_query('"" * ( ) :') is None
    assert len(repo.list_attempts(search='"" * ( )')) == 1
    assert len(repo.list_attempts(search="   ")) == 1


def test_sync_questions_upserts(repo):
    q = Question(
        id="conflict-1",
        text="Tell me about a conflict.",
        competency="conflict",
        kind="behavioural",
        seniority=("mid", "senior"),
        follow_ups=("What would you do differently?",),
        strong_answer="Owns it.",
        audience="interviewer",
        pack="core",
    )
    assert repo.sync_questions([q]) == 1
    q2 = Question(
        id="conflict-1",
        text="Describe a conflict at work.",
        competency="conflict",
        kind="behavioural",
        pack="core",
    )
    assert repo.sync_questions([q2, Question("x-1", "Why?", "reasoning", "communication")]) == 2
    assert repo.question_text("conflict-1") == "Describe a conflict at work."
    row = repo.db["questions"].get("conflict-1")
    assert row["pack"] == "core" and row["kind"] == "behavioural"
    assert json.loads(row["data_json"])["audience"] == "interviewer"
    assert repo.db["questions"].count == 2
    assert repo.question_text("missing") is None


def test_sessions_and_status_queries(repo):
    s1, s2 = repo.start_session(), repo.start_session("mock-interview")
    assert s2 > s1
    assert repo.db["sessions"].get(s2)["kind"] == "mock-interview"
    repo.end_session(s1)
    assert repo.db["sessions"].get(s1)["ended_at"] is not None
    r1 = repo.add_attempt(attempt("2024-05-01T10:00:00+00:00", status="recovered", session_id=s1))
    repo.add_attempt(attempt("2024-05-02T10:00:00+00:00", status="scored", session_id=s1))
    r3 = repo.add_attempt(attempt("2024-05-03T10:00:00+00:00", status="recording"))
    assert [a.id for a in repo.attempts_with_status("recording", "recovered")] == [r3, r1]
    assert repo.attempts_with_status() == []
    with pytest.raises(ValueError, match="Cannot save attempt"):
        repo.add_attempt(attempt("2024-05-01T10:00:00+00:00", session_id=12345))


def test_data_survives_reopen(tmp_path):
    path = tmp_path / "rehearse.db"
    with Repository.open(path) as r:
        aid = r.add_attempt(attempt("2024-05-01T10:00:00+00:00", "kept", scores=dict(SCORES)))
    with Repository.open(path) as r:
        assert r.get_attempt(aid).scores == SCORES
        assert r.notice is None


def test_corrupt_file_gives_a_notice_through_the_repository(tmp_path):
    path = tmp_path / "rehearse.db"
    path.write_bytes(b"\x00garbage" * 1000)
    with Repository.open(path) as r:
        assert r.notice and "rehearse.db.corrupt-" in r.notice
        assert r.list_attempts() == []


def test_a_repository_belongs_to_its_thread(repo):
    errors: list[BaseException] = []

    def use() -> None:
        try:
            repo.list_attempts()
        except BaseException as exc:  # noqa: BLE001 - recorded for the assertion
            errors.append(exc)

    t = threading.Thread(target=use)
    t.start()
    t.join()
    assert len(errors) == 1 and isinstance(errors[0], sqlite3.ProgrammingError)


def test_a_reader_sees_the_history_and_cannot_write(tmp_path):
    """Repository.reader: the background readers' connection (no quick check of the file)."""
    from desktop_app.storage.errors import StorageError

    path = tmp_path / "rehearse.db"
    with Repository.open(path) as repo:
        aid = repo.add_attempt(Attempt(id=None, question_id="q",
                                       started_at="2026-11-01T10:00:00+00:00"))
        with Repository.reader(path) as reader:
            assert reader.history_count() == 1 and reader.get_attempt(aid) is not None
            with pytest.raises((StorageError, sqlite3.OperationalError)):
                reader.update_attempt(aid, note="not from here")
        assert repo.get_attempt(aid).note is None
