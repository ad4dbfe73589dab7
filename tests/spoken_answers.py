"""Long spoken answers for accuracy tests and bench/accuracy.py: espeak-ng reads the answer texts in
tests/fixtures/answers/ with several US and GB voices, speeds and pitches.

A blank line in a text is a pause while the candidate thinks (0.7-2.4 s, an SSML ``<break>``);
sentences get espeak-ng's own short pauses. Some takes get a quiet room tone (pink noise), as a
laptop microphone gives. WAVs are cached by content hash (``REHEARSE_TEST_CACHE``/spoken).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np
import soundfile as sf

SR = 16000
ANSWERS_DIR = Path(__file__).parent / "fixtures" / "answers"
_RECIPE = 2  # bump when the way takes are made changes (invalidates the cache)


@dataclass(frozen=True)
class Take:
    """One answer text spoken one way."""

    name: str  # the text file's stem in tests/fixtures/answers
    voice: str  # espeak-ng voice (+variant)
    wpm: int
    pitch: int  # espeak-ng 0-99 (50 = the voice's own)
    noise_rms: float = 0.0  # room tone added (0 = clean)

    @property
    def text(self) -> str:
        return (ANSWERS_DIR / f"{self.name}.txt").read_text(encoding="utf-8").strip()

    @property
    def label(self) -> str:
        noise = f" noise {self.noise_rms:g}" if self.noise_rms else ""
        return f"{self.name} ({self.voice} {self.wpm} wpm p{self.pitch}{noise})"


# US and GB voices, 145-185 words per minute, low to high pitch; three with room tone.
TAKES: tuple[Take, ...] = (
    Take("payments_outage", "en-us", 160, 50),
    Take("design_disagreement", "en-gb", 150, 40),
    Take("mentoring_junior", "en-us+f2", 170, 60),
    Take("database_migration", "en-gb-x-rp", 165, 45, 0.003),
    Take("missed_deadline", "en-us-nyc", 175, 50),
    Take("flaky_tests", "en-gb-scotland", 155, 55),
    Take("security_incident", "en-us+m3", 180, 35, 0.002),
    Take("cost_reduction", "en-gb+f3", 160, 65),
    Take("estimation_pushback", "en-us", 145, 30),
    Take("onboarding_docs", "en-gb", 185, 50, 0.003),
)


def cache_dir() -> Path:
    base = Path(os.environ.get("REHEARSE_TEST_CACHE", "~/.cache/rehearse-tests")).expanduser()
    return base / "spoken"


def ssml(text: str, seed: int) -> str:
    """The text as SSML, each blank line a pause of 0.7-2.4 s (deterministic per ``seed``)."""
    rng = np.random.default_rng(seed)
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n") if p.strip()]
    parts = [escape(paragraphs[0])]
    for p in paragraphs[1:]:
        parts.append(f'<break time="{int(rng.uniform(700, 2400))}ms"/>')
        parts.append(escape(p))
    return "<speak>" + " ".join(parts) + "</speak>"


def speak_take(take: Take, folder: Path | None = None) -> tuple[np.ndarray, Path]:
    """The take as 16 kHz mono float32 samples and its WAV (made once, then cached)."""
    if shutil.which("espeak-ng") is None or shutil.which("sox") is None:
        raise FileNotFoundError("espeak-ng and sox are needed (apt-get install espeak-ng sox)")
    key = hashlib.sha256(repr((_RECIPE, take, take.text)).encode()).hexdigest()[:16]
    folder = folder or cache_dir()
    folder.mkdir(parents=True, exist_ok=True)
    wav = folder / f"{take.name}-{key}.wav"
    if not wav.exists():
        raw = wav.with_suffix(".raw.wav")
        seed = int(key[:8], 16)
        cmd = ["espeak-ng", "-m", "-v", take.voice, "-s", str(take.wpm), "-p", str(take.pitch),
               "-w", str(raw), ssml(take.text, seed)]  # fmt: skip
        subprocess.run(cmd, check=True, timeout=120)
        subprocess.run(["sox", "-G", str(raw), "-r", str(SR), str(raw.with_suffix(".16k.wav"))],
                       check=True, timeout=120)  # fmt: skip
        audio, _ = sf.read(raw.with_suffix(".16k.wav"), dtype="float32")
        if take.noise_rms:
            audio = audio + room_tone(audio.size, take.noise_rms, seed)
        tmp = wav.with_suffix(".tmp.wav")
        sf.write(tmp, audio.astype(np.float32), SR, subtype="FLOAT")
        os.replace(tmp, wav)
        raw.unlink()
        raw.with_suffix(".16k.wav").unlink()
    audio, rate = sf.read(wav, dtype="float32")
    assert rate == SR
    return audio, wav


def room_tone(n: int, rms: float, seed: int) -> np.ndarray:
    """Pink-ish noise of the given RMS (a quiet room through a laptop microphone)."""
    rng = np.random.default_rng(seed)
    noise = np.convolve(rng.normal(0, 1, n), 0.7 ** np.arange(30), mode="same")
    return (noise / noise.std() * rms).astype(np.float32)
