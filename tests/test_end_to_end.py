"""The whole voice loop on real parts, driven through the real window with pytest-qt.

An answer spoken by espeak-ng is played into the PulseAudio virtual microphone, captured by the
app's recorder, transcribed by real tiny.en weights, scored, saved in SQLite and shown in History.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402

from desktop_app.app import build_services  # noqa: E402
from desktop_app.paths import AppPaths  # noqa: E402
from tests.speech_metrics import wer  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.audio, pytest.mark.whisper]

FIXTURES = Path(__file__).parent / "fixtures" / "answers"


def test_spoken_answer_goes_all_the_way_to_history(
    virtual_audio, tiny_model, spoken_wav, qtbot, tmp_path
):
    from desktop_app.ui.main_window import MainWindow

    paths = AppPaths(tmp_path / "data").ensure()
    for src in (tiny_model.path, tiny_model.path.with_suffix(".json")):
        os.symlink(src, paths.models / src.name)
    services = build_services(paths)
    services.settings.speak_questions = False  # the speaker would talk into the same virtual mic
    assert services.sd is not None, services.notices

    text = (FIXTURES / "incident.txt").read_text().strip()
    answer = spoken_wav(text, tmp_path / "answer.wav", rate=22050)

    window = MainWindow(services)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.pipeline.state == "ready", timeout=120_000)

    practice = window.practice_view
    question = services.bank.get("incident-500s-at-peak") or services.bank.questions[0]
    assert practice.picker.select(question.id)
    assert question.text in practice.question_label.text()

    practice.record_button.click()
    qtbot.waitUntil(lambda: practice.state == "recording", timeout=15_000)
    virtual_audio.play_into_mic(answer, block=True)
    qtbot.wait(700)
    with qtbot.waitSignal(window.attempt_scored, timeout=180_000) as scored:
        practice.record_button.click()
    attempt_id = scored.args[0]

    attempt = services.repo.get_attempt(attempt_id)
    assert attempt.status == "scored" and attempt.question_id == question.id
    assert attempt.model == "tiny.en"
    error = wer(text, attempt.transcript_text)
    print(f"end-to-end WER {error:.1%}: {attempt.transcript_text!r}")
    assert error <= 0.15
    audio = paths.absolute(attempt.audio_path)
    assert audio.exists() and attempt.duration_s > 15
    words = json.loads(attempt.words_json)["words"]
    assert words and all(0 <= w["start"] <= w["end"] <= attempt.duration_s + 1 for w in words)
    assert 0 <= attempt.scores["overall"] <= 100

    # the scorecard shows the user's own words and at least one highlighted finding
    card = practice.scorecard
    assert card.transcript_view.toPlainText().strip() == attempt.transcript_text.strip()
    assert card.findings_list.count() > 0
    # REHEARSE_SCREENSHOT=path saves the window after the answer (used for docs/screenshot.png)
    window.grab().save(os.environ.get("REHEARSE_SCREENSHOT") or str(tmp_path / "window.png"))

    # History lists it first, and opening it shows the same transcript
    assert window.history_view.row_ids()[0] == attempt_id
    window.history_view.open_attempt(attempt_id)
    shown = window.history_view.scorecard.transcript_view.toPlainText()
    assert shown.strip() == attempt.transcript_text.strip()
    window.close()
    services.repo.close()
