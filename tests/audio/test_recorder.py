"""The recorder on real PortAudio, fed through the PulseAudio virtual microphone."""

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from desktop_app.audio.recorder import Recorder, recover_interrupted
from desktop_app.audio.wavio import write_wav
from tests.fixtures_audio import dominant_frequency, require_real, rms, tone

pytestmark = pytest.mark.audio
ANSWER = "In my last role I led the migration of our billing service to a new database."
REPO = Path(__file__).resolve().parents[2]


def test_records_a_spoken_answer(virtual_audio, spoken_wav, tmp_path):
    import sounddevice as sd

    answer = spoken_wav(ANSWER)
    answer_s = sf.info(answer).duration
    levels, chunks = [], []
    rec = Recorder(sd, on_level=levels.append, on_chunk=chunks.append)
    rec.start(tmp_path / "answer.wav")
    assert rec.is_recording and (tmp_path / "answer.partial.wav").exists()
    assert rec.wait_until_capturing(10)
    time.sleep(0.3)
    virtual_audio.play_into_mic(answer)
    time.sleep(0.3)
    result = rec.stop()

    assert not rec.is_recording
    assert result.path == tmp_path / "answer.wav" and result.sample_rate == 16000
    assert result.error is None
    assert not (tmp_path / "answer.partial.wav").exists()
    data, rate = sf.read(result.path, dtype="float32")
    assert rate == 16000 and data.ndim == 1
    assert answer_s + 0.3 <= result.duration_s <= answer_s + 1.6
    assert result.duration_s == pytest.approx(data.size / 16000)
    assert rms(data) > 0.02  # speech, far above the digital silence of an idle null sink
    assert rms(data[:1600]) < 0.005  # the 0.3 s before the answer started is silent
    # on_chunk got exactly what was written, in order (up to 16-bit quantisation)
    streamed = np.concatenate(chunks)
    assert streamed.size == data.size
    assert np.max(np.abs(streamed - data)) < 1e-4
    assert max(levels) > 0.5 and min(levels) < 0.1  # the meter moved with the voice


@pytest.mark.parametrize("device_rate", [44100, 48000])
def test_device_at_another_rate_gives_correct_16k(virtual_audio, tmp_path, device_rate):
    import sounddevice as sd

    source = write_wav(tmp_path / "tone.wav", tone(1000.0, 22050, 1.0, amplitude=0.5), 22050)
    rec = Recorder(sd, stream_rate=device_rate)
    rec.start(tmp_path / "rec.wav")
    assert rec.stream_rate == device_rate
    assert rec.wait_until_capturing(10)
    time.sleep(0.2)
    virtual_audio.play_into_mic(source)
    time.sleep(0.2)
    t_wall = rec.elapsed
    result = rec.stop()
    data, rate = sf.read(result.path, dtype="float32")
    assert rate == 16000
    assert data.size / 16000 == pytest.approx(t_wall, abs=0.35)  # no speed-up or slow-down
    loud = data[np.abs(data) > 0.1]
    assert loud.size > 0.8 * 16000
    voiced = data[np.argmax(np.abs(data) > 0.1) :][: 16000 - 800]
    # 1 kHz stays 1 kHz: a wrong rate conversion would give 2.9/2.7 kHz or 333/363 Hz
    assert abs(dominant_frequency(voiced, 16000) - 1000.0) < 3.0
    assert rms(voiced) * np.sqrt(2) == pytest.approx(0.5, rel=0.1)


KILL_SCRIPT = """
import sys, time
from pathlib import Path
import sounddevice as sd
from desktop_app.audio.recorder import Recorder
rec = Recorder(sd)
rec.start(Path(sys.argv[1]))
assert rec.wait_until_capturing(10)
print("started", flush=True)
time.sleep(60)
"""


def test_kill_during_recording_leaves_a_recoverable_wav(virtual_audio, tmp_path):
    import sounddevice as sd  # noqa: F401 - the child uses the same PulseAudio (os.environ)

    recordings = tmp_path / "recordings"
    recordings.mkdir()
    source = write_wav(tmp_path / "tone.wav", tone(600.0, 16000, 3.5, amplitude=0.4), 16000)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    child = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(recordings / "killed.wav")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        cwd=REPO,
        text=True,
    )
    try:
        assert child.stdout.readline().strip() == "started", child.stderr.read()
        player = virtual_audio.play_into_mic(source, block=False)
        time.sleep(2.3)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
        player.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
    assert (recordings / "killed.partial.wav").exists()
    assert not (recordings / "killed.wav").exists()

    recovered = recover_interrupted(recordings)
    assert recovered == [recordings / "killed.wav"]
    assert not (recordings / "killed.partial.wav").exists()
    data, rate = sf.read(recovered[0], dtype="float32")
    assert rate == 16000
    assert data.size >= 1.0 * 16000  # lost at most about a second of the ~2.3 s
    assert rms(data) > 0.1
    start = int(np.argmax(np.abs(data) > 0.05))
    assert abs(dominant_frequency(data[start : start + 8000], 16000) - 600) < 5
    assert recover_interrupted(recordings) == []  # nothing left to do


def test_device_lost_mid_answer_keeps_audio(virtual_audio, tmp_path):
    """The record stream is killed in PulseAudio, as when a USB microphone is unplugged."""
    import sounddevice as sd

    source = write_wav(tmp_path / "tone.wav", tone(800.0, 16000, 3.0, amplitude=0.4), 16000)
    errors = []
    failed = threading.Event()
    rec = Recorder(sd, on_error=lambda m: (errors.append(m), failed.set()), stall_timeout_s=1.0)
    rec.start(tmp_path / "lost.wav")
    assert rec.wait_until_capturing(10)
    player = virtual_audio.play_into_mic(source, block=False)
    time.sleep(1.2)
    outputs = subprocess.run(
        ["pactl", "list", "short", "source-outputs"], capture_output=True, text=True
    ).stdout.split("\n")
    ids = [line.split()[0] for line in outputs if line.strip()]
    assert ids, "the recorder's capture stream should be visible in PulseAudio"
    for i in ids:  # newer pactl has kill-source-output; older ones only via pacmd
        killed = any(
            subprocess.run([*tool, "kill-source-output", i], capture_output=True).returncode == 0
            for tool in (["pactl"], ["pacmd"])
        )
        if not killed:
            require_real("neither pactl nor pacmd can kill a PulseAudio record stream here")
    assert failed.wait(5), "on_error was not called after the device went away"
    player.wait(timeout=10)
    result = rec.stop()
    assert "stopped sending audio" in errors[0] and "saved" in errors[0]
    assert result.error == errors[0]
    data, _ = sf.read(result.path, dtype="float32")
    assert data.size >= 0.8 * 16000
    assert rms(data) > 0.1
