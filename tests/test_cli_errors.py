"""The command line on bad inputs: one clear line per problem, never a traceback, and `score`
goes on with the rest of its inputs (real processes, real files, real tiny.en where needed)."""

from __future__ import annotations

import json

import pytest

from desktop_app.audio.wavio import UnreadableAudio, read_audio
from tests.test_cli import STRONG, VAGUE, model_home, rehearse  # noqa: F401 (fixture)


def _texts(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(STRONG, encoding="utf-8")
    b.write_text(VAGUE, encoding="utf-8")
    return a, b


@pytest.mark.whisper
def test_score_reports_unreadable_audio_and_scores_the_rest(model_home, tmp_path):  # noqa: F811
    a, b = _texts(tmp_path)
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    answer = tmp_path / "answer.m4a"
    answer.write_bytes(b"\x00\x00\x00\x18ftypM4A \x00\x00\x02\x00" + b"\x00" * 200)
    proc = rehearse(model_home, "score", "--json", str(a), str(empty), str(answer), str(b),
                    check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["input"] for r in rows] == [str(a), str(empty), str(answer), str(b)]
    assert rows[0]["scores"]["overall"] > rows[3]["scores"]["overall"]
    assert set(rows[1]) == set(rows[2]) == {"input", "error"}
    assert "empty.wav" in rows[1]["error"]
    assert "WAV" in rows[2]["error"] and "FLAC" in rows[2]["error"]  # what would work
    assert "empty.wav" in proc.stderr and "answer.m4a" in proc.stderr


def test_score_without_a_model_still_scores_the_typed_answers(tmp_path):
    a, b = _texts(tmp_path)
    wav = tmp_path / "answer.wav"
    wav.write_bytes(b"RIFF")
    proc = rehearse(tmp_path, "score", "--json", str(a), str(wav), str(b), check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [r["input"] for r in rows] == [str(a), str(wav), str(b)]
    assert "rehearse models download" in rows[1]["error"]
    assert "scores" in rows[0] and "scores" in rows[2]


def test_an_unrecognised_format_names_the_formats_that_work(tmp_path):
    webm = tmp_path / "answer.webm"
    webm.write_bytes(b"\x1a\x45\xdf\xa3" + b"\x00" * 300)
    with pytest.raises(UnreadableAudio) as info:
        read_audio(webm)
    message = str(info.value)
    assert str(webm) in message
    for fmt in ("WAV", "FLAC", "OGG", "MP3"):
        assert fmt in message
    assert "ffmpeg -i answer.webm" in message


def test_a_data_folder_that_cannot_be_created_is_one_clear_line(tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should go", encoding="utf-8")
    data = blocker / "Rehearse"
    questions = rehearse(data, "questions", check=False)
    assert questions.returncode == 0  # the bundled questions need no data folder
    assert "Traceback" not in questions.stderr
    assert "cannot create the data folder" in questions.stderr and str(data) in questions.stderr
    assert len(questions.stdout.splitlines()) >= 80
    history = rehearse(data, "history", check=False)
    assert history.returncode == 1 and "Traceback" not in history.stderr
    assert str(data) in history.stderr


def test_a_database_from_a_newer_rehearse_is_refused_by_the_cli(tmp_path):
    from desktop_app.storage.db import SCHEMA_VERSION, open_database

    db, _ = open_database(tmp_path / "rehearse.db")
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    before = (tmp_path / "rehearse.db").read_bytes()
    proc = rehearse(tmp_path, "history", check=False)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert "newer version of Rehearse" in proc.stderr
    assert (tmp_path / "rehearse.db").read_bytes() == before
