"""`rehearse interview plan|roles|date` and `rehearse due`, run as real processes on a real
data folder."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from desktop_app.domain import Attempt
from desktop_app.storage.repository import Repository
from tests.test_cli import rehearse


def test_plan_prints_a_seeded_plan_and_json(tmp_path):
    out = rehearse(tmp_path, "interview", "plan", "--role", "software-engineer", "--seniority",
                   "senior", "--values", "customer-first", "--minutes", "30", "--seed", "4")
    assert "Software engineer · Senior · values: Customer first" in out.stdout
    assert "--seed 4" in out.stderr
    data = json.loads(rehearse(tmp_path, "interview", "plan", "--role", "software-engineer",
                               "--seniority", "senior", "--values", "customer-first",
                               "--minutes", "30", "--seed", "4", "--json").stdout)
    texts = [q["text"] for q in data["questions"]]
    assert all(t in out.stdout for t in texts)  # the same plan for the same seed
    assert len({q["competency"] for q in data["questions"]}) == len(texts) >= 3
    assert any(q["value"] for q in data["questions"]) and data["seed"] == 4


def test_plan_refuses_bad_requests_with_a_clear_message(tmp_path):
    bad = rehearse(tmp_path, "interview", "plan", "--role", "astronaut", check=False)
    assert bad.returncode == 1 and "unknown role 'astronaut'; choose one of general" in bad.stderr
    both = rehearse(tmp_path, "interview", "plan", "--questions", "3", "--minutes", "15",
                    check=False)
    assert both.returncode == 2 and "not allowed with" in both.stderr
    many = rehearse(tmp_path, "interview", "plan", "--questions", "12", check=False)
    assert "3 to 8 questions, not 12" in many.stderr


def test_plan_leans_on_history_and_due_lists_it(tmp_path):
    with Repository.open(tmp_path / "rehearse.db") as repo:
        long_ago = (datetime.now(timezone.utc) - timedelta(days=30)).isoformat()
        for qid, overall in (("conflict-teammate-disagreement", 35.0),
                             ("ownership-beyond-your-role", 90.0)):
            repo.add_attempt(Attempt(None, qid, long_ago, status="scored",
                                     scores={"overall": overall}, analysis_json=json.dumps(
                                         {"scores": {"overall": overall}})))
        repo.sync_questions([])
    due = json.loads(rehearse(tmp_path, "due", "--json").stdout)
    assert {r["question_id"] for r in due["due"]} >= {"conflict-teammate-disagreement"}
    assert due["due"][0]["last_grade"] == "again"
    text = rehearse(tmp_path, "due")
    assert "due now" in text.stdout
    plan = json.loads(rehearse(tmp_path, "interview", "plan", "--questions", "3", "--seed", "1",
                               "--due-and-weak", "--json").stdout)
    first = {q["id"]: q["reason"] for q in plan["questions"]}
    assert first.get("conflict-teammate-disagreement") == "due"


def test_interview_date_is_kept_and_caps_the_schedule(tmp_path):
    day = (datetime.now(timezone.utc) + timedelta(days=5)).date().isoformat()
    assert day in rehearse(tmp_path, "interview", "date", day).stdout
    assert json.loads(rehearse(tmp_path, "due", "--json").stdout)["interview_date"] == day
    bad = rehearse(tmp_path, "interview", "date", "next friday", check=False)
    assert bad.returncode == 2 and "YYYY-MM-DD" in bad.stderr
    assert "No interview date" in rehearse(tmp_path, "interview", "date", "--clear").stdout


def test_roles_lists_what_the_bank_supports(tmp_path):
    data = json.loads(rehearse(tmp_path, "interview", "roles", "--json").stdout)
    assert "general" in {r["key"] for r in data["roles"]}
    assert {p["key"] for p in data["values"]} >= {"customer-first", "ownership-and-delivery"}
