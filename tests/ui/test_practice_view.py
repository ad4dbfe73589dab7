"""Practice view: the question picker and recording by keyboard shortcut (real Recorder)."""

from __future__ import annotations

import pytest
import soundfile
from PySide6.QtCore import Qt

from desktop_app.app import build_services
from desktop_app.audio.wavio import write_wav
from tests.fixtures_audio import tone
from tests.ui.fake_sd import FakeSoundDevice

pytestmark = pytest.mark.gui


def test_picker_filters_search_and_next(services, make_window):
    w = make_window(services, load_model=False)
    picker = w.practice_view.picker
    bank = services.bank
    comp = bank.competencies()[0]
    picker.competency_combo.setCurrentIndex(picker.competency_combo.findData(comp))
    ids = picker.visible_ids()
    assert ids and all(bank.get(i).competency == comp for i in ids)
    assert len(ids) == len(bank.filter(competency=comp))
    picker.competency_combo.setCurrentIndex(0)
    picker.kind_combo.setCurrentIndex(picker.kind_combo.findData("technical-reasoning"))
    assert all(bank.get(i).kind == "technical-reasoning" for i in picker.visible_ids())
    picker.kind_combo.setCurrentIndex(0)
    picker.search_edit.setText("conflict")
    hits = picker.visible_ids()
    assert hits and all("conflict" in (bank.get(i).text + bank.get(i).competency).lower()
                        for i in hits)
    picker.search_edit.clear()
    q1 = picker.next_question()
    q2 = picker.next_question()
    assert q1 is not None and q2 is not None and q1.id != q2.id
    assert w.practice_view.current_question == q2
    assert w.practice_view.question_label.text() == q2.text


@pytest.fixture
def audio_services(request, data_paths):
    """Services with a capture device: the PulseAudio virtual mic if it can run here, otherwise a
    fake ``sounddevice`` producing a sine (justified: no capture device exists; the recorder, WAV
    writing, database and UI stay real)."""
    try:
        va = request.getfixturevalue("virtual_audio")
    except pytest.skip.Exception:
        va = None
    svc = build_services(data_paths, with_audio=va is not None)
    if va is None:
        svc.sd = FakeSoundDevice()
    svc.settings.speak_questions = False
    svc.virtual_audio = va
    yield svc
    svc.repo.close()


def test_shortcut_records_saves_and_keeps_audio_without_model(audio_services, make_window,
                                                             qtbot, tmp_path):
    svc = audio_services
    w = make_window(svc)  # no model installed: recording must still work
    pv = w.practice_view
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    qid = svc.bank.questions[0].id
    assert pv.picker.select(qid)
    player = None
    if svc.virtual_audio is not None:
        wav = write_wav(tmp_path / "tone.wav", tone(440, 16000, 4.0, 0.4), 16000)
        player = svc.virtual_audio.play_into_mic(wav, block=False)
    qtbot.keyClick(w, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: pv.state == "recording", timeout=10000)
    assert pv.record_button.isChecked() and "Stop" in pv.record_button.text()
    live = svc.repo.attempts_with_status("recording")
    assert len(live) == 1 and live[0].question_id == qid  # saved at once, crash-safe
    qtbot.waitUntil(lambda: pv.level_meter.peak > 0.3, timeout=5000)
    qtbot.wait(1300)
    assert pv.elapsed_label.text() != "0:00"
    with qtbot.waitSignal(pv.attempt_saved, timeout=10000) as blocker:
        qtbot.keyClick(w, Qt.Key.Key_Space)
    attempt_id = blocker.args[0]
    assert pv.state == "idle" and not pv.record_button.isChecked()
    attempt = svc.repo.get_attempt(attempt_id)
    assert attempt.question_id == qid and attempt.status == "recorded"
    assert attempt.audio_path.startswith("recordings/") and attempt.duration_s > 1.0
    info = soundfile.info(str(svc.paths.absolute(attempt.audio_path)))
    assert info.samplerate == 16000 and info.duration == pytest.approx(attempt.duration_s, abs=0.1)
    assert w.history_view.row_ids()[0] == attempt_id
    # no model: the attempt is kept, with a clear message
    qtbot.waitUntil(lambda: "not transcribed" in pv.banner.text(), timeout=10000)
    assert "No Whisper model" in pv.banner.text()
    assert svc.repo.get_attempt(attempt_id).status == "recorded"
    if player is not None:
        player.wait(timeout=10)

    # answering a follow-up records an attempt linked to this one
    prompt = "What was your own part in that?"
    pv.answer_follow_up(prompt)
    qtbot.waitUntil(lambda: pv.state == "recording", timeout=10000)
    qtbot.wait(400)
    with qtbot.waitSignal(pv.attempt_saved, timeout=10000) as blocker:
        pv.toggle_recording()
    follow = svc.repo.get_attempt(blocker.args[0])
    assert follow.parent_attempt_id == attempt_id and follow.prompt_text == prompt
    assert follow.question_id == qid


def test_record_without_audio_system_is_disabled(services, make_window):
    w = make_window(services, load_model=False)
    pv = w.practice_view
    assert not pv.record_button.isEnabled()
    pv.start_recording()
    assert pv.state == "idle" and "unavailable" in pv.banner.text()


def test_device_lost_mid_answer_keeps_audio_and_says_so(services, make_window, qtbot):
    """A microphone that stops sending audio (unplugged). Faked: a real device cannot be unplugged
    on demand here; the Recorder, WAV, database and UI are real."""
    services.sd = FakeSoundDevice(lose_after_s=1.0)
    w = make_window(services, load_model=False)
    pv = w.practice_view
    pv.picker.select(services.bank.questions[0].id)
    pv.toggle_recording()
    with qtbot.waitSignal(pv.attempt_saved, timeout=15000) as blocker:
        pass  # the recorder notices the silence (stall timeout) and the view saves the answer
    assert "stopped sending audio" in pv.banner.text()
    attempt = services.repo.get_attempt(blocker.args[0])
    assert attempt.status == "recorded" and "stopped sending audio" in attempt.error
    assert attempt.duration_s == pytest.approx(1.0, abs=0.15)
    assert services.paths.absolute(attempt.audio_path).exists()
    assert pv.state == "idle" and pv.record_button.isEnabled()


def test_question_is_spoken_when_picked_and_skip_stops_it(request, data_paths, make_window,
                                                          qtbot):
    va = request.getfixturevalue("virtual_audio")  # skips (or fails in CI) without real audio
    svc = build_services(data_paths)
    svc.settings.speak_questions = True
    w = make_window(svc, load_model=False)
    pv = w.practice_view
    assert w.speech is not None
    with va.capture_output() as capture:
        with qtbot.waitSignal(w.speech.started, timeout=20000):
            pv.picker.select(svc.bank.questions[0].id)
        assert pv.skip_button.isEnabled()
        player = w.speech.speaker.player
        # a fresh PulseAudio stream can hold its first blocks for ~1.3 s: wait until it flows
        qtbot.waitUntil(lambda: player.position > 0.7, timeout=10000)
        with qtbot.waitSignal(w.speech.finished, timeout=5000):
            pv.skip_button.click()
        cut_at = player.position
        qtbot.wait(300)  # let the capture flush what it heard
        heard = capture.stop()
    assert not pv.skip_button.isEnabled()
    assert float(abs(heard).max()) > 0.05  # the question really came out of the speaker
    assert cut_at < player.duration - 1.0 and player.position == pytest.approx(cut_at, abs=0.1)
    svc.repo.close()


def test_names_keep_their_hyphens_and_no_internal_id_is_shown(services, make_window):
    w = make_window(services, load_model=False)
    pv = w.practice_view
    hyphenated = [q for q in services.bank.questions if "-" in q.competency]
    assert hyphenated  # e.g. "System design trade-offs", "Explaining to non-technical audiences"
    q = hyphenated[0]
    assert pv.picker.select(q.id)
    assert q.competency in pv.meta_label.text()  # "trade-offs", not "trade offs"
    assert q.id not in pv.meta_label.text()
    combo = pv.picker.competency_combo
    assert combo.itemText(combo.findData(q.competency)) == q.competency
    kinds = [pv.picker.kind_combo.itemText(i) for i in range(pv.picker.kind_combo.count())]
    assert "Technical reasoning" in kinds
    tips = [pv.picker.list.item(i).toolTip() for i in range(pv.picker.list.count())]
    assert not any(question.id in tip for question, tip in zip(services.bank.questions, tips,
                                                              strict=False))
