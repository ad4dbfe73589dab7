"""The composition root on real parts: start-up problems become notices, and nothing is lost."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import soundfile as sf

from desktop_app.app import build_services
from desktop_app.paths import AppPaths

REPO = Path(__file__).resolve().parents[1]

# The real app, offscreen: pick a question, press Record, say when audio flows, wait to be killed.
APP_RECORDING = textwrap.dedent(
    """
    import sys
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication
    from desktop_app.app import build_services
    from desktop_app.paths import AppPaths
    app = QApplication([])
    from desktop_app.ui.main_window import MainWindow
    services = build_services(AppPaths(__import__("pathlib").Path(sys.argv[1])))
    services.settings.speak_questions = False
    window = MainWindow(services, load_model_on_show=False)
    window.show()
    pv = window.practice_view
    pv.picker.select(services.bank.questions[0].id)
    pv.start_recording()
    def poll():
        if pv.state == "recording":
            print("recording", flush=True)
        else:
            QTimer.singleShot(50, poll)
    poll()
    app.exec()
    """
)


@pytest.mark.audio
@pytest.mark.gui
def test_app_killed_while_recording_recovers_the_attempt_at_next_start(
    virtual_audio, spoken_wav, tmp_path
):
    paths = AppPaths(tmp_path / "data").ensure()
    answer = spoken_wav("I rebuilt the deployment pipeline and cut release time in half.")
    env = dict(os.environ, PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")
    child = subprocess.Popen(
        [sys.executable, "-c", APP_RECORDING, str(paths.root)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )
    try:
        line = child.stdout.readline().strip()
        assert line == "recording", child.stderr.read()
        virtual_audio.play_into_mic(answer, block=True)
        time.sleep(1.5)  # the header is rewritten about every second
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert list(paths.recordings.glob("*.partial.wav")), "the killed app left no partial WAV"

    services = build_services(paths)
    try:
        assert len(services.recovered) == 1
        attempt = services.repo.get_attempt(services.recovered[0])
        assert attempt.status == "recovered"
        assert attempt.question_id == services.bank.questions[0].id  # the row made at Record
        wav = paths.absolute(attempt.audio_path)
        info = sf.info(str(wav))
        assert info.samplerate == 16000 and info.duration >= 2.0
        assert attempt.duration_s == pytest.approx(info.duration, abs=0.05)
        assert any("Recovered 1 interrupted recording" in n for n in services.notices)
    finally:
        services.repo.close()
    again = build_services(paths)  # recovered once, not again
    assert again.recovered == []
    again.repo.close()


def test_corrupt_database_is_moved_aside_and_the_app_starts(tmp_path):
    paths = AppPaths(tmp_path / "data").ensure()
    garbage = b"this is not a database" * 100
    paths.database.write_bytes(garbage)
    (paths.recordings / "old-answer.wav").write_bytes(b"RIFF....")  # stands for a recording
    services = build_services(paths, with_audio=False)
    try:
        notice = next(n for n in services.notices if ".corrupt-" in n)
        moved = [p for p in paths.root.iterdir() if ".corrupt-" in p.name]
        assert len(moved) == 1 and moved[0].read_bytes() == garbage
        assert moved[0].name in notice
        assert (paths.recordings / "old-answer.wav").exists()
        assert services.repo.list_attempts() == []
        assert len(services.bank.questions) >= 80
    finally:
        services.repo.close()


def test_malformed_user_pack_is_reported_and_the_rest_load(tmp_path):
    paths = AppPaths(tmp_path / "data").ensure()
    (paths.packs / "mine.toml").write_text(
        '[pack]\nname = "mine"\n\n[[question]]\nid = "my-q"\ntext = "Tell me about X."\n'
        'competency = "Mine"\nkind = "behavioral-ish"\n',
        encoding="utf-8",
    )
    services = build_services(paths, with_audio=False)
    try:
        notice = next(n for n in services.notices if "mine.toml" in n)
        assert ":8:" in notice and "kind" in notice
        assert services.bank.get("my-q") is None and len(services.bank.questions) >= 80
    finally:
        services.repo.close()


def test_settings_file_damaged_gives_defaults(tmp_path):
    paths = AppPaths(tmp_path / "data").ensure()
    paths.settings.write_text("{not json", encoding="utf-8")
    services = build_services(paths, with_audio=False)
    try:
        assert services.settings.speech_rate == 170 and services.settings.model is None
    finally:
        services.repo.close()
