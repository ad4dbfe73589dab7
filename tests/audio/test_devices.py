"""Device lookup, and the clear message when there is no microphone."""

import pytest

from desktop_app.audio.devices import (
    NoInputDevice,
    list_input_devices,
    resolve_input,
)
from desktop_app.audio.recorder import Recorder


class _Default:
    device = [-1, -1]


class NoDevicesSD:
    """A sounddevice stand-in with no devices at all.

    A fake is justified here: the test machine always has the PulseAudio virtual microphone, so a
    machine without any input device cannot be produced for real.
    """

    default = _Default()

    def query_devices(self):
        return []

    def query_hostapis(self, index=None):
        return {"name": "ALSA"}

    def InputStream(self, **kwargs):  # noqa: N802 - mirrors sounddevice
        raise AssertionError("must not try to open a stream without a device")


def test_no_microphone_gives_a_clear_error(tmp_path):
    sd = NoDevicesSD()
    assert list_input_devices(sd) == []
    with pytest.raises(NoInputDevice, match="No microphone found. Plug one in or choose a device"):
        resolve_input(sd, None)
    rec = Recorder(sd)
    with pytest.raises(NoInputDevice, match="No microphone found"):
        rec.start(tmp_path / "a.wav")
    assert list(tmp_path.iterdir()) == []  # nothing half-created
    assert not rec.is_recording


@pytest.mark.audio
def test_real_devices_listed_and_resolved(virtual_audio):
    import sounddevice as sd

    devices = list_input_devices(sd)
    names = [d.name for d in devices]
    assert "pulse" in names
    default = resolve_input(sd, None)
    assert default.is_default and default.channels >= 1
    pulse = resolve_input(sd, "pulse")
    assert pulse.name == "pulse" and pulse.default_samplerate > 0
    assert resolve_input(sd, pulse.index) == pulse
    assert pulse.hostapi  # e.g. "ALSA"


@pytest.mark.audio
def test_unplugged_device_named_in_message(virtual_audio):
    import sounddevice as sd

    with pytest.raises(NoInputDevice) as err:
        resolve_input(sd, "USB Podcast Mic (hw:3,0)")
    assert str(err.value).startswith(
        "The input device 'USB Podcast Mic (hw:3,0)' is no longer available."
    )
