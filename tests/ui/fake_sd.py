"""A stand-in for the ``sounddevice`` module that "captures" a sine tone.

Used only when no real capture device exists (no PulseAudio virtual microphone): the recorder,
the WAV writer and the UI still run for real; only PortAudio is replaced. The real path is
covered by the same test with the virtual microphone.
"""

from __future__ import annotations

import threading
import time
from types import SimpleNamespace
from typing import Any

import numpy as np


class PortAudioError(Exception):
    pass


class CallbackStop(Exception):
    pass


class _InputStream:
    def __init__(self, *, samplerate: int, channels: int, blocksize: int, callback: Any,
                 finished_callback: Any = None, lose_after_s: float | None = None,
                 **_: Any) -> None:
        self.lose_after = None if lose_after_s is None else int(lose_after_s * samplerate)
        self.rate, self.channels, self.blocksize = int(samplerate), int(channels), int(blocksize)
        self.callback, self.finished_callback = callback, finished_callback
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._n = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        period = self.blocksize / self.rate
        while not self._stop.is_set():
            if self.lose_after is not None and self._n >= self.lose_after:
                return  # the device "goes away": no more callbacks
            t = (self._n + np.arange(self.blocksize)) / self.rate
            block = (0.3 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)
            self._n += self.blocksize
            self.callback(np.repeat(block[:, None], self.channels, axis=1), self.blocksize,
                          None, None)
            time.sleep(period)
        if self.finished_callback:
            self.finished_callback()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    abort = stop

    def close(self) -> None:
        self.stop()


class FakeSoundDevice(SimpleNamespace):
    """One input device ("Fake microphone", 16 kHz); ``lose_after_s`` simulates unplugging it."""

    PortAudioError = PortAudioError
    CallbackStop = CallbackStop

    def __init__(self, lose_after_s: float | None = None) -> None:
        super().__init__(default=SimpleNamespace(device=[0, -1]), lose_after_s=lose_after_s)

    @staticmethod
    def query_devices(*_a: Any, **_k: Any) -> list[dict[str, Any]]:
        return [{"name": "Fake microphone", "index": 0, "hostapi": 0, "max_input_channels": 1,
                 "max_output_channels": 0, "default_samplerate": 16000.0}]

    @staticmethod
    def query_hostapis(_index: int | None = None) -> dict[str, Any]:
        return {"name": "Fake"}

    def InputStream(self, **kwargs: Any) -> _InputStream:  # noqa: N802 (sounddevice API)
        return _InputStream(lose_after_s=self.lose_after_s, **kwargs)
