"""Crash-safe WAV writing, header repair and reading any audio file at 16 kHz."""

import shutil

import numpy as np
import pytest
import soundfile as sf

from desktop_app.audio.wavio import (
    StreamingWavWriter,
    UnreadableAudio,
    read_audio_16k,
    repair_wav,
)
from tests.fixtures_audio import dominant_frequency, tone


def test_streaming_writer_renames_on_close(tmp_path):
    target = tmp_path / "answer.wav"
    w = StreamingWavWriter(target)
    assert w.partial_path == tmp_path / "answer.partial.wav"
    for i in range(0, 16000 * 3, 1600):
        w.write(tone(440, 16000, 3.0)[i : i + 1600])
    assert w.partial_path.exists() and not target.exists()
    assert w.close() == target
    assert not w.partial_path.exists()
    data, rate = sf.read(target, dtype="float32")
    assert rate == 16000 and data.shape == (48000,)
    assert abs(dominant_frequency(data, 16000) - 440) < 1


def test_header_is_current_within_a_second_while_writing(tmp_path):
    w = StreamingWavWriter(tmp_path / "a.wav")
    block = tone(440, 16000, 0.1)
    for _ in range(25):  # 2.5 s written, file still open (as if the process were killed now)
        w.write(block)
    snapshot = tmp_path / "copy.wav"
    shutil.copy(w.partial_path, snapshot)
    info = sf.info(snapshot)  # readable without any repair
    assert 1.5 <= info.duration <= 2.5
    w.close()


def test_repair_fixes_sizes_from_file_length(tmp_path):
    w = StreamingWavWriter(tmp_path / "b.wav", flush_interval_s=100)  # header never updated
    w.write(tone(1000, 16000, 2.0))
    w._file.flush()
    snapshot = tmp_path / "killed.wav"
    shutil.copy(w.partial_path, snapshot)
    w.close()
    with open(snapshot, "ab") as f:
        f.write(b"\x01")  # a torn half sample at the end
    assert sf.info(snapshot).frames == 0  # the header still says "empty"
    assert repair_wav(snapshot) == 32000
    data, rate = sf.read(snapshot, dtype="float32")
    assert rate == 16000 and data.size == 32000
    assert abs(dominant_frequency(data, 16000) - 1000) < 1


def test_repair_of_a_file_cut_inside_the_header(tmp_path):
    p = tmp_path / "cut.wav"
    p.write_bytes(b"RIFF\x00\x00")
    assert repair_wav(p) == 0
    assert sf.info(p).frames == 0


def test_read_audio_16k_resamples_flac(tmp_path):
    p = tmp_path / "tone.flac"
    sf.write(p, tone(440, 44100, 1.0), 44100)
    y = read_audio_16k(p)
    assert y.dtype == np.float32 and y.size == 16000
    assert abs(dominant_frequency(y, 16000) - 440) < 2


@pytest.mark.parametrize(
    ("content", "reason"),
    [(None, "does not exist"), (b"this is not audio at all" * 10, "")],
)
def test_unreadable_audio_has_clear_message(tmp_path, content, reason):
    p = tmp_path / "answer.wav"
    if content is not None:
        p.write_bytes(content)
    with pytest.raises(UnreadableAudio) as err:
        read_audio_16k(p)
    assert str(err.value).startswith(f"Could not read audio file {p}: ")
    assert reason in str(err.value)
    assert len(str(err.value)) > len(f"Could not read audio file {p}: ") + 3


def test_empty_wav_is_reported(tmp_path):
    p = tmp_path / "empty.wav"
    StreamingWavWriter(p).close()
    with pytest.raises(UnreadableAudio, match="contains no audio"):
        read_audio_16k(p)
