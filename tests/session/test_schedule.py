"""Spaced repetition: grades from scores, intervals that grow with good answers, the
interview-date cap, the one-click override and catching up on answers given before."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from desktop_app.domain import Attempt
from desktop_app.session.schedule import GradeRules, Schedule, grade_for
from desktop_app.storage.cards import CardStore
from desktop_app.storage.repository import Repository

RULES = GradeRules.load()
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


def scores(overall, **dims):
    base = {"star": 80.0, "specificity": 80.0, "jargon": 90.0, "delivery": 80.0,
            "reasoning": None}
    return {"overall": overall, **base, **dims}


@pytest.mark.parametrize(("s", "kw", "grade"), [
    (scores(30.0), {}, "again"),
    (scores(75.0), {"star_present": {"S": True, "T": True, "A": True, "R": False}}, "again"),
    (scores(90.0), {"aborted": True}, "again"),
    ({"overall": None}, {}, "again"),
    (scores(60.0), {}, "hard"),
    (scores(78.0, delivery=35.0), {}, "hard"),
    (scores(78.0), {}, "good"),
    (scores(90.0), {"duration_s": 100.0}, "easy"),
    (scores(90.0, specificity=65.0), {}, "good"),  # not every dimension at 70
    (scores(90.0), {"duration_s": 260.0}, "good"),  # over time
])
def test_grades_from_scores(s, kw, grade):
    assert grade_for(s, RULES, **kw) == grade


@pytest.fixture
def repo(tmp_path):
    r = Repository.open(tmp_path / "rehearse.db")
    yield r
    r.close()


class Now:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> datetime:
        return self.t


def make(repo, now, **kw) -> Schedule:
    return Schedule(CardStore(repo.db, repo.path), RULES, clock=now, fuzz=False, **kw)


def test_intervals_grow_with_good_answers_and_shrink_after_a_weak_one(repo):
    now = Now()
    sched = make(repo, now)
    gaps = []
    for _ in range(4):
        item = sched.review("q1", "good")
        gaps.append(item.due_at - now.t)
        now.t = item.due_at
    assert all(b > a for a, b in zip(gaps, gaps[1:], strict=False)), gaps
    assert gaps[0] >= timedelta(days=1)  # no learning steps of minutes
    lapse = sched.review("q1", "again")
    assert lapse.due_at - now.t <= timedelta(days=1) < gaps[-1]
    easy, hard = make(repo, now).review("q2", "easy"), make(repo, now).review("q3", "hard")
    assert easy.due_at > hard.due_at
    assert [d.question_id for d in sched.due(now.t + timedelta(days=1, minutes=1))] == ["q1", "q3"]


def test_an_interview_date_brings_everything_back_before_it(repo):
    now = Now()
    interview = (T0 + timedelta(days=10)).date()
    free, capped = make(repo, now), make(repo, now, interview_date=interview)
    for _ in range(3):  # strong answers: intervals beyond the interview
        item = free.review("q1", "easy", at=now.t)
        now.t += timedelta(days=1)
    assert item.due_at.date() > interview
    due = capped.items()[0].due_at
    assert due.date() < interview and due.date() == interview - timedelta(days=1)
    # reviewed inside the last day: nothing left to bring forward
    now.t = datetime.combine(interview, datetime.min.time(), tzinfo=timezone.utc) - timedelta(
        hours=6)
    after = capped.review("q1", "good")
    assert after.due_at.date() > interview


def test_one_click_override_regrades_the_latest_answer(repo):
    now = Now()
    sched = make(repo, now)
    a = repo.add_attempt(Attempt(None, "q1", T0.isoformat(), status="scored"))
    auto = sched.review_attempt(a, "q1", {"scores": scores(40.0), "weights": {}, "star": {}})
    assert auto.last_grade == "again"
    user = sched.regrade(a, "easy")
    assert user.last_grade == "easy" and user.due_at > auto.due_at and user.reviews == 1
    rev = CardStore(repo.db).review_of(a)
    assert (rev.grade, rev.auto_grade, rev.source) == ("easy", "again", "user")
    back = sched.regrade(a, "again")
    assert back.due_at == auto.due_at
    now.t += timedelta(days=3)
    b = repo.add_attempt(Attempt(None, "q1", now.t.isoformat(), status="scored"))
    sched.review_attempt(b, "q1", {"scores": scores(80.0), "weights": {}, "star": {}})
    with pytest.raises(ValueError, match="latest"):
        sched.regrade(a, "good")
    with pytest.raises(ValueError, match="unknown grade"):
        sched.regrade(b, "perfect")


def test_sync_schedules_every_question_answered_before(repo):
    now = Now()
    analysis = {"scores": scores(88.0), "weights": {"star": 0.4}, "star": {"present": {
        "S": True, "T": True, "A": True, "R": True}}}
    ids = []
    for n, (qid, overall) in enumerate([("q1", 30.0), ("q2", 88.0), ("q1", 75.0)]):
        a = dict(analysis, scores=scores(overall))
        ids.append(repo.add_attempt(Attempt(
            None, qid, (T0 - timedelta(days=20 - n)).isoformat(), status="scored",
            duration_s=90.0, analysis_json=json.dumps(a), scores={"overall": overall})))
    follow = repo.add_attempt(Attempt(None, "q1", T0.isoformat(), status="scored",
                                      parent_attempt_id=ids[0], prompt_text="Why?"))
    sched = make(repo, now)
    assert sched.sync() == 3 and sched.sync() == 0
    cards = {d.question_id: d for d in sched.items()}
    assert cards["q1"].reviews == 2 and cards["q2"].reviews == 1
    assert CardStore(repo.db).review_of(follow) is None  # a follow-up is part of its question
    st = sched.stats()
    assert st["q1"].attempts == 2 and st["q1"].last_overall == 75.0
    assert st["q2"].due_in_days is not None


def test_a_missing_result_fails_a_behavioural_answer_but_not_a_reasoning_one():
    from desktop_app.session.schedule import grade_from_analysis

    no_result = {"S": True, "T": True, "A": True, "R": False}
    story = {"scores": scores(78.0), "star": {"present": no_result},
             "reasoning": {"weighted": False}}
    design = {**story, "reasoning": {"weighted": True}}
    assert grade_from_analysis(story, RULES) == "again"
    assert grade_from_analysis(design, RULES) == "good"
    assert grade_from_analysis(None, RULES) == "again"
