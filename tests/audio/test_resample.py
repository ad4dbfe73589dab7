"""Resampler quality: right frequency and amplitude, no aliasing, seamless block joins."""

import numpy as np
import pytest

from desktop_app.audio.resample import StreamResampler, resample, to_mono
from tests.fixtures_audio import dominant_frequency, rms, tone


@pytest.mark.parametrize("rate", [44100, 48000, 22050, 8000])
@pytest.mark.parametrize("freq", [440.0, 3000.0])
def test_tone_keeps_frequency_and_amplitude(rate, freq):
    y = resample(tone(freq, rate, 1.0, amplitude=0.5), rate)
    assert y.dtype == np.float32
    assert y.size == 16000
    mid = y[1000:-1000]
    assert abs(dominant_frequency(mid, 16000) - freq) < 2.0
    assert rms(mid) * np.sqrt(2) == pytest.approx(0.5, rel=0.01)


@pytest.mark.parametrize("rate", [44100, 48000])
def test_7khz_tone_passes_at_its_own_frequency(rate):
    mid = resample(tone(7000.0, rate, 1.0), rate)[1000:-1000]
    assert abs(dominant_frequency(mid, 16000) - 7000.0) < 2.0
    assert rms(mid) * np.sqrt(2) > 0.4  # within ~2 dB of the input's 0.5


@pytest.mark.parametrize("rate", [44100, 48000])
@pytest.mark.parametrize("freq", [9000.0, 10000.0, 15000.0])
def test_above_nyquist_is_removed_not_folded(rate, freq):
    # without an anti-alias filter 10 kHz would come back as a 6 kHz tone at full amplitude
    mid = resample(tone(freq, rate, 1.0, amplitude=0.5), rate)[1000:-1000]
    assert rms(mid) < 0.5 * 10 ** (-60 / 20)  # at least 60 dB down


def test_blockwise_equals_whole_signal():
    x = np.random.default_rng(0).standard_normal(44100 * 2).astype(np.float32) * 0.1
    whole = resample(x, 44100)
    rs = StreamResampler(44100)
    sizes = np.random.default_rng(1).integers(1, 5000, size=200)
    parts, i = [], 0
    for n in sizes:
        parts.append(rs.process(x[i : i + n]))
        i += n
        if i >= x.size:
            break
    parts.append(rs.process(x[i:]))
    parts.append(rs.flush())
    streamed = np.concatenate(parts)
    assert streamed.size == whole.size == 32000
    assert np.max(np.abs(streamed - whole)) < 1e-6


def test_tone_blocks_have_no_clicks_at_joins():
    x = tone(440.0, 48000, 1.0)
    rs = StreamResampler(48000)
    y = np.concatenate([rs.process(x[i : i + 4800]) for i in range(0, x.size, 4800)] + [rs.flush()])
    mid = y[200:-200]
    # a click would show as a sample-to-sample jump far above the sine's own maximum slope
    max_step = 0.5 * 2 * np.pi * 440 / 16000
    assert np.max(np.abs(np.diff(mid))) < max_step * 1.01


def test_no_time_shift():
    x = np.zeros(48000, dtype=np.float32)
    x[24000] = 1.0  # impulse at 0.5 s
    y = resample(x, 48000)
    assert int(np.argmax(y)) == 8000


def test_stereo_and_int_input_downmixed():
    left = tone(440.0, 16000, 0.1)
    stereo = np.stack([left, np.zeros_like(left)], axis=1)
    assert np.allclose(to_mono(stereo), left / 2)
    ints = (left * 32767).astype(np.int16)
    assert np.allclose(to_mono(ints), left, atol=1e-4)
    assert resample(stereo, 16000).shape == (1600,)
