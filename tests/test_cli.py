"""The `rehearse` command line, run as a real process (python -m desktop_app)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app import __version__
from desktop_app.domain import Attempt
from desktop_app.storage.repository import Repository
from tests.speech_metrics import wer

REPO = Path(__file__).resolve().parents[1]
ANSWERS = REPO / "tests" / "fixtures" / "answers"
REQUIRED_SCORES = {"overall", "star", "specificity", "jargon", "delivery", "reasoning"}

STRONG = (
    "Last March our nightly billing export started failing twice a week. I owned that service, "
    "so my task was to make it reliable before the quarter closed. I added retries with backoff, "
    "split the job into four batches and wrote alerts for each stage. As a result, failures "
    "dropped from eight a month to zero, and finance closed the books two days earlier."
)
VAGUE = "We did a lot of stuff on various things and it was good, I guess, and things got better."


def rehearse(data: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("REHEARSE_HOME", None)
    proc = subprocess.run(
        [sys.executable, "-m", "desktop_app", "--data-dir", str(data), *args],
        capture_output=True, text=True, env=env, cwd=REPO, timeout=600,
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.fixture
def model_home(tmp_path, tiny_model) -> Path:
    """A data folder whose models/ holds the session's real tiny.en (symlinked)."""
    home = tmp_path / "home"
    (home / "models").mkdir(parents=True)
    for src in (tiny_model.path, tiny_model.path.with_suffix(".json")):
        os.symlink(src, home / "models" / src.name)
    return home


def test_version(tmp_path):
    assert rehearse(tmp_path, "--version").stdout.strip() == f"rehearse {__version__}"


def test_data_dir_from_environment(tmp_path):
    env = dict(os.environ, PYTHONPATH=str(REPO), REHEARSE_HOME=str(tmp_path / "elsewhere"))
    subprocess.run([sys.executable, "-m", "desktop_app", "history"], env=env, check=True,
                   capture_output=True, cwd=REPO)
    assert (tmp_path / "elsewhere" / "rehearse.db").exists()


def test_questions_json(tmp_path):
    questions = json.loads(rehearse(tmp_path, "questions", "--json").stdout)
    assert len(questions) >= 80
    assert len({q["competency"] for q in questions}) >= 10
    first = questions[0]
    assert set(first) >= {"id", "text", "competency", "kind", "seniority", "follow_ups",
                          "strong_answer"}


def test_score_text_files_as_json_lines_in_order(tmp_path):
    inputs = []
    for name, text in (("strong", STRONG), ("vague", VAGUE), ("empty", "")):
        path = tmp_path / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        inputs.append(str(path))
    out = rehearse(tmp_path, "score", "--json", "--question", "incident-500s-at-peak", *inputs)
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["input"] for r in rows] == inputs
    for row in rows:
        assert set(row["scores"]) == REQUIRED_SCORES
        # typed text: delivery is not judged (null), never a made-up 100 (issue 13 point 8)
        assert row["scores"]["delivery"] is None and row["delivery"]["note"]
        assert all(0 <= v <= 100 for k, v in row["scores"].items() if k != "delivery")
        assert {"sentences", "present"} <= set(row["star"])
        delivery_keys = {"wpm", "fillers", "fillers_per_min", "hedges", "long_pauses"}
        assert delivery_keys <= set(row["delivery"])
        assert {"quantities", "named", "i_ratio", "hypothetical"} <= set(row["specificity"])
        assert {"terms", "acronyms"} <= set(row["jargon"])
        assert isinstance(row["findings"], list) and isinstance(row["tips"], list)
        assert "follow_up" in row
    strong, vague = rows[0], rows[1]
    assert strong["scores"]["overall"] > vague["scores"]["overall"] + 20
    assert strong["star"]["present"] == {"S": True, "T": True, "A": True, "R": True}
    assert any(f["kind"] == "number" for f in strong["findings"])
    span = strong["findings"][0]
    assert strong["text"][span["char_start"]:span["char_end"]] == span["text"]


def test_score_reports_a_missing_input_and_goes_on(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(STRONG, encoding="utf-8")
    proc = rehearse(tmp_path, "score", "--json", str(tmp_path / "missing.txt"), str(good),
                    check=False)
    assert proc.returncode == 1
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert "error" in rows[0] and rows[1]["scores"]["overall"] > 50
    assert "missing.txt" in proc.stderr


def test_score_unknown_question_is_a_usage_error(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text(STRONG, encoding="utf-8")
    proc = rehearse(tmp_path, "score", "--question", "no-such-question", str(good), check=False)
    assert proc.returncode == 2 and "no-such-question" in proc.stderr


def test_transcribe_without_a_model_says_how_to_get_one(tmp_path, spoken_wav):
    wav = spoken_wav("Hello there.", tmp_path / "hello.wav")
    proc = rehearse(tmp_path, "transcribe", str(wav), check=False)
    assert proc.returncode == 1
    assert "rehearse models download tiny.en" in proc.stderr
    assert "rehearse models import" in proc.stderr


@pytest.mark.whisper
def test_transcribe_and_score_a_spoken_answer(model_home, spoken_wav, tmp_path):
    text = (ANSWERS / "incident.txt").read_text().strip()
    wav = spoken_wav(text, tmp_path / "answer.wav")
    out = json.loads(rehearse(model_home, "transcribe", "--json", str(wav)).stdout)
    assert {"text", "segments", "words"} <= set(out)
    error = wer(text, out["text"])
    print(f"rehearse transcribe WER {error:.1%}")
    assert error <= 0.15  # >= 85 % of words right
    word = out["words"][0]
    assert set(word) == {"text", "start", "end", "probability"}
    assert out["words"] == [w for s in out["segments"] for w in s["words"]]

    txt = tmp_path / "typed.txt"
    txt.write_text(STRONG, encoding="utf-8")
    rows = [json.loads(line) for line in
            rehearse(model_home, "score", "--json", str(wav), str(txt)).stdout.splitlines()]
    audio_row, text_row = rows
    assert audio_row["delivery"]["wpm"] and audio_row["delivery"]["wpm"] > 60  # timed words
    assert text_row["delivery"]["wpm"] is None  # no timing in a typed answer
    assert audio_row["star"]["sentences"][0]["start"] is not None


@pytest.mark.whisper
def test_models_list_shows_the_default(model_home):
    out = rehearse(model_home, "models", "list").stdout
    row = next(line for line in out.splitlines() if "tiny.en" in line)
    assert row.startswith("* tiny.en") and "imported" in row


def test_models_list_explains_why_an_import_is_larger_than_the_download(model_home):
    out = rehearse(model_home, "models", "list").stdout
    row = next(line for line in out.splitlines() if line.startswith("* tiny.en"))
    assert "151 MB" in row  # the real imported tiny.en
    assert "float32, converted from CTranslate2" in row and "download is 75 MB" in row


def test_models_list_empty_says_how_to_get_one(tmp_path):
    assert "rehearse models download tiny.en" in rehearse(tmp_path, "models", "list").stdout


def test_history_json(tmp_path):
    repo = Repository.open(tmp_path / "rehearse.db")
    older = repo.add_attempt(Attempt(id=None, question_id="q1", started_at="2026-01-01T10:00:00"))
    newer = repo.add_attempt(Attempt(id=None, question_id="q2", started_at="2026-01-02T10:00:00",
                                     transcript_text="hello", scores={"overall": 71.0}))
    repo.close()
    rows = json.loads(rehearse(tmp_path, "history", "--json").stdout)
    assert [r["id"] for r in rows] == [newer, older]
    assert rows[0]["scores"]["overall"] == 71.0 and rows[0]["transcript"] == "hello"


def test_score_follow_up_answer_is_judged_on_what_it_asked(tmp_path):
    """Issue 13 point 9: `rehearse score --follow-up TEXT` judges a follow-up answer on its focus
    (here the outcome and how it was measured), not as a full STAR story."""
    path = tmp_path / "fu.txt"
    path.write_text(
        "We tracked it in the billing dashboard: failed payments went from 4.1 percent to 1.2 "
        "percent over the next six weeks, and invoice tickets dropped by half.", encoding="utf-8")
    out = rehearse(tmp_path, "score", "--json", "--follow-up", "How did you measure the result?",
                   str(path))
    row = json.loads(out.stdout)
    assert row["focus"]["kind"] == "outcome" and not [k for k, ok in row["focus"]["needs"].items()
                                                       if not ok]
    assert row["scores"]["star"] is None and row["scores"]["focus"] >= 60
    assert not {"no_task", "no_situation", "no_action", "no_result"} & set(row["tip_ids"])
    text = rehearse(tmp_path, "score", "--follow-up", "How did you measure the result?",
                    str(path)).stdout
    assert "star —" in text and "delivery —" in text


def _pipe_into_head(data: Path, *args: str, lines: int = 3) -> subprocess.CompletedProcess[bytes]:
    """``rehearse ARGS | head -n LINES`` as a real pipeline; returns rehearse's own result."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    env.pop("REHEARSE_HOME", None)
    producer = subprocess.Popen(
        [sys.executable, "-m", "desktop_app", "--data-dir", str(data), *args],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=REPO,
    )
    head = subprocess.run(["head", "-n", str(lines)], stdin=producer.stdout,
                          capture_output=True, timeout=120)
    producer.stdout.close()  # only head reads the pipe now: when it exits, the pipe is broken
    err = producer.stderr.read()
    producer.wait(timeout=120)
    assert head.stdout.count(b"\n") == lines
    return subprocess.CompletedProcess(producer.args, producer.returncode, head.stdout, err)


@pytest.mark.parametrize("args", [("questions", "--json"), ("questions",)])
def test_output_piped_into_head_ends_quietly(tmp_path, args):
    for pack in range(3):  # make the output far larger than a pipe's buffer
        (tmp_path / "packs").mkdir(exist_ok=True)
        body = "".join(
            f'[[question]]\nid = "extra-{pack}-{i}"\ntext = "Tell me about time {i}, pack {pack}."'
            f'\ncompetency = "Ownership"\nkind = "behavioural"\n'
            f'strong_answer = "{"A long note; " * 40}"\n\n'
            for i in range(150)
        )
        (tmp_path / "packs" / f"extra{pack}.toml").write_text(
            f'[pack]\nname = "Extra {pack}"\n\n{body}', encoding="utf-8")
    proc = _pipe_into_head(tmp_path, *args)
    assert b"Broken pipe" not in proc.stderr and b"Traceback" not in proc.stderr, proc.stderr
    assert b"rehearse:" not in proc.stderr
    assert proc.returncode == 141  # like any Unix tool ended by SIGPIPE: quiet, no message


def test_history_has_a_header_question_text_and_marks_follow_ups(tmp_path):
    repo = Repository.open(tmp_path / "rehearse.db")
    main_id = repo.add_attempt(Attempt(
        id=None, question_id="conflict-teammate-disagreement",
        started_at="2026-01-01T10:00:00+00:00", duration_s=83.0, status="scored",
        scores={"overall": 71.6}))
    repo.add_attempt(Attempt(
        id=None, question_id="conflict-teammate-disagreement",
        started_at="2026-01-01T10:05:00+00:00", duration_s=41.0, status="recorded",
        parent_attempt_id=main_id, prompt_text="What would you do differently next time?"))
    repo.add_attempt(Attempt(id=None, question_id="gone-from-the-bank",
                             started_at="2026-01-02T09:00:00+00:00"))
    repo.close()
    lines = rehearse(tmp_path, "history").stdout.splitlines()
    assert lines[0].split() == ["ID", "DATE", "LENGTH", "SCORE", "STATUS", "QUESTION"]
    rows = lines[1:]
    assert len(rows) == 3  # newest first
    assert "(question gone-from-the-bank)" in rows[0]
    follow_up, main = rows[1], rows[2]
    assert f"↳ follow-up of #{main_id}: What would you do differently next time?" in follow_up
    assert "0:41" in follow_up and " — " in follow_up  # not scored yet: a dash, not 0
    assert "Tell me about a time you had a serious disagreement with a teammate." in main
    assert " 72 " in main and "1:23" in main and "↳" not in main
    data = json.loads(rehearse(tmp_path, "history", "--json").stdout)
    assert data[1]["prompt_text"] == "What would you do differently next time?"
    assert data[2]["question_text"].startswith("Tell me about a time you had a serious")


def test_score_text_prints_a_dash_for_what_is_not_judged(tmp_path):
    path = tmp_path / "strong.txt"
    path.write_text(STRONG, encoding="utf-8")
    out = rehearse(tmp_path, "score", str(path)).stdout
    scores = out.splitlines()[1].split()
    shown = dict(zip(scores[::2], scores[1::2], strict=True))
    assert set(shown) == REQUIRED_SCORES
    # typed text has no voice to time, and reasoning is not scored for behavioural answers:
    # the same "—" the window's tiles show, never a 0 or a 100
    assert shown["delivery"] == "—" and shown["reasoning"] == "—"
    assert "delivery: Not judged for typed text" in out
    assert all(v.isdigit() for k, v in shown.items() if k not in ("delivery", "reasoning"))


@pytest.mark.whisper
def test_score_does_not_score_silence(model_home, tmp_path):
    """Silence is not an answer (issue 12): no scores (not 0), a plain reason, exit status 1."""
    import numpy as np
    import soundfile as sf

    wav = tmp_path / "silent.wav"
    sf.write(wav, np.random.default_rng(2).normal(0, 0.002, 5 * 16000), 16000)
    proc = rehearse(model_home, "score", "--json", str(wav), check=False)
    assert proc.returncode == 1
    row = json.loads(proc.stdout)
    assert "no speech heard" in row["error"] and "scores" not in row
    assert "check the microphone" in proc.stderr
