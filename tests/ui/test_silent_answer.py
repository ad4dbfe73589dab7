"""Silence is not an answer (issue 12): an attempt with no detected speech says "I didn't hear
anything — check the microphone", is not scored (no 0) and asks no follow-up, and stays in
History only if the candidate keeps it (real window, real tiny.en in its child process)."""

from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf

from desktop_app.domain import Attempt
from desktop_app.ui.silent_notice import SILENT_TEXT
from tests.ui.test_pipeline_whisper import install

pytestmark = [pytest.mark.gui, pytest.mark.whisper]


def silent_attempt(services, name: str) -> tuple[int, object]:
    rng = np.random.default_rng(4)
    wav = services.paths.recordings / f"{name}.wav"
    sf.write(wav, rng.normal(0, 0.002, 6 * 16000).astype(np.float32), 16000)  # room tone
    q = services.bank.questions[0]
    aid = services.repo.add_attempt(Attempt(
        id=None, question_id=q.id, started_at="2024-01-02T09:00:00+00:00", duration_s=6.0,
        audio_path=services.paths.relative(wav), status="recorded"))
    return aid, wav


def test_silent_answer_is_not_scored_and_kept_only_if_wanted(
    services, make_window, qtbot, tiny_model
):
    install(tiny_model, services)
    w = make_window(services)
    qtbot.waitUntil(lambda: w.pipeline.state == "ready", timeout=120000)
    pv, notice = w.practice_view, w.practice_view.answer_area.silent_notice

    dropped, dropped_wav = silent_attempt(services, "20240102-090000-silent")
    pv.flow.current_attempt_id = dropped
    with qtbot.waitSignal(w.pipeline.attempt_silent, timeout=300000):
        assert w.pipeline.submit(dropped)
    assert notice.isVisible() and notice.label.text() == SILENT_TEXT
    assert not pv.scorecard.isVisible()
    stored = services.repo.get_attempt(dropped)
    assert stored.status == "silent" and stored.analysis_json is None  # not scored as 0
    assert not stored.scores  # no 0 anywhere: no scores at all
    notice.discard_button.click()
    assert services.repo.get_attempt(dropped) is None and not dropped_wav.exists()

    kept, kept_wav = silent_attempt(services, "20240102-090100-silent")
    pv.flow.current_attempt_id = kept
    with qtbot.waitSignal(w.pipeline.attempt_silent, timeout=300000):
        assert w.pipeline.submit(kept)
    notice.keep_button.click()
    assert not notice.isVisible()
    assert services.repo.get_attempt(kept).status == "silent" and kept_wav.exists()
