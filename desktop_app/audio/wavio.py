"""WAV files that survive a crash, and reading any audio file as 16 kHz mono float32.

:class:`StreamingWavWriter` writes 16-bit PCM to ``<name>.partial.wav`` and rewrites the RIFF and
data sizes about once a second, so a killed process leaves a playable file that lacks at most
about a second; :meth:`close` renames it to ``<name>.wav``. While it writes, the writer holds an
OS lock on the partial file (:mod:`desktop_app.locks`), so start-up recovery in another process
can tell a live recording from one whose writer is gone. Files are created 0600 (a candidate's
voice). :func:`repair_wav` fixes the sizes of a file whose header fell behind its data (what a
kill leaves).
"""

from __future__ import annotations

import errno
import logging
import os
import struct
from pathlib import Path
from typing import TYPE_CHECKING

from desktop_app.locks import try_lock

from .resample import TARGET_RATE, resample, to_mono

if TYPE_CHECKING:
    import numpy as np

PARTIAL_SUFFIX = ".partial.wav"
_HEADER = 44  # our own files: RIFF(12) + fmt(24) + data header(8)
_COMMON_FORMATS = {"WAV": "WAV", "FLAC": "FLAC", "OGG": "OGG (Vorbis, Opus)", "MP3": "MP3",
                   "AIFF": "AIFF", "CAF": "CAF", "W64": "W64", "AU": "AU"}

log = logging.getLogger(__name__)


class UnreadableAudio(Exception):
    """An audio file that cannot be read; the message names the file and the reason."""


def partial_path_for(path: Path) -> Path:
    """``x/name.wav`` -> ``x/name.partial.wav``."""
    path = Path(path)
    return path.with_name(path.stem + PARTIAL_SUFFIX)


def final_path_for(partial: Path) -> Path:
    """``x/name.partial.wav`` -> ``x/name.wav``."""
    partial = Path(partial)
    if not partial.name.endswith(PARTIAL_SUFFIX):
        raise ValueError(f"{partial} is not a {PARTIAL_SUFFIX} file")
    return partial.with_name(partial.name[: -len(PARTIAL_SUFFIX)] + ".wav")


def open_private(path: Path, *, lock: bool = False):
    """Open ``path`` for writing from empty, created 0600 whatever the umask. With ``lock``,
    take the writer's OS lock first (OSError EBUSY if another process is writing it)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if lock:
            try:
                held = try_lock(fd)
            except OSError as exc:  # a file system without locks: record unlocked
                log.info("cannot lock %s (%s); recording without the lock", path, exc)
                held = True
            if not held:
                raise OSError(errno.EBUSY, "another process is writing this recording", str(path))
        if os.name != "nt":
            os.fchmod(fd, 0o600)
        os.ftruncate(fd, 0)
        return os.fdopen(fd, "r+b")
    except BaseException:
        os.close(fd)
        raise


def _header(rate: int, channels: int, data_bytes: int) -> bytes:
    block = channels * 2
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVEfmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block, block, 16)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


def float_to_pcm16(samples: np.ndarray) -> bytes:
    """Float samples in [-1, 1] -> little-endian int16 bytes (clipped, rounded)."""
    import numpy as np
    x = np.clip(np.asarray(samples, dtype=np.float32), -1.0, 1.0)
    return np.round(x * 32767.0).astype("<i2").tobytes()


class StreamingWavWriter:
    """Incremental 16-bit PCM mono WAV writer, crash-safe to within ``flush_interval_s``."""

    def __init__(
        self,
        path: Path,
        rate: int = TARGET_RATE,
        *,
        flush_interval_s: float = 1.0,
        fsync: bool = True,
    ) -> None:
        self.path = Path(path)
        if self.path.suffix.lower() != ".wav":
            raise ValueError(f"recording path must end in .wav: {self.path}")
        self.rate = int(rate)
        self.partial_path = partial_path_for(self.path)
        self.partial_path.parent.mkdir(parents=True, exist_ok=True)
        self._fsync = fsync
        self._flush_every = max(1, int(flush_interval_s * self.rate))
        self._file = open_private(self.partial_path, lock=True)  # kept open while recording
        self._file.write(_header(self.rate, 1, 0))
        self._sync()
        self.frames = 0
        self._since_flush = 0
        self.closed = False

    @property
    def duration_s(self) -> float:
        return self.frames / self.rate

    def write(self, samples: np.ndarray) -> None:
        """Append mono float32 samples; the header is brought up to date about once a second."""
        if self.closed:
            raise ValueError("write() on a closed StreamingWavWriter")
        data = float_to_pcm16(samples)
        if not data:
            return
        self._file.write(data)
        n = len(data) // 2
        self.frames += n
        self._since_flush += n
        if self._since_flush >= self._flush_every:
            self.flush()

    def flush(self) -> None:
        """Write the current sizes into the header and push everything to disk."""
        data_bytes = self.frames * 2
        self._file.seek(4)
        self._file.write(struct.pack("<I", 36 + data_bytes))
        self._file.seek(40)
        self._file.write(struct.pack("<I", data_bytes))
        self._file.seek(0, os.SEEK_END)
        self._sync()
        self._since_flush = 0

    def _sync(self) -> None:
        self._file.flush()
        if self._fsync:
            try:
                os.fsync(self._file.fileno())
            except OSError:
                pass

    def close(self) -> Path:
        """Finalise the header and rename ``.partial.wav`` to the final ``.wav``; returns it."""
        if not self.closed:
            self.closed = True
            try:
                self.flush()
                self._file.close()
            except OSError:
                # Disk full (or similar): keep what reached the disk, with a header that matches it.
                try:
                    self._file.close()
                except OSError:
                    pass
                self.frames = repair_wav(self.partial_path)
            os.replace(self.partial_path, self.path)
        return self.path

    def __enter__(self) -> StreamingWavWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _find_data_chunk(f, size: int) -> tuple[int, int, int]:
    """Return (offset of data size field, offset of data start, block align) in a RIFF/WAVE."""
    head = f.read(12)
    if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        raise UnreadableAudio(f"Could not read audio file {f.name}: not a WAV file")
    pos, block = 12, 2
    while pos + 8 <= size:
        f.seek(pos)
        cid, clen = struct.unpack("<4sI", f.read(8))
        if cid == b"fmt ":
            fmt = f.read(16)
            if len(fmt) == 16:
                block = max(1, struct.unpack("<HHIIHH", fmt)[4])
        elif cid == b"data":
            return pos + 4, pos + 8, block
        pos += 8 + clen + (clen & 1)
    raise UnreadableAudio(f"Could not read audio file {f.name}: no audio data chunk")


def repair_wav(path: Path) -> int:
    """Fix the RIFF/data sizes from the file's real length; returns the number of frames.

    A file cut off before its header was complete gets a fresh, empty 16 kHz mono header.
    """
    path = Path(path)
    size = path.stat().st_size
    if size < _HEADER:
        with open(path, "r+b") as f:
            head = f.read(12)
            if size >= 12 and (head[:4] != b"RIFF" or head[8:12] != b"WAVE"):
                raise UnreadableAudio(f"Could not read audio file {path}: not a WAV file")
            f.seek(0)
            f.truncate()
            f.write(_header(TARGET_RATE, 1, 0))
        return 0
    with open(path, "r+b") as f:
        size_field, start, block = _find_data_chunk(f, size)
        data_bytes = (size - start) // block * block
        if start + data_bytes < size:
            f.truncate(start + data_bytes)  # a torn last frame
        f.seek(4)
        f.write(struct.pack("<I", start + data_bytes - 8))
        f.seek(size_field)
        f.write(struct.pack("<I", data_bytes))
    return data_bytes // block


def write_wav(path: Path, samples: np.ndarray, rate: int = TARGET_RATE) -> Path:
    """Write a whole mono float32 signal as 16-bit PCM WAV (not crash-safe; for small files)."""
    path = Path(path)
    data = float_to_pcm16(to_mono(samples))
    with open_private(path) as f:
        f.write(_header(int(rate), 1, len(data)) + data)
    return path


def readable_formats() -> str:
    """The everyday formats this machine's libsndfile reads, e.g. "WAV, FLAC, … and MP3"."""
    import soundfile as sf

    have = sf.available_formats()
    names = [label for key, label in _COMMON_FORMATS.items() if key in have]
    return ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else "".join(names)


def read_audio(path: Path) -> tuple[np.ndarray, int]:
    """Read any file libsndfile knows (WAV, FLAC, OGG, ...) as (mono float32, native rate)."""
    import soundfile as sf

    path = Path(path)
    if not path.exists():
        raise UnreadableAudio(f"Could not read audio file {path}: it does not exist")
    if path.is_dir():
        raise UnreadableAudio(f"Could not read audio file {path}: it is a folder")
    try:
        data, rate = sf.read(str(path), dtype="float32", always_2d=True)
    except (RuntimeError, OSError, ValueError, TypeError) as exc:  # LibsndfileError is RuntimeError
        reason = (str(exc).split(": ", 1)[-1] if str(exc) else type(exc).__name__).rstrip(".")
        raise UnreadableAudio(
            f"Could not read audio file {path}: {reason}. Rehearse reads {readable_formats()}; "
            f"convert other formats first, e.g. `ffmpeg -i {path.name} answer.wav`."
        ) from exc
    if data.shape[0] == 0:
        raise UnreadableAudio(f"Could not read audio file {path}: it contains no audio")
    return to_mono(data), int(rate)


def read_audio_16k(path: Path) -> np.ndarray:
    """Any readable audio file as 16 kHz mono float32 (raises UnreadableAudio with the reason)."""
    samples, rate = read_audio(path)
    return resample(samples, rate, TARGET_RATE) if rate != TARGET_RATE else samples
