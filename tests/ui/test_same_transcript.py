"""The window and the CLI give the same transcript for the same file (issue 12): History's
Re-transcribe (transcription worker → Whisper in a child process) against `rehearse transcribe`
(Whisper in-process), on a long spoken answer that is cut into several chunks."""

from __future__ import annotations

import json
import shutil

import pytest

from desktop_app.domain import Attempt
from tests.fixtures_audio import require_real
from tests.speech_metrics import dropped_stretches, wer
from tests.spoken_answers import TAKES, speak_take
from tests.test_cli import rehearse
from tests.ui.test_pipeline_whisper import install

pytestmark = [pytest.mark.gui, pytest.mark.whisper]


def test_retranscribe_in_history_matches_rehearse_transcribe(
    services, make_window, qtbot, tiny_model
):
    install(tiny_model, services)
    take = next(t for t in TAKES if t.name == "onboarding_docs")  # 94 s, GB voice, room tone
    try:
        audio, source = speak_take(take)
    except FileNotFoundError as exc:
        require_real(str(exc))
    wav = services.paths.recordings / "20240102-090000-q.wav"
    shutil.copyfile(source, wav)
    q = services.bank.questions[0]
    aid = services.repo.add_attempt(Attempt(
        id=None, question_id=q.id, started_at="2024-01-02T09:00:00+00:00",
        duration_s=audio.size / 16000, audio_path=services.paths.relative(wav), status="scored"))

    w = make_window(services)
    qtbot.waitUntil(lambda: w.pipeline.state == "ready", timeout=120000)
    w.history_view.open_attempt(aid)
    with qtbot.waitSignal(w.pipeline.attempt_scored, timeout=900000):
        w.history_view.transcribe_button.click()
    window = json.loads(services.repo.get_attempt(aid).words_json)

    cli = json.loads(rehearse(services.paths.root, "transcribe", "--json", str(wav)).stdout)
    assert window["text"] == cli["text"]
    assert window["words"] == cli["words"] and window["segments"] == cli["segments"]
    assert not cli["no_speech"] and not dropped_stretches(take.text, cli["text"])
    assert wer(take.text, cli["text"]) < 0.2, cli["text"]
