"""Audio device discovery through an injected ``sounddevice``-like module.

Settings store devices by name (indexes change when devices come and go); an int is accepted too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


class NoInputDevice(Exception):
    """No usable microphone; the message is meant for the user."""


class NoOutputDevice(Exception):
    """No usable speaker; the message is meant for the user."""


@dataclass(frozen=True)
class InputDevice:
    """One PortAudio device (used for inputs and outputs alike)."""

    index: int
    name: str
    hostapi: str
    channels: int  # max input channels (max output channels for output devices)
    default_samplerate: float
    is_default: bool


OutputDevice = InputDevice


def _default_index(sd: Any, which: int) -> int | None:
    try:
        value = sd.default.device[which]
    except Exception:  # noqa: BLE001 - fakes and odd builds
        return None
    if isinstance(value, str):
        for i, d in enumerate(sd.query_devices()):
            if d["name"] == value:
                return i
        return None
    return None if value is None or int(value) < 0 else int(value)


def _hostapi_name(sd: Any, index: int) -> str:
    try:
        return str(sd.query_hostapis(index)["name"])
    except Exception:  # noqa: BLE001
        return ""


def _list(sd: Any, key: str, which: int) -> list[InputDevice]:
    default = _default_index(sd, which)
    out = []
    for i, d in enumerate(sd.query_devices()):
        channels = int(d.get(key, 0))
        if channels <= 0:
            continue
        index = int(d.get("index", i))
        out.append(
            InputDevice(
                index=index,
                name=str(d["name"]),
                hostapi=_hostapi_name(sd, int(d.get("hostapi", 0))),
                channels=channels,
                default_samplerate=float(d.get("default_samplerate", 0.0) or 0.0),
                is_default=index == default,
            )
        )
    return out


def list_input_devices(sd: Any) -> list[InputDevice]:
    """Every device with at least one input channel."""
    return _list(sd, "max_input_channels", 0)


def list_output_devices(sd: Any) -> list[InputDevice]:
    """Every device with at least one output channel."""
    return _list(sd, "max_output_channels", 1)


def _resolve(devices: list[InputDevice], wanted: str | int | None) -> InputDevice | None:
    if wanted is None or wanted == "":
        for d in devices:
            if d.is_default:
                return d
        return devices[0] if devices else None
    if isinstance(wanted, int) or (isinstance(wanted, str) and wanted.strip().isdigit()):
        idx = int(wanted)
        return next((d for d in devices if d.index == idx), None)
    name = wanted.strip()
    for match in (
        lambda d: d.name == name,
        lambda d: d.name.casefold() == name.casefold(),
        lambda d: d.name.casefold().startswith(name.casefold()),
        lambda d: name.casefold() in d.name.casefold(),
    ):
        found = [d for d in devices if match(d)]
        if found:
            return found[0]
    return None


def resolve_input(sd: Any, wanted: str | int | None) -> InputDevice:
    """The input device by name or index (None = the default input); NoInputDevice if absent."""
    devices = list_input_devices(sd)
    if not devices:
        raise NoInputDevice("No microphone found. Plug one in or choose a device in Settings.")
    found = _resolve(devices, wanted)
    if found is None:
        raise NoInputDevice(
            f"The input device '{wanted}' is no longer available. "
            "Plug it back in or choose another device in Settings."
        )
    return found


def resolve_output(sd: Any, wanted: str | int | None) -> InputDevice:
    """The output device by name or index (None = the default output); NoOutputDevice if absent."""
    devices = list_output_devices(sd)
    if not devices:
        raise NoOutputDevice("No speaker or headphones found. Plug some in to hear questions.")
    found = _resolve(devices, wanted)
    if found is None:
        raise NoOutputDevice(
            f"The output device '{wanted}' is no longer available. "
            "Choose another device in Settings."
        )
    return found
