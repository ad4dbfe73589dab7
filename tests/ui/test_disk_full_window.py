"""A full disk mid-answer, in the real window: the attempt is marked at once with the seconds
that were saved (not left "recording" at 0 s until a later start).

The data folder is a real 4 MB tmpfs, the microphone the PulseAudio virtual one.
"""

from __future__ import annotations

import shutil

import pytest
import soundfile as sf
from PySide6.QtCore import Qt

from desktop_app.app import build_services
from desktop_app.audio.wavio import write_wav
from desktop_app.paths import AppPaths
from tests.fixtures_audio import tone

pytestmark = [pytest.mark.gui, pytest.mark.audio]


@pytest.fixture
def small_disk(tmpfs):
    return tmpfs("4m")


def fill_to(filler, free_bytes: int) -> None:
    """Grow ``filler`` until about ``free_bytes`` are left free on its disk."""
    free = shutil.disk_usage(filler.parent).free
    with open(filler, "ab") as f:
        f.write(b"\0" * max(0, free - free_bytes))


def test_a_recording_cut_short_by_a_full_disk_is_saved_at_once(
    virtual_audio, small_disk, tmp_path, make_window, qtbot
):
    paths = AppPaths(small_disk / "data").ensure()
    services = build_services(paths)
    services.settings.speak_questions = False
    services.settings.live_transcription = False
    try:
        w = make_window(services, load_model=False)
        pv = w.practice_view
        w.activateWindow()
        qtbot.waitUntil(w.isActiveWindow)
        assert pv.picker.select(services.bank.questions[0].id)
        reserve = shutil.disk_usage(small_disk).total // 20
        fill_to(small_disk / "filler", reserve + 1_000_000)  # room for the attempt's first rows
        wav = write_wav(tmp_path / "tone.wav", tone(440, 16000, 12.0, 0.4), 16000)
        player = virtual_audio.play_into_mic(wav, block=False)
        try:
            qtbot.keyClick(w, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
            qtbot.waitUntil(lambda: pv.state == "recording", timeout=10000)
            # now that the database has written the attempt, leave about 3 s of audio (32 KB/s)
            # above the reserve the recorder keeps for it
            fill_to(small_disk / "filler", reserve + 100_000)
            with qtbot.waitSignal(pv.attempt_saved, timeout=20000) as saved:
                pass  # the disk fills up: the recording stops by itself
        finally:
            player.kill()
        assert "disk is full" in pv.banner.text() and "saved" in pv.banner.text()
        attempt = services.repo.get_attempt(saved.args[0])  # right away, no restart
        assert attempt.status == "recorded"
        audio = paths.absolute(attempt.audio_path)
        assert attempt.duration_s == pytest.approx(sf.info(str(audio)).duration, abs=0.05)
        assert 1.0 < attempt.duration_s < 8.0
        assert services.repo.attempts_with_status("recording") == []
    finally:
        services.repo.close()
