"""`rehearse practice`: an answer recorded elsewhere or typed becomes a stored, scored attempt
through the window's AnswerFlow, shown by `rehearse history --json` exactly as printed."""

from __future__ import annotations

import json
import stat

import pytest
import soundfile as sf

from desktop_app.audio.wavio import read_audio
from tests.speech_metrics import wer
from tests.test_cli import ANSWERS, STRONG, model_home, rehearse  # noqa: F401 (fixture)


def _question(data) -> str:
    rows = json.loads(rehearse(data, "questions", "--json").stdout)
    return rows[0]["id"]


def test_a_typed_answer_is_stored_scored_and_listed_as_typed(tmp_path):
    txt = tmp_path / "answer.txt"
    txt.write_text(STRONG + "\n", encoding="utf-8")
    qid = _question(tmp_path)
    shown = json.loads(rehearse(tmp_path, "practice", "--question", qid, "--text", str(txt),
                                "--json").stdout)
    assert shown["status"] == "scored" and shown["input"] == "typed"
    assert shown["question_id"] == qid and shown["audio_path"] is None
    assert shown["transcript"] == STRONG and shown["scores"]["overall"] > 50
    assert shown["analysis"]["scores"]["delivery"] is None  # no voice, no timing
    listed = json.loads(rehearse(tmp_path, "history", "--json").stdout)
    assert listed == [shown]  # one function builds both
    table = rehearse(tmp_path, "history").stdout
    assert "typed" in table.splitlines()[1]
    plain = rehearse(tmp_path, "practice", "--question", qid, "--text", str(txt)).stdout
    assert plain.startswith("Attempt #2 stored (typed), overall ")


def test_bad_inputs_say_what_is_wrong_and_store_nothing(tmp_path):
    qid = _question(tmp_path)
    odd = tmp_path / "answer.m4a"
    odd.write_bytes(b"\x00\x00\x00\x20ftypM4A " + bytes(64))
    proc = rehearse(tmp_path, "practice", "--question", qid, "--audio", str(odd), check=False)
    assert proc.returncode == 1
    assert "answer.m4a" in proc.stderr and "WAV" in proc.stderr and "FLAC" in proc.stderr
    assert "ffmpeg" in proc.stderr and ".." not in proc.stderr  # how to convert it; one full stop
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n", encoding="utf-8")
    proc = rehearse(tmp_path, "practice", "--question", qid, "--text", str(empty), check=False)
    assert proc.returncode == 1 and "no answer text" in proc.stderr
    proc = rehearse(tmp_path, "practice", "--question", "nope", "--text", str(empty), check=False)
    assert proc.returncode == 2 and "rehearse questions" in proc.stderr
    assert json.loads(rehearse(tmp_path, "history", "--json").stdout) == []


@pytest.mark.whisper
def test_a_flac_recorded_elsewhere_is_kept_with_its_audio_transcribed_live_and_scored(
        model_home, spoken_wav, tmp_path):  # noqa: F811
    text = (ANSWERS / "incident.txt").read_text().strip()
    wav = spoken_wav(text, tmp_path / "answer.wav", rate=22050)
    samples, rate = read_audio(wav)
    flac = tmp_path / "phone.flac"
    sf.write(str(flac), samples, rate, format="FLAC")  # 22.05 kHz: not the 16 kHz Whisper takes
    qid = _question(model_home)
    shown = json.loads(rehearse(model_home, "practice", "--question", qid, "--audio",
                                str(flac), "--json").stdout)
    assert shown["status"] == "scored" and shown["input"] == "file"
    assert shown["model"] == "tiny.en" and shown["duration_s"] == pytest.approx(
        samples.size / rate, abs=0.01)
    error = wer(text, shown["transcript"])
    whole = wer(text, rehearse(model_home, "transcribe", str(flac)).stdout)
    print(f"rehearse practice --audio (live) WER {error:.1%}, whole-file {whole:.1%}")
    # The live path on one answer: close to the whole file (bench/stop_latency.py measures the
    # 2-point bound over many answers).
    assert error <= 0.2 and error <= whole + 0.05
    assert shown["analysis"]["delivery"]["wpm"] > 60  # timed words: delivery is judged
    kept = model_home / shown["audio_path"]
    assert shown["audio_path"].startswith("recordings/") and kept.suffix == ".wav"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    copy, copy_rate = read_audio(kept)
    assert copy_rate == rate and copy.size == samples.size  # the answer as it was
    assert json.loads(rehearse(model_home, "history", "--json").stdout) == [shown]
