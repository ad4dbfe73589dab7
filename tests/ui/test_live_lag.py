"""The window says "Catching up… N s behind" while live transcription is behind the speech, and
goes back to its usual state once it has caught up (a real LiveSession and AnswerArea; the slow
engine and the scaled clock of tests/transcription/test_live_load.py)."""

from __future__ import annotations

import re

import numpy as np
import pytest

from desktop_app.transcription.live import LiveConfig
from desktop_app.transcription.live.load import LoadMeter
from tests.transcription.test_live_load import SCALE, SlowModel, scaled_clock, sentences

pytestmark = pytest.mark.gui
SR = 16000


def test_answer_area_shows_how_far_behind_and_then_caught_up(qtbot):
    from desktop_app.ui.answer_area import AnswerArea
    from desktop_app.ui.live_session import LiveSession

    config = LiveConfig.load()
    meter = LoadMeter(config, clock=scaled_clock)
    model = SlowModel(meter)
    session = LiveSession(model, config, meter=meter)
    area = AnswerArea(is_busy=lambda: True, waiting_for_model=lambda: False)
    qtbot.addWidget(area)
    area.follow_live(session)
    seen: list[str] = []
    audio = sentences(100.0, np.random.default_rng(3))
    block = SR // 10
    for i in range(0, audio.size, block):
        t = i / SR
        model.rtf = 3.0 if 25.0 <= t < 40.0 else 0.05  # a stall, then an idle machine again
        session.feed(audio[i : i + block])
        qtbot.wait(int(100 / SCALE))
        text = area.live_state_label.text()
        if not seen or seen[-1] != text:
            seen.append(text)
    behind = [s for s in seen if s.startswith("Catching up…")]
    assert behind, seen
    assert all(re.fullmatch(r"Catching up… \d+ s behind", s) for s in behind), behind
    assert max(int(s.split()[2]) for s in behind) >= config.catch_up_s
    assert not seen[-1].startswith("Catching up"), seen  # caught up before the answer ended
    with qtbot.waitSignal(session.finished, timeout=30_000):
        session.finish(1)
    session.deleteLater()
