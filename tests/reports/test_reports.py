"""Reports read back as a user would: the PDF through poppler (its text, its pages as pixels),
the CSV through ``csv`` against the database, the JSON report round trip, the bundle's members
and subtitles; a full disk and a read-only folder say so and leave nothing behind.

The expected figures are computed here straight from the attempts table (stdlib sqlite3 and the
stored analysis JSON), not through the report code.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sqlite3
import statistics
import subprocess
import wave
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from desktop_app.reports.atomic import ExportError
from desktop_app.reports.bundle import write_bundle
from desktop_app.reports.json_export import SCHEMA_VERSION, read_report
from desktop_app.reports.records import load_record
from desktop_app.reports.writer import ReportRequest, write_report
from desktop_app.storage.progress import ProgressFilter
from tests.fixtures_audio import require_real
from tests.fixtures_disk import read_only_mount, tmpfs  # noqa: F401 (fixtures)

SCORES = ("overall", "star", "specificity", "jargon", "delivery")


def need(tool: str) -> None:
    if shutil.which(tool) is None:
        require_real(f"{tool} is not installed (apt install poppler-utils)")


def stored(svc) -> list[dict]:
    """Every attempt as the database holds it (read with the stdlib, not the app)."""
    con = sqlite3.connect(svc.paths.database)
    con.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in con.execute("SELECT * FROM attempts ORDER BY started_at, id")]
    finally:
        con.close()


def local_day(iso: str):
    return datetime.fromisoformat(iso).astimezone().date()


def expected_averages(svc, since, until, competencies) -> tuple[dict[str, float], int]:
    """The scored answers' mean per dimension in the period, and how many attempts it has."""
    values: dict[str, list[float]] = {}
    count = 0
    for row in stored(svc):
        q = svc.bank.get(row["question_id"])
        day = local_day(row["started_at"])
        if not (since <= day <= until) or q.competency not in competencies:
            continue
        count += 1
        if row["prompt_text"] or not row["analysis_json"]:
            continue
        for key, v in json.loads(row["analysis_json"])["scores"].items():
            if v is not None:
                values.setdefault(key, []).append(v)
    return {k: statistics.mean(v) for k, v in values.items()}, count


def pdf_text(path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def pdf_pages(path, tmp_path) -> list[Image.Image]:
    prefix = tmp_path / "page"
    subprocess.run(["pdftoppm", "-r", "60", "-png", str(path), str(prefix)], check=True)
    return [Image.open(p).convert("RGB") for p in sorted(tmp_path.glob("page*.png"))]


def ink(image: Image.Image) -> float:
    """The share of pixels that are not (nearly) white."""
    a = np.asarray(image.convert("L"))
    return float((a < 235).mean())


def test_the_pdf_holds_the_period_the_competencies_and_the_averages(history, tmp_path):
    need("pdftotext")
    need("pdftoppm")
    svc, _ids = history
    days = sorted(local_day(r["started_at"]) for r in stored(svc))
    since, until = days[0] + timedelta(days=7), days[-1] - timedelta(days=3)
    practised = sorted({svc.bank.get(r["question_id"]).competency for r in stored(svc)})
    chosen = tuple(practised[:3])
    expect, count = expected_averages(svc, since, until, chosen)
    assert count >= 5 and expect["overall"] > 0
    out = tmp_path / "report.pdf"
    written = write_report(svc.attempts, svc.bank, ReportRequest(
        ProgressFilter(since=since, until=until, competencies=chosen), "pdf", out))
    assert written.attempts == count
    assert out.stat().st_mode & 0o777 == 0o600

    text = pdf_text(out)
    assert f"Period: {since} – {until}" in text
    for name in chosen:
        assert name in text
    for name in set(practised) - set(chosen):
        assert name not in text, "a competency left out of the report is not in it"
    titles = {"overall": "Overall", "star": "STAR", "specificity": "Specificity",
              "jargon": "Jargon", "delivery": "Delivery"}
    for key in SCORES:  # the Averages table: "STAR   84.6   79.4   89.9   ↑ +10.5"
        line = next(x for x in text.splitlines() if x.split()[:1] == [titles[key]])
        shown = float(line.split()[1])
        # the score columns hold one decimal, the analysis JSON more: means agree to 0.1
        assert shown == pytest.approx(expect[key], abs=0.1), (key, line)
    assert "Top three things to work on" in text and "Coverage by competency" in text

    pages = pdf_pages(out, tmp_path)
    assert len(pages) >= 3  # summary, charts, coverage
    first, charts_page = pages[0], pages[1]
    assert ink(first) > 0.02
    w, h = charts_page.size
    chart_area = charts_page.crop((int(w * 0.1), int(h * 0.12), int(w * 0.9), int(h * 0.85)))
    assert ink(chart_area) > 0.05, "the chart page is not blank"
    colours = np.asarray(chart_area.quantize(64)).ravel()
    assert len(set(colours.tolist())) > 8, "the trend lines are drawn in their colours"


def test_attempt_pages_hold_each_attempts_question_transcript_and_note(history, tmp_path):
    need("pdftotext")
    svc, ids = history
    last = ids[-1]
    svc.repo.update_attempt(last, note="Lead with the number next time.")
    try:
        day = local_day(stored(svc)[-1]["started_at"])
        out = tmp_path / "pages.pdf"
        write_report(svc.attempts, svc.bank, ReportRequest(ProgressFilter(since=day, until=day),
                                                       "pdf", out, attempt_pages=True))
        text = pdf_text(out)
        rec = load_record(svc.attempts, svc.bank, last)
        assert f"Attempt {last}:" in text
        assert "Lead with the number next time." in text
        first_words = " ".join(rec.transcript.text.split()[:4])
        assert first_words in " ".join(text.split())
    finally:
        svc.repo.update_attempt(last, note=None)


def test_the_csv_has_one_row_per_attempt_matching_the_database(history, tmp_path):
    svc, ids = history
    out = tmp_path / "attempts.csv"
    write_report(svc.attempts, svc.bank, ReportRequest(ProgressFilter(), "csv", out))
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    db = {r["id"]: r for r in stored(svc)}
    assert [int(r["id"]) for r in rows] == [r["id"] for r in stored(svc)]
    for row in rows:
        a = db[int(row["id"])]
        analysis = json.loads(a["analysis_json"])
        for key in SCORES:
            assert float(row[f"score_{key}"]) == pytest.approx(a[f"score_{key}"], abs=0.006), key
        assert row["score_reasoning"] == ""  # not judged on behavioural questions: an empty cell
        assert float(row["wpm"]) == pytest.approx(analysis["delivery"]["wpm"], abs=0.006)
        assert int(row["fillers"]) == analysis["delivery"]["fillers"]
        assert int(row["quantities"]) == analysis["specificity"]["quantities"]
        assert int(row["rare_terms"]) == len(analysis["jargon"]["terms"])
        assert row["question_text"] == svc.bank.get(a["question_id"]).text
        assert row["competency"] == svc.bank.get(a["question_id"]).competency


def test_the_json_report_round_trips_every_attempt(history, tmp_path):
    svc, ids = history
    out = tmp_path / "everything.json"
    write_report(svc.attempts, svc.bank, ReportRequest(ProgressFilter(), "json", out))
    data, records = read_report(out)
    assert data["schema_version"] == SCHEMA_VERSION and data["summary"]["attempts"] == len(ids)
    assert [r.id for r in records] == [r["id"] for r in stored(svc)]  # oldest first
    for back in records:
        orig = load_record(svc.attempts, svc.bank, back.id)
        assert back.transcript.to_dict() == orig.transcript.to_dict()
        assert back.analysis.to_dict() == orig.analysis.to_dict()
        for name in ("question_id", "started_at", "ended_at", "duration_s", "status", "scores",
                     "note", "model"):
            assert getattr(back.attempt, name) == getattr(orig.attempt, name), name
        assert back.question_text == orig.question_text
    # the report itself says what it covered
    expect, _n = expected_averages(svc, local_day(stored(svc)[0]["started_at"]),
                                   local_day(stored(svc)[-1]["started_at"]),
                                   {q.competency for q in svc.bank.questions})
    assert data["summary"]["averages"]["overall"] == pytest.approx(expect["overall"], abs=0.1)


def test_a_bundle_holds_the_wav_transcript_subtitles_and_analysis(history, tmp_path):
    svc, ids = history
    rec = load_record(svc.attempts, svc.bank, ids[3])
    wav = tmp_path / "answer.wav"
    with wave.open(str(wav), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes((np.sin(np.arange(16000) / 8) * 3000).astype("<i2").tobytes())
    out = tmp_path / "bundle.zip"
    result = write_bundle(rec, wav, out)
    stem = f"attempt-{rec.id}"
    with zipfile.ZipFile(out) as z:
        names = set(z.namelist())
        assert {f"{stem}.wav", f"{stem}.txt", f"{stem}.srt", f"{stem}.vtt",
                f"{stem}.analysis.json", f"{stem}.json"} == names
        assert z.read(f"{stem}.wav") == wav.read_bytes()
        assert json.loads(z.read(f"{stem}.analysis.json")) == rec.analysis.to_dict()
        srt = z.read(f"{stem}.srt").decode()
        vtt = z.read(f"{stem}.vtt").decode()
    first = rec.transcript.words[0]
    ms = round(first.start * 1000)
    assert f"00:00:{ms // 1000:02d},{ms % 1000:03d} -->" in srt.splitlines()[1]
    assert vtt.startswith("WEBVTT")
    spoken = " ".join(line for line in srt.splitlines() if line and "-->" not in line
                      and not line.isdigit())
    assert spoken.split() == [w.text.strip() for w in rec.transcript.words]
    assert not result.warnings


def test_a_full_disk_says_so_and_keeps_the_older_file(history, tmpfs):  # noqa: F811
    svc, _ids = history
    disk = tmpfs("48k")
    target = disk / "everything.json"
    target.write_bytes(b"the previous report")
    with pytest.raises(ExportError) as err:
        write_report(svc.attempts, svc.bank, ReportRequest(ProgressFilter(), "json", target))
    assert "not enough free space" in str(err.value)
    assert target.read_bytes() == b"the previous report"
    assert [p.name for p in disk.iterdir()] == ["everything.json"], "no temporary file is left"


def test_a_read_only_folder_says_so_before_any_work(history, tmp_path, read_only_mount):  # noqa: F811
    svc, _ids = history
    src = tmp_path / "src"
    src.mkdir()
    ro = read_only_mount(src)
    with pytest.raises(ExportError) as err:
        write_report(svc.attempts, svc.bank, ReportRequest(ProgressFilter(), "pdf", ro / "r.pdf"))
    assert "may not write in" in str(err.value) and "choose another folder" in str(err.value)
    assert list(src.iterdir()) == []


def test_records_are_the_attempt_services_typed_read_back(history, tmp_path):
    """One read path: a record holds the very transcript and analysis AttemptService.load()
    gives; an attempt not yet transcribed reads as an empty transcript, not an error."""
    svc, ids = history
    stored = svc.attempts.load(ids[5])
    rec = load_record(svc.attempts, svc.bank, ids[5])
    assert rec.analysis.to_dict() == stored.analysis.to_dict()
    assert rec.transcript == stored.transcript and rec.question.id == stored.attempt.question_id
    fresh = svc.attempts.begin(svc.bank.questions[0].id, svc.paths.root / "x.wav")
    try:
        rec = load_record(svc.attempts, svc.bank, fresh)
        assert rec.transcript.text == "" and rec.analysis is None
    finally:
        svc.attempts.delete(fresh)
    assert load_record(svc.attempts, svc.bank, 10**9) is None


def test_reports_and_views_never_decode_stored_json_themselves():
    """The analysis and words are decoded in practice/attempts.py only."""
    root = Path(__file__).resolve().parents[2] / "desktop_app"
    files = [*sorted((root / "reports").glob("*.py")),
             *(root / "ui" / f for f in ("review_view.py", "review_playback.py",
                                         "compare_view.py", "progress_view.py"))]
    offenders = []
    for path in files:
        if not path.exists():
            continue
        text = path.read_text(encoding="utf-8")
        for needle in ("loads(attempt.", "loads(a.", "loads(rec.attempt", "Analysis.from_dict",
                       "Transcript.from_dict({\"text\": attempt", "words_json or"):
            if needle in text:
                offenders.append(f"{path.name}: {needle}")
    assert not offenders, offenders
