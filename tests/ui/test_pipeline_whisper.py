"""Real Whisper tiny.en through the window's workers: load in the background, transcribe, score."""

from __future__ import annotations

import json
import os
import time

import pytest
from PySide6.QtCore import QTimer

from desktop_app.domain import Attempt

pytestmark = [pytest.mark.gui, pytest.mark.whisper]

ANSWER = ("Last year our checkout service failed for ten percent of users. "
          "I added tracing and found the connection pool was exhausted. "
          "As a result, errors dropped to almost zero within two days.")


def install(model, services) -> None:
    """Make the session's tiny.en visible in this data folder (symlinks, no copy)."""
    for src in (model.path, model.path.with_suffix(".json")):
        if src.exists():
            os.symlink(src, services.paths.models / src.name)


def test_recorded_attempt_is_transcribed_scored_and_shown(
    services, make_window, qtbot, tiny_model, spoken_wav
):
    install(tiny_model, services)
    # a recording saved before the window opened (as after a recovered crash)
    wav = spoken_wav(ANSWER, services.paths.recordings / "20240101-120000-q.wav", rate=16000)
    q = services.bank.questions[0]
    aid = services.repo.add_attempt(Attempt(
        id=None, question_id=q.id, started_at="2024-01-01T12:00:00+00:00", duration_s=9.0,
        audio_path=services.paths.relative(wav), status="recovered"))

    lateness: list[float] = []
    ticker = QTimer()
    ticker.setInterval(10)
    last = [time.monotonic()]

    def tick() -> None:
        now = time.monotonic()
        lateness.append(now - last[0] - 0.010)
        last[0] = now

    ticker.timeout.connect(tick)
    w = make_window(services)  # loads tiny.en on the transcription thread
    ticker.start()
    qtbot.waitUntil(lambda: w.pipeline.state == "ready", timeout=120000)
    loading = max(lateness, default=0.0)
    lateness.clear()
    assert w.model_label.text() == "Model tiny.en ready"
    w.history_view.open_attempt(aid)
    with qtbot.waitSignal(w.pipeline.attempt_scored, timeout=120000) as blocker:
        w.history_view.transcribe_button.click()
    ticker.stop()
    assert blocker.args[0] == aid
    stored = services.repo.get_attempt(aid)
    assert stored.status == "scored" and stored.model == "tiny.en"
    words = json.loads(stored.words_json)["words"]
    assert len(words) > 15 and all(w["end"] >= w["start"] for w in words)
    assert "tracing" in stored.transcript_text.lower()
    assert json.loads(stored.analysis_json)["scores"]["overall"] == pytest.approx(
        stored.scores["overall"], abs=0.1)
    card = w.history_view.scorecard
    assert card.transcript_view.toPlainText() == json.loads(stored.analysis_json)["text"]
    assert card.tiles["overall"].value.text() == str(round(stored.scores["overall"]))
    worst = max(lateness)
    print(f"worst GUI-thread lateness: loading {loading * 1000:.0f} ms, "
          f"transcribing + scoring {worst * 1000:.0f} ms")
    # the GUI thread never waited for the model or the transcription
    assert max(worst, loading) < 1.0

    # closing the window ends the transcription process too (no orphan child)
    pid = w.pipeline.host.wait_ready(timeout=1).pid
    assert pid is not None and process_alive(pid)
    w.close()
    qtbot.waitUntil(lambda: not process_alive(pid), timeout=10000)


def process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        with open(f"/proc/{pid}/stat") as stat:  # a zombie waiting to be reaped is gone too
            return stat.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
