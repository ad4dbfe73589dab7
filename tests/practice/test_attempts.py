"""The attempt service on a real SQLite file and data folder (no Qt): named transitions, typed
read-back, listings, and the rule that nothing else writes an attempt's status."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from desktop_app.analysis import Analyzer
from desktop_app.domain import AnswerInput, Attempt, AttemptStatus, Transcript
from desktop_app.paths import AppPaths
from desktop_app.practice.attempts import AttemptService, attempt_json, read_transcript
from desktop_app.storage.repository import Repository
from tests.analysis.samples import STRONG, timed_transcript

ROOT = Path(__file__).resolve().parents[2] / "desktop_app"


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture
def service(tmp_path):
    paths = AppPaths(tmp_path / "data").ensure()
    repo = Repository.open(paths.database)
    clock = iter(f"2026-01-01T10:{m:02d}:00+00:00" for m in range(60))
    yield AttemptService(repo, paths, clock=lambda: next(clock))
    repo.close()


def wav(service, name="a.wav") -> Path:
    path = service.folder.recordings / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"RIFF")
    return path


def test_a_spoken_answer_goes_through_named_transitions_and_reads_back_typed(service, analyzer):
    session = service.start_session("practice")
    audio = wav(service)
    aid = service.begin("conflict-1", audio, session_id=session)
    assert service.get(aid).status == AttemptStatus.RECORDING
    assert service.recorded(aid, audio, 41.5) == aid
    row = service.get(aid)
    assert row.status == AttemptStatus.RECORDED and row.duration_s == 41.5
    assert row.audio_path == "recordings/a.wav" and row.ended_at == "2026-01-01T10:01:00+00:00"
    transcript = timed_transcript(STRONG)
    service.transcribed(aid, transcript, model="tiny.en")
    assert service.get(aid).status == AttemptStatus.TRANSCRIBED
    analysis = analyzer.analyze(transcript)
    service.scored(aid, analysis)

    stored = service.load(aid)
    assert stored.attempt.status == AttemptStatus.SCORED and stored.attempt.model == "tiny.en"
    assert stored.transcript.words == transcript.words  # times and probabilities kept
    assert stored.analysis.to_dict() == analysis.to_dict()  # typed, lossless
    assert stored.attempt.scores == {k: v for k, v in analysis.to_dict()["scores"].items()
                                     if v is not None}  # the numbers the analysis shows
    assert not stored.typed and stored.attempt.session_id == session
    assert service.audio_file(aid) == audio


def test_a_kept_re_transcription_replaces_transcript_and_scores_in_one_write(service, analyzer):
    """rescored() passed 'status' twice to the repository (TypeError): Keep the new one did
    nothing in the window."""
    audio = wav(service)
    aid = service.begin("conflict-1", audio)
    service.recorded(aid, audio, 30.0)
    first = timed_transcript("I fixed it. It worked.")
    service.transcribed(aid, first, model="tiny.en")
    service.scored(aid, analyzer.analyze(first))
    again = timed_transcript(STRONG)
    analysis = analyzer.analyze(again)
    service.rescored(aid, again, analysis, model="base")
    stored = service.load(aid)
    assert stored.attempt.status == AttemptStatus.SCORED and stored.attempt.error is None
    assert stored.transcript.text == again.text and stored.attempt.model == "base"
    assert stored.analysis.to_dict() == analysis.to_dict()
    (earlier,) = service.versions.of(aid)  # the replaced one is kept, never lost
    assert earlier.transcript_text == first.text and earlier.source == "transcribed"


def test_a_typed_answer_is_stored_as_typed_and_scored_without_delivery(service, analyzer):
    aid = service.typed("conflict-1", "  " + STRONG + "\n")
    stored = service.load(aid)
    assert stored.typed and stored.attempt.input == AnswerInput.TYPED
    assert stored.attempt.status == AttemptStatus.RECORDED and stored.attempt.audio_path is None
    assert stored.transcript.text == STRONG and stored.transcript.words == []
    service.scored(aid, analyzer.analyze(stored.transcript))
    stored = service.load(aid)
    assert stored.analysis.scores["delivery"] is None and stored.attempt.scores.get("delivery") \
        is None
    assert service.audio_file(aid) is None
    row = service.row(aid)
    assert row.input == "typed" and row.scores["overall"] == stored.attempt.scores["overall"]


def test_a_recording_whose_row_could_not_be_written_is_added_when_saved(service):
    audio = wav(service)
    aid = service.recorded(None, audio, 3.0, error="The microphone stopped sending audio.",
                           question_id="q", parent_attempt_id=None, prompt_text="Why?")
    row = service.get(aid)
    assert row.status == AttemptStatus.RECORDED and row.prompt_text == "Why?"
    assert "microphone" in row.error


def test_failed_keeps_the_recording_and_delete_removes_it(service):
    audio = wav(service)
    aid = service.recorded(service.begin("q", audio), audio, 2.0)
    service.waiting(aid, "No Whisper model installed.")
    assert service.get(aid).status == AttemptStatus.RECORDED  # kept as it was
    service.failed(aid, "Scoring failed: boom")
    row = service.get(aid)
    assert row.status == AttemptStatus.FAILED and row.error == "Scoring failed: boom"
    assert audio.exists()
    assert service.delete(aid) and not audio.exists() and service.load(aid) is None


def test_recovered_and_interrupted(service):
    audio = wav(service)
    aid = service.begin("q", audio)
    service.interrupted(aid, audio, 5.0)
    assert service.get(aid).status == AttemptStatus.RECORDED
    other = service.recovered(None, wav(service, "b.wav"), 7.0, question_id="q2")
    assert service.get(other).status == AttemptStatus.RECOVERED
    assert service.recovered(aid, audio, 6.0) == aid and service.get(aid).duration_s == 6.0


def test_damaged_stored_json_reads_back_as_plain_text_and_no_analysis(service):
    attempt = Attempt(None, "q", "2024", transcript_text="We shipped on time.",
                      words_json='{"text": "We shipped on time.", "segments": [{"text": "We", '
                                 '"start": 0.0, "end": NaN, "words": []}]}',
                      analysis_json='{"version": 2, "text": "cut off')
    shown = read_transcript(attempt)
    assert shown.text == "We shipped on time." and shown.segments == []
    aid = service.repo.add_attempt(attempt)
    stored = service.load(aid)
    assert stored.analysis is None and stored.transcript.text == "We shipped on time."


def test_listing_reads_every_row_a_page_at_a_time_newest_first(service):
    rows = [Attempt(None, f"q{i % 7}", f"2025-01-01T00:00:{i:05d}", transcript_text=f"answer {i}",
                    status=AttemptStatus.SCORED, scores={"overall": float(i % 100)})
            for i in range(2500)]
    with service.repo.db.conn:
        for a in rows:
            service.repo.add_attempt(a)
    listed = list(service.all_rows(page=1000))
    assert len(listed) == 2500 == service.count()
    assert [r.started_at for r in listed] == sorted((a.started_at for a in rows), reverse=True)
    assert listed[0].scores == {"overall": 99.0} and listed[-1].overall == 0.0


def test_attempt_json_is_what_history_json_prints(service, analyzer):
    aid = service.typed("q", STRONG)
    service.scored(aid, analyzer.analyze(Transcript.from_text(STRONG)))
    data = attempt_json(service.load(aid), "Tell me about a conflict.")
    assert data["input"] == "typed" and data["status"] == "scored"
    assert data["analysis"]["scores"]["overall"] == data["scores"]["overall"]
    assert json.loads(json.dumps(data)) == data  # plain JSON


# ---- the rule: only the attempt service writes an attempt's status --------------------------
_WRITES = {"add_attempt", "update_attempt", "delete_attempt", "start_session", "end_session"}


def _calls(path: Path) -> list[tuple[str, int]]:
    """(method, line) of every call on a Repository (a receiver spelt ``…repo…``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and "repo" in ast.unparse(node.func.value):
            found.append((node.func.attr, node.lineno))
    return found


def _sources(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*.py") if "__pycache__" not in p.parts)


def test_only_the_attempt_service_calls_the_repositorys_attempt_writes():
    allowed = {ROOT / "practice" / "attempts.py", ROOT / "storage" / "repository.py"}
    offenders = [f"{p.relative_to(ROOT)}:{line} {name}()" for p in _sources(ROOT)
                 if p not in allowed for name, line in _calls(p) if name in _WRITES]
    assert not offenders, offenders


def test_ui_never_writes_a_status_nor_decodes_stored_json():
    offenders = []
    for path in _sources(ROOT / "ui"):
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
        for node in ast.walk(tree):
            if isinstance(node, ast.keyword) and node.arg == "status":
                offenders.append(f"{path.name}:{node.value.lineno} status=")
            if isinstance(node, ast.Attribute) and node.attr in ("status",) and isinstance(
                    getattr(node, "ctx", None), ast.Store):
                offenders.append(f"{path.name}:{node.lineno} .status =")
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names = [a.name for a in node.names]
                if "json" in names or getattr(node, "module", None) == "json":
                    offenders.append(f"{path.name}:{node.lineno} imports json")
            if isinstance(node, ast.Attribute) and node.attr in ("words_json", "analysis_json"):
                offenders.append(f"{path.name}:{node.lineno} reads .{node.attr}")
        for name, line in _calls(path):
            if name in _WRITES | {"sync_questions"}:
                offenders.append(f"{path.name}:{line} {name}()")
    assert not offenders, offenders
    assert len(_sources(ROOT / "ui")) > 20  # the scan saw the real views


def test_core_packages_never_import_qt():
    offenders = []
    for path in _sources(ROOT):
        if "ui" in path.relative_to(ROOT).parts[:1]:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module or ""] if isinstance(node, ast.ImportFrom) else []
            if any(n.split(".")[0] in ("PySide6", "shiboken6") for n in names):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not offenders, offenders
    assert (ROOT / "practice" / "flow.py") in _sources(ROOT)
    # and at run time: the headless flow loads neither Qt nor torch
    import subprocess
    import sys
    code = ("import sys, desktop_app.practice.flow, desktop_app.practice.headless, "
            "desktop_app.cli_practice; print(sorted(m for m in ('PySide6', 'torch') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT.parent, check=True).stdout.strip()
    assert out == "[]"
