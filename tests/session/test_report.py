"""The round report from real analyses: per-question scores and time against the target, the
follow-up and its answer, the round's overall, strongest and weakest dimension, and the three
most useful things to work on (recurring shortfalls first, never a strength)."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from desktop_app.analysis.analyzer import Analyzer
from desktop_app.domain import Attempt
from desktop_app.session.report import RoundReport, StoredAttempts, build_report, work_on
from desktop_app.session.round_state import ItemRecord
from desktop_app.storage.repository import Repository

# Stories without a measured result and mostly "we": the same shortfalls in both.
VAGUE_1 = ("Last year our team had a problem with the deploys. We talked about it a lot and we "
           "decided to change the process, and we worked on it together for some weeks. In the "
           "end things were better and people were happier with it.")
VAGUE_2 = ("At my last job we had a conflict about the roadmap. We met with the other team and "
           "we discussed the options, and then we agreed on a plan that we all could accept. It "
           "went fine after that.")
STRONG = ("In March our nightly billing export failed twice a week. I owned that service, so my "
          "task was to make it reliable before the quarter closed. I added retries with backoff, "
          "split the job into four batches and wrote alerts for each stage. As a result, "
          "failures dropped from eight a month to zero, and finance closed two days earlier.")


@pytest.fixture
def repo(tmp_path):
    r = Repository.open(tmp_path / "rehearse.db")
    yield r
    r.close()


def store(repo, analyzer, question, text, duration, **kw):
    a = analyzer.analyze(text, question, follow_up=kw.get("prompt_text"))
    stamp = datetime.now(timezone.utc).isoformat()
    return repo.add_attempt(Attempt(None, question.id, stamp, duration_s=duration,
                                    status="scored", transcript_text=text,
                                    analysis_json=a.to_dict(), scores=a.scores, **kw)), a


def test_a_report_of_three_answers(repo, plan3, config):
    analyzer = Analyzer()
    qs = plan3.questions
    a1, an1 = store(repo, analyzer, qs[0], VAGUE_1, 95.0)
    f1, _ = store(repo, analyzer, qs[0], "It took about two weeks and I wrote the new checklist.",
                  20.0, parent_attempt_id=a1, prompt_text="How did you measure that?")
    a2, an2 = store(repo, analyzer, qs[1], VAGUE_2, 170.0)
    a3, an3 = store(repo, analyzer, qs[2], STRONG, 110.0)
    items = [ItemRecord(0, qs[0].id, "answered", a1, 95.0, "silence",
                        follow_up="How did you measure that?", follow_up_status="answered",
                        follow_up_attempt_id=f1, follow_up_duration_s=20.0),
             ItemRecord(1, qs[1].id, "answered", a2, 170.0, "user"),
             ItemRecord(2, qs[2].id, "answered", a3, 110.0, "hard_stop")]
    report = build_report(plan3, items, StoredAttempts(repo), config, round_id=7)

    assert report.answered == 3 and report.round_id == 7
    first = report.items[0]
    assert first.answer.scores["overall"] == pytest.approx(an1.scores["overall"], abs=0.06)
    assert first.follow_up == "How did you measure that?"
    assert first.follow_up_answer.attempt_id == f1
    assert first.follow_up_answer.target_s == config.follow_up.target_s
    assert report.items[1].answer.over_target_s == pytest.approx(170.0 - config.answer.target_s)
    assert report.items[0].answer.over_target_s == 0.0
    overalls = [an1.scores["overall"], an2.scores["overall"], an3.scores["overall"]]
    assert report.overall == pytest.approx(sum(overalls) / 3, abs=0.06)
    assert report.strongest in report.dimensions and report.weakest in report.dimensions
    assert report.dimensions[report.strongest] >= report.dimensions[report.weakest]
    assert set(report.dimensions) <= {"star", "specificity", "jargon", "delivery", "reasoning"}

    assert len(report.work_on) == 3
    assert not any(t.startswith("Strong") for t in report.work_on)
    shared = set(an1.tip_ids) & set(an2.tip_ids)
    assert shared, (an1.tip_ids, an2.tip_ids)
    assert "(in 2 of 3 answers)" in report.work_on[0]  # the recurring shortfall leads
    assert RoundReport.from_dict(report.to_dict()) == report


def test_work_on_fills_up_with_stretch_goals_and_the_weakest_dimension():
    strong = Analyzer().analyze(STRONG)
    out = work_on([strong], "delivery")
    assert 1 <= len(out) <= 3 and not any(t.startswith("Strong") for t in out)
    assert work_on([], "delivery") == [
        "Your weakest dimension this round was Delivery: practise the questions that "
        "exercise it."]


def test_a_deleted_answer_is_reported_missing_not_dropped(repo, plan3, config):
    items = [ItemRecord(0, plan3.questions[0].id, "answered", 999, 30.0, "user"),
             ItemRecord(1, plan3.questions[1].id, "skipped"),
             ItemRecord(2, plan3.questions[2].id, "not_asked")]
    report = build_report(plan3, items, StoredAttempts(repo), config, status="ended")
    assert report.items[0].answer.status == "missing"
    assert [i.status for i in report.items] == ["answered", "skipped", "not_asked"]
    assert report.overall is None and report.strongest is None
