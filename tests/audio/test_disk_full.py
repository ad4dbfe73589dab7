"""Disk full mid-answer: a clear message, and the audio that reached the disk is kept.

The disk is a real 64 KB tmpfs (about two seconds of 16 kHz audio), mounted for the test.
"""

from __future__ import annotations

import threading

import pytest
import soundfile as sf

from desktop_app.audio.recorder import Recorder

pytestmark = pytest.mark.audio


@pytest.fixture
def tiny_disk(tmpfs):
    return tmpfs("64k")


def test_disk_full_mid_answer_stops_with_a_clear_message_and_keeps_the_audio(
    virtual_audio, tiny_disk, spoken_wav
):
    import sounddevice as sd

    errors: list[str] = []
    failed = threading.Event()
    recorder = Recorder(sd, on_error=lambda m: (errors.append(m), failed.set()))
    player = virtual_audio.play_into_mic(
        spoken_wav("I rebuilt the release pipeline and we shipped every week after that."),
        block=False,
    )
    recorder.start(tiny_disk / "answer.wav")
    assert failed.wait(15), "filling the disk did not stop the recording"
    result = recorder.stop()
    player.wait(timeout=15)

    assert "disk is full" in errors[0] and "saved" in errors[0]
    assert result.error == errors[0]
    assert result.path == tiny_disk / "answer.wav" and result.path.exists()
    data, rate = sf.read(result.path, dtype="float32")
    assert rate == 16000
    assert 0.5 < len(data) / rate <= 2.1  # what fitted on the 64 KB disk, playable
    assert not list(tiny_disk.glob("*.partial.wav"))
