"""Real audio for tests: a PulseAudio virtual microphone/speaker and espeak-ng spoken answers.

``virtual_audio`` (session): a PulseAudio null sink ``vmic`` that is the default output; its monitor
``vmic.monitor`` is the default input. Whatever is played into the sink is what the app's
microphone hears, and whatever the app plays can be captured from the monitor
(see ../shared/notes/virtual-audio.md). An already running daemon is reused; a daemon this
fixture starts lives in its own XDG_RUNTIME_DIR and is killed at the end of the session.

Missing system parts skip with a reason, or fail when REHEARSE_REQUIRE_REAL=1 (CI).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest

SINK = "vmic"
SOURCE = "vmic.monitor"


def require_real(reason: str) -> None:
    """Skip with ``reason`` — or fail when REHEARSE_REQUIRE_REAL=1 says real parts must be there."""
    if os.environ.get("REHEARSE_REQUIRE_REAL") == "1":
        pytest.fail(f"REHEARSE_REQUIRE_REAL=1 but {reason}")
    pytest.skip(reason)


def _pactl(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["pactl", *args], capture_output=True, text=True, timeout=10, check=check)


def _daemon_up() -> bool:
    try:
        return _pactl("info", check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


class OutputCapture:
    """Records the virtual speaker (``vmic.monitor``) with ``parec`` until stop()."""

    def __init__(self, path: Path, rate: int = 16000) -> None:
        self.path, self.rate = Path(path), rate
        self._file = open(self.path, "wb")  # noqa: SIM115
        self._proc = subprocess.Popen(
            [
                "parec",
                f"--device={SOURCE}",
                "--format=s16le",
                f"--rate={rate}",
                "--channels=1",
                "--latency-msec=20",
            ],
            stdout=self._file,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.3)  # let the record stream connect before anything plays

    def stop(self) -> np.ndarray:
        """Stop recording; returns the captured float32 mono samples at ``self.rate``."""
        if self._proc.poll() is None:
            self._proc.terminate()
            self._proc.wait(timeout=5)
        self._file.close()
        raw = np.frombuffer(self.path.read_bytes(), dtype="<i2")
        return raw.astype(np.float32) / 32768.0

    def __enter__(self) -> OutputCapture:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._proc.poll() is None:
            self._proc.kill()
            self._proc.wait()
        if not self._file.closed:
            self._file.close()


@dataclass
class VirtualAudio:
    runtime_dir: str
    started_here: bool
    workdir: Path
    sink: str = SINK
    source: str = SOURCE
    _count: list[int] = field(default_factory=lambda: [0])

    def play_into_mic(self, wav_path: Path, *, block: bool = True) -> subprocess.Popen:
        """Play a sound file into the virtual microphone (``paplay`` to the sink)."""
        proc = subprocess.Popen(
            ["paplay", f"--device={self.sink}", str(wav_path)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        if block:
            _, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, f"paplay failed: {err.decode(errors='replace')}"
        return proc

    def capture_output(self, path: Path | None = None, rate: int = 16000) -> OutputCapture:
        """Start recording what is played to the default output; call ``.stop()`` for samples."""
        if path is None:
            self._count[0] += 1
            path = self.workdir / f"capture-{self._count[0]}.raw"
        return OutputCapture(path, rate)


@pytest.fixture(scope="session")
def virtual_audio(tmp_path_factory) -> VirtualAudio:
    """Running PulseAudio: null sink ``vmic`` as default output, its monitor as default input."""
    for tool in ("pulseaudio", "pactl", "paplay", "parec", "pacat"):
        if shutil.which(tool) is None:
            require_real(f"{tool} is not installed (apt-get install pulseaudio pulseaudio-utils)")
    try:
        import sounddevice as sd
    except OSError as exc:  # libportaudio2 missing
        require_real(f"PortAudio is not available: {exc}")

    saved_env = os.environ.get("XDG_RUNTIME_DIR")
    started = False
    if not _daemon_up():
        runtime = tempfile.mkdtemp(prefix="rehearse-pulse-")
        os.chmod(runtime, 0o700)
        os.environ["XDG_RUNTIME_DIR"] = runtime
        proc = subprocess.run(
            ["pulseaudio", "-D", "--exit-idle-time=-1", "--log-target=stderr"],
            capture_output=True,
            text=True,
            timeout=30,
        )
        for _ in range(50):
            if _daemon_up():
                break
            time.sleep(0.1)
        else:
            require_real(f"PulseAudio did not start: {proc.stderr.strip()[-300:]}")
        started = True
    loaded_module = None
    if SINK not in _pactl("list", "short", "sinks").stdout.split():
        loaded = _pactl("load-module", "module-null-sink", f"sink_name={SINK}")
        loaded_module = loaded.stdout.strip()
    _pactl("set-default-sink", SINK)
    _pactl("set-default-source", SOURCE)
    if started:  # a suspended sink adds start-up latency to every capture
        _pactl("unload-module", "module-suspend-on-idle", check=False)
    # An idle null sink renders in large blocks, so a new capture stream can wait ~2 s for its
    # first audio; a silent low-latency playback stream keeps the sink (and its monitor) prompt.
    zeros = open("/dev/zero", "rb")  # noqa: SIM115 - closed at session end
    keeper = subprocess.Popen(
        [
            "pacat",
            "--playback",
            f"--device={SINK}",
            "--latency-msec=20",
            "--rate=16000",
            "--channels=1",
            "--format=s16le",
            "--raw",
        ],
        stdin=zeros,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    sd._terminate()  # PortAudio enumerates devices once: re-read them now that the daemon is up
    sd._initialize()
    va = VirtualAudio(
        runtime_dir=os.environ.get("XDG_RUNTIME_DIR", ""),
        started_here=started,
        workdir=tmp_path_factory.mktemp("virtual-audio"),
    )
    try:
        yield va
    finally:
        keeper.kill()
        keeper.wait()
        zeros.close()
        if started:
            subprocess.run(["pulseaudio", "--kill"], capture_output=True, timeout=10)
            if saved_env is None:
                os.environ.pop("XDG_RUNTIME_DIR", None)
            else:
                os.environ["XDG_RUNTIME_DIR"] = saved_env
            shutil.rmtree(va.runtime_dir, ignore_errors=True)
        elif loaded_module:
            _pactl("unload-module", loaded_module, check=False)
        sd._terminate()
        sd._initialize()


def make_spoken_wav(text: str, path: Path, rate: int = 22050, *, wpm: int = 160) -> Path:
    """Speak ``text`` with espeak-ng into a mono WAV at ``rate`` (sox resamples if not 22050)."""
    if shutil.which("espeak-ng") is None:
        require_real("espeak-ng is not installed (apt-get install espeak-ng)")
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = path if rate == 22050 else path.with_suffix(".22050.wav")
    subprocess.run(["espeak-ng", "-s", str(wpm), "-w", str(raw), text], check=True, timeout=60)
    if raw != path:
        if shutil.which("sox") is None:
            require_real("sox is not installed (apt-get install sox)")
        subprocess.run(["sox", str(raw), "-r", str(rate), str(path)], check=True, timeout=60)
        raw.unlink()
    return path


@pytest.fixture
def spoken_wav(tmp_path):
    """Factory: ``spoken_wav(text, path=None, rate=22050) -> Path`` of an espeak-ng recording."""
    counter = [0]

    def make(text: str, path: Path | None = None, rate: int = 22050) -> Path:
        if path is None:
            counter[0] += 1
            path = tmp_path / f"spoken-{counter[0]}.wav"
        return make_spoken_wav(text, path, rate)

    return make


def tone(freq: float, rate: int, seconds: float, amplitude: float = 0.5) -> np.ndarray:
    """A float32 sine tone."""
    t = np.arange(int(rate * seconds)) / rate
    return (amplitude * np.sin(2 * np.pi * freq * t)).astype(np.float32)


def dominant_frequency(samples: np.ndarray, rate: int) -> float:
    """Frequency (Hz) of the strongest spectral peak (Hann window)."""
    x = np.asarray(samples, dtype=np.float64)
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return float(np.argmax(spectrum) * rate / x.size)


def rms(samples: np.ndarray) -> float:
    x = np.asarray(samples, dtype=np.float64)
    return float(np.sqrt(np.mean(x * x))) if x.size else 0.0
