"""Record the answer: PortAudio callback -> queue -> recorder thread -> crash-safe 16 kHz WAV.

The PortAudio callback only copies the block into a queue. The recorder thread downmixes,
resamples to ``target_rate`` when the device runs at another rate, writes the WAV as it goes,
reports a level for the meter and hands 16 kHz mono float32 chunks to ``on_chunk`` (in order).
"""

from __future__ import annotations

import errno
import logging
import math
import queue
import shutil
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from desktop_app.locks import is_locked

from .devices import InputDevice, resolve_input
from .resample import TARGET_RATE, StreamResampler, to_mono
from .wavio import PARTIAL_SUFFIX, StreamingWavWriter, final_path_for, repair_wav

if TYPE_CHECKING:
    import numpy as np

log = logging.getLogger(__name__)

_STOP = object()


class RecordingError(Exception):
    """The microphone could not be opened or used; the message is meant for the user."""


@dataclass(frozen=True)
class RecordingResult:
    path: Path
    duration_s: float
    sample_rate: int
    error: str | None = None  # set when the device failed mid-answer (audio so far is kept)


def level_of(block: np.ndarray) -> float:
    """Meter level 0..1: the block's RMS on a -60..0 dBFS scale."""
    import numpy as np
    if block.size == 0:
        return 0.0
    rms = float(np.sqrt(np.mean(np.square(block, dtype=np.float64))))
    if rms <= 1e-6:
        return 0.0
    return min(1.0, max(0.0, (20.0 * math.log10(rms) + 60.0) / 60.0))


# Recording stops while this much space is still free on the recording's disk (at most 5 % of
# a small disk), so the database can still record the attempt, its length and later its
# transcript at once, instead of failing with "disk full" and keeping it "recording" at 0 s.
MIN_FREE_BYTES = 8 * 1024 * 1024
_SPACE_CHECK_S = 0.5


def space_short(folder: Path, reserve: int) -> int | None:
    """Free bytes on the disk holding ``folder`` when fewer than ``reserve`` (capped at 5 % of
    the disk) are left, else None (also when it cannot be told)."""
    try:
        usage = shutil.disk_usage(folder)
    except OSError:
        return None
    return usage.free if usage.free < min(reserve, usage.total // 20) else None


def failure_message(exc: BaseException) -> str:
    """What to tell the user when writing the recording fails."""
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        return (
            "The disk is full, so recording stopped. The answer so far has been saved; "
            "free some space and record again."
        )
    return f"Recording stopped: {exc}"


class Recorder:
    """One recording at a time from an input device (name, index or None = default).

    ``stream_rate`` forces the device rate; by default the device is opened at ``target_rate`` when
    it supports it, otherwise at its own default rate (and the audio is resampled).
    ``stall_timeout_s``: no audio for this long while recording counts as a lost device
    (``first_audio_timeout_s`` before the first block: some back-ends take ~2 s to start).
    ``min_free_bytes``: the recording stops like on a full disk (the audio so far kept) when less
    than this (at most 5 % of the disk) is left free, leaving room for the database to record
    the attempt; 0 turns the guard off.
    """

    def __init__(
        self,
        sd: Any,
        *,
        device: str | int | None = None,
        target_rate: int = TARGET_RATE,
        block_s: float = 0.1,
        on_level: Callable[[float], None] | None = None,
        on_chunk: Callable[[np.ndarray], None] | None = None,
        on_error: Callable[[str], None] | None = None,
        stream_rate: int | None = None,
        stall_timeout_s: float = 2.0,
        first_audio_timeout_s: float = 6.0,
        min_free_bytes: int = MIN_FREE_BYTES,
    ) -> None:
        self._sd = sd
        self.device = device
        self.target_rate = int(target_rate)
        self.block_s = float(block_s)
        self.on_level, self.on_chunk, self.on_error = on_level, on_chunk, on_error
        self.forced_rate = stream_rate
        self.stall_timeout_s = stall_timeout_s
        self.first_audio_timeout_s = first_audio_timeout_s
        self.min_free_bytes = int(min_free_bytes)
        self._capturing = threading.Event()
        self.stream_rate: int | None = None  # the rate the device was actually opened at
        self.input_device: InputDevice | None = None
        self.overflows = 0  # blocks PortAudio reported as overflowed (audio dropped by the OS)
        self._stream = None
        self._thread: threading.Thread | None = None
        self._queue: queue.Queue = queue.Queue()
        self._writer: StreamingWavWriter | None = None
        self._lock = threading.Lock()
        self._recording = False
        self._stopping = False
        self._error: str | None = None
        self._t0 = 0.0
        self._t_end: float | None = None
        self._result: RecordingResult | None = None

    # -- public --------------------------------------------------------------------------------
    @property
    def is_recording(self) -> bool:
        return self._recording

    @property
    def elapsed(self) -> float:
        """Seconds since start (frozen once stopped or failed)."""
        if not self._t0:
            return 0.0
        return (self._t_end or time.monotonic()) - self._t0

    def wait_until_capturing(self, timeout: float | None = None) -> bool:
        """Block until the first audio block has arrived (the user can start talking)."""
        return self._capturing.wait(timeout)

    def start(self, path: Path) -> None:
        """Open the device and start writing ``path`` (via ``<name>.partial.wav``).

        Raises NoInputDevice (no/unknown device) or RecordingError (device cannot be opened).
        """
        if self._recording:
            raise RecordingError("Already recording.")
        dev = resolve_input(self._sd, self.device)
        channels, rate = self._choose_settings(dev)
        free = space_short(Path(path).parent, self.min_free_bytes) if self.min_free_bytes else None
        if free is not None:
            raise RecordingError(
                f"The disk holding {Path(path).parent} is full ({free / 1e6:.1f} MB free), so "
                "recording cannot start. Free some space and record again."
            )
        self.input_device, self.stream_rate = dev, rate
        self._queue = queue.Queue()
        self._error, self._result, self._t_end = None, None, None
        self._stopping = False
        self._capturing.clear()
        self.overflows = 0
        try:
            stream = self._sd.InputStream(
                device=dev.index,
                samplerate=rate,
                channels=channels,
                dtype="float32",
                blocksize=max(1, int(rate * self.block_s)),
                callback=self._callback,
                finished_callback=self._stream_finished,
            )
        except Exception as exc:  # PortAudioError and friends
            raise RecordingError(f"Could not open the microphone '{dev.name}': {exc}") from exc
        self._writer = StreamingWavWriter(Path(path), self.target_rate)
        resampler = StreamResampler(rate, self.target_rate) if rate != self.target_rate else None
        self._stream = stream
        self._thread = threading.Thread(
            target=self._run, args=(resampler,), name="rehearse-recorder", daemon=True
        )
        self._recording = True
        self._t0 = time.monotonic()
        self._thread.start()
        try:
            stream.start()
        except Exception as exc:
            self._fail(f"Could not start the microphone '{dev.name}': {exc}")
            self.stop()
            raise RecordingError(f"Could not start the microphone '{dev.name}': {exc}") from exc

    def stop(self) -> RecordingResult:
        """Stop, write every queued block, finalise the WAV and return it (idempotent)."""
        with self._lock:
            if self._thread is None:
                if self._result is None:
                    raise RecordingError("Not recording.")
                return self._result
            self._stopping = True
            stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.stop()  # returns after the last callback has run
            except Exception as exc:  # noqa: BLE001 - a lost device may fail to stop
                log.warning("stopping input stream failed: %s", exc)
            try:
                stream.close()
            except Exception as exc:  # noqa: BLE001
                log.warning("closing input stream failed: %s", exc)
        self._queue.put(_STOP)
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        return self._result  # type: ignore[return-value]

    # -- internals -----------------------------------------------------------------------------
    def _choose_settings(self, dev: InputDevice) -> tuple[int, int]:
        check = getattr(self._sd, "check_input_settings", None)

        def ok(ch: int, r: int) -> bool:
            if check is None:
                return True
            try:
                check(device=dev.index, channels=ch, dtype="float32", samplerate=r)
                return True
            except Exception:  # noqa: BLE001
                return False

        rates = [int(self.forced_rate)] if self.forced_rate else []
        rates += [self.target_rate, int(dev.default_samplerate or 0), 48000, 44100]
        for ch in dict.fromkeys([1, min(2, dev.channels), dev.channels]):
            for r in rates:
                if r > 0 and ok(ch, r):
                    return ch, r
        raise RecordingError(
            f"The microphone '{dev.name}' supports none of the sample rates tried "
            f"({', '.join(str(r) for r in dict.fromkeys(rates) if r > 0)} Hz)."
        )

    def _callback(self, indata, frames, time_info, status) -> None:  # PortAudio thread
        if status and status.input_overflow:
            self.overflows += 1
        self._queue.put(indata.copy())
        self._capturing.set()

    def _stream_finished(self) -> None:  # PortAudio thread, after the stream ended
        if not self._stopping:
            self._queue.put(_STOP)  # unexpected end: the device went away

    def _fail(self, message: str) -> None:
        if self._error is None:
            self._error = message
            log.warning("recording failed: %s", message)
            if self.on_error is not None:
                try:
                    self.on_error(message)
                except Exception:  # noqa: BLE001
                    log.exception("on_error callback failed")

    def _emit(self, chunk: np.ndarray) -> None:
        if chunk.size == 0:
            return
        self._writer.write(chunk)
        if self.on_chunk is not None:
            try:
                self.on_chunk(chunk)
            except Exception:  # noqa: BLE001 - a consumer bug must not lose the recording
                log.exception("on_chunk callback failed")

    def _disk_nearly_full(self) -> bool:
        return space_short(self._writer.partial_path.parent, self.min_free_bytes) is not None

    def _run(self, resampler: StreamResampler | None) -> None:  # recorder thread
        last_audio = last_space = time.monotonic()
        try:
            while True:
                try:
                    item = self._queue.get(timeout=0.25)
                except queue.Empty:
                    limit = (
                        self.stall_timeout_s
                        if self._capturing.is_set()
                        else self.first_audio_timeout_s
                    )
                    if not self._stopping and time.monotonic() - last_audio > limit:
                        self._fail(self._lost_message())
                        break
                    continue
                if item is _STOP:
                    if not self._stopping:
                        self._fail(self._lost_message())
                    break
                last_audio = time.monotonic()
                mono = to_mono(item)
                if self.on_level is not None:
                    try:
                        self.on_level(level_of(mono))
                    except Exception:  # noqa: BLE001
                        log.exception("on_level callback failed")
                self._emit(resampler.process(mono) if resampler else mono)
                if last_audio - last_space >= _SPACE_CHECK_S:
                    last_space = last_audio
                    if self.min_free_bytes > 0 and self._disk_nearly_full():
                        self._fail(failure_message(OSError(errno.ENOSPC, "disk full")))
                        break
            # a lost device or a full disk: keep whatever is still queued
            while True:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is not _STOP:
                    self._emit(resampler.process(to_mono(item)) if resampler else to_mono(item))
            if resampler is not None:
                self._emit(resampler.flush())
        except Exception as exc:  # noqa: BLE001 - e.g. disk full
            self._fail(failure_message(exc))
        finally:
            self._finish()

    def _lost_message(self) -> str:
        name = self.input_device.name if self.input_device else "microphone"
        return (
            f"The microphone '{name}' stopped sending audio (was it unplugged?). "
            "The answer so far has been saved."
        )

    def _finish(self) -> None:
        writer = self._writer
        path = writer.path
        try:
            path = writer.close()
        except Exception as exc:  # noqa: BLE001
            self._fail(f"Could not save the recording {writer.path}: {exc}")
        self._t_end = time.monotonic()
        self._recording = False
        self._result = RecordingResult(path, writer.duration_s, self.target_rate, self._error)
        if self._error is not None and not self._stopping:
            with self._lock:
                stream, self._stream = self._stream, None
            if stream is not None:
                try:
                    stream.abort()
                    stream.close()
                except Exception:  # noqa: BLE001
                    pass


def writer_alive(partial: Path) -> bool:
    """True while a process (this one included) is still writing ``partial`` (it holds the
    writer's lock, see :func:`desktop_app.audio.wavio.open_private`)."""
    return is_locked(Path(partial))


def recover_interrupted(recordings_dir: Path) -> list[Path]:
    """Repair every ``*.partial.wav`` whose writer is gone (a crash or kill); returns the
    recovered ``.wav`` paths.

    A partial file still being written by a live process (another window on the same data
    folder) is left alone. Files that are not WAVs are left alone too.
    """
    recovered = []
    root = Path(recordings_dir)
    if not root.is_dir():
        return recovered
    for partial in sorted(root.rglob("*" + PARTIAL_SUFFIX)):
        if writer_alive(partial):
            log.info("%s is still being recorded by another process; not touched", partial)
            continue
        try:
            repair_wav(partial)
        except Exception as exc:  # noqa: BLE001 - UnreadableAudio, OSError
            log.warning("could not recover %s: %s", partial, exc)
            continue
        final = final_path_for(partial)
        n = 1
        while final.exists():
            final = final.with_name(f"{final_path_for(partial).stem}-recovered{n}.wav")
            n += 1
        try:
            partial.replace(final)
        except OSError as exc:  # Windows: still open in another process
            log.warning("could not rename %s: %s", partial, exc)
            continue
        recovered.append(final)
    return recovered
