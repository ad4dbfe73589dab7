"""Mock interview rounds through the report machinery: ``write_report`` (what `rehearse report`
and File → Export… call) puts one PDF section per round of the period — questions, scores, time
used against the target, the follow-up and its answer, the overall, strongest and weakest, three
things to work on — and the rounds in the JSON report; one round exports on its own. Real
SQLite file, real Analyzer, the PDF read back with pdftotext."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

import pytest

from desktop_app.app import build_services
from desktop_app.paths import AppPaths
from desktop_app.reports.pdf_rounds import TITLES, write_round_pdf
from desktop_app.reports.writer import ReportRequest, write_report
from desktop_app.session.round_export import round_by_id, rounds_in
from desktop_app.storage.progress import ProgressFilter
from desktop_app.textfmt import fmt_score
from tests.reports.test_reports import need, pdf_text
from tests.session.round_factory import finished_round


@pytest.fixture(scope="module")
def rounds_db(tmp_path_factory):
    paths = AppPaths(tmp_path_factory.mktemp("rounds") / "data").ensure()
    svc = build_services(paths, with_audio=False)
    made = [finished_round(svc.repo, svc.bank, seed=s) for s in (7, 11)]
    yield svc, made
    svc.repo.close()


def _flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def test_the_pdf_report_has_a_section_per_round_of_the_period(rounds_db, tmp_path):
    need("pdftotext")
    svc, made = rounds_db
    today = date.today()
    out = tmp_path / "report.pdf"
    write_report(svc.attempts, svc.bank, ReportRequest(ProgressFilter(since=today - timedelta(1)),
                                                   "pdf", out))
    text = pdf_text(out)
    flat = _flat(text)
    assert text.count("Mock interview round —") == 2
    assert text.count("Three things to work on") >= 2  # the progress summary has "Top three"
    for _round_id, report in made:
        for tip in report.work_on:
            assert _flat(tip)[:40] in flat
        for item in report.items:
            assert _flat(item.question)[:35] in flat  # the table and the question's heading
            assert _flat(item.follow_up)[:30] in flat
            assert item.follow_up_source == "answer"
        assert f"{TITLES[report.strongest]} ({fmt_score(report.dimensions[report.strongest])})" \
            in flat
        assert f"{TITLES[report.weakest]} ({fmt_score(report.dimensions[report.weakest])})" \
            in flat
    assert "0:30 of 2:00 target, within the target" in flat  # time used against the target
    assert "0:30 of 1:00 target" in flat  # the follow-up's
    assert "chosen from what the answer lacked" in text
    assert "Follow-up answer:" in flat and "within the target" in text

    later = tmp_path / "later.pdf"
    write_report(svc.attempts, svc.bank, ReportRequest(ProgressFilter(since=today + timedelta(1)),
                                                   "pdf", later))
    assert "Mock interview round" not in pdf_text(later)  # not in that period


def test_the_json_report_carries_the_rounds(rounds_db, tmp_path):
    svc, made = rounds_db
    out = tmp_path / "report.json"
    write_report(svc.attempts, svc.bank, ReportRequest(ProgressFilter(), "json", out))
    data = json.loads(out.read_text())
    assert [r["round_id"] for r in data["rounds"]] == [rid for rid, _ in made]
    first = data["rounds"][0]
    report = made[0][1]
    assert first["overall"] == report.overall and first["work_on"] == report.work_on
    assert [i["follow_up"] for i in first["items"]] == [i.follow_up for i in report.items]
    assert first["items"][0]["answer"]["target_s"] == 120
    assert first["started_at"] <= first["ended_at"]


def test_rounds_follow_the_reports_competencies(rounds_db):
    svc, made = rounds_db
    asked = {i.competency for i in made[0][1].items}
    never = sorted(set(svc.bank.competencies()) - asked - {
        i.competency for i in made[1][1].items})
    assert len(rounds_in(svc.repo, competencies=tuple(asked))) >= 1
    if never:
        assert rounds_in(svc.repo, competencies=(never[0],)) == []


def test_one_round_exports_as_a_pdf_of_its_own(rounds_db, tmp_path):
    need("pdftotext")
    svc, made = rounds_db
    round_id, report = made[1]
    out = write_round_pdf(round_by_id(svc.repo, round_id), tmp_path / "round.pdf")
    assert out.stat().st_mode & 0o777 == 0o600
    text = pdf_text(out)
    assert text.count("Mock interview round —") == 1
    assert _flat(report.items[0].question)[:35] in _flat(text)
    assert "Rehearse progress report" not in text
