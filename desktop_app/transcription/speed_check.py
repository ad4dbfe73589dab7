"""Which model suits this computer: measure its speed on a short bundled clip, then recommend.

:func:`measure_speed` decodes assets/speed_check.flac (13 s of espeak-ng speech) with the
installed engine, as the live path does (greedy, word timestamps), and returns the real-time
factor. Other models' speeds follow from the measured one scaled by the catalogue's relative
speeds (assets/models.toml). :func:`recommend` picks the most accurate model that keeps live
transcription ahead of speech: its predicted real-time factor leaves the headroom the live path
needs (``max_rtf``) — English-only models first.
No Qt; the measurement blocks (run it off the GUI thread).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from desktop_app.paths import assets_dir
from desktop_app.transcription.catalogue import OfficialModel, catalogue, human_mb

CLIP = "speed_check.flac"
# Predicted seconds per second of speech that keep live ahead with room to spare: committed
# chunks then use at most 15 % of the machine, speculation fits between them (the live path
# drops it above 0.5, assets/live.toml) and a 20 s tail at "stop" takes at most ~3 s.
MAX_RTF = 0.15


class Decoder(Protocol):
    def decode(self, audio: np.ndarray, *, time_offset: float = 0.0,
               purpose: str = "live") -> object: ...


def clip() -> np.ndarray:
    import soundfile as sf

    audio, rate = sf.read(assets_dir() / CLIP, dtype="float32")
    if rate != 16000:
        raise ValueError(f"{CLIP}: expected 16 kHz, found {rate} Hz")
    return audio


def measure_speed(engine: Decoder, *, runs: int = 2,
                  clock: Callable[[], float] = time.perf_counter) -> float:
    """Real-time factor of ``engine`` on the bundled clip (the best of ``runs``, after one
    warm-up call)."""
    audio = clip()
    engine.decode(audio[:16000], purpose="live")  # warm-up
    best = float("inf")
    for _ in range(runs):
        began = clock()
        engine.decode(audio, purpose="live")
        best = min(best, clock() - began)
    return best / (audio.size / 16000)


@dataclass(frozen=True)
class Choice:
    model: OfficialModel
    rtf: float  # predicted on this computer
    keeps_up: bool

    @property
    def text(self) -> str:
        took = self.rtf * 120
        when = f"{took:.0f} s" if took < 90 else f"{took / 60:.0f} min"
        return (f"{self.model.name} ({human_mb(self.model.download_mb)}): "
                f"{self.rtf:.2f} s per second of speech here (a 2-minute answer ≈ {when} of "
                f"work); {self.pace}")

    @property
    def pace(self) -> str:
        """What that speed means while the candidate talks."""
        if self.keeps_up:
            return "keeps up while you talk"
        if self.rtf < 1.0:
            return "falls behind while you talk: scores come a little after you stop"
        return "cannot keep up while you talk: scores come well after you stop"


def predictions(measured_model: str, rtf: float, *, max_rtf: float = MAX_RTF) -> list[Choice]:
    """Every catalogue model's predicted speed on this computer, from one measured model."""
    table = catalogue()
    base = table.get(measured_model) or table["tiny.en"]
    factor = rtf / base.speed
    return [Choice(m, m.speed * factor, m.speed * factor <= max_rtf) for m in table.values()]


def recommend(measured_model: str, rtf: float, *, english: bool = True,
              max_rtf: float = MAX_RTF) -> Choice:
    """The most accurate (largest) model that keeps up here; tiny.en when none does."""
    choices = [c for c in predictions(measured_model, rtf, max_rtf=max_rtf)
               if c.model.name.endswith(".en") == english and "turbo" not in c.model.name]
    fitting = [c for c in choices if c.keeps_up]
    if not fitting:
        return min(choices, key=lambda c: c.rtf)
    return max(fitting, key=lambda c: c.model.download_mb)


@dataclass(frozen=True)
class Advice:
    """What one measurement says: ``measured`` (the installed model timed) ran at ``rtf``;
    ``best`` suits this computer; ``others`` are the other English-only models' predictions."""

    measured: str
    rtf: float
    best: Choice
    others: list[Choice]

    @property
    def installed_is_best(self) -> bool:
        return self.best.model.name == self.measured

    @property
    def text(self) -> str:
        busy = "" if self.best.keeps_up else (
            "\nEven the fastest model has no room to spare here right now: other programs may "
            "be busy. Measure again in Settings when they are closed.")
        return (f"This computer runs {self.measured} at {self.rtf:.2f} s per second of speech.\n"
                f"Recommended: {self.best.text}.{busy}\n"
                "The others (scaled from this measurement by their relative speed):\n"
                + "\n".join(f"• {c.text}" for c in self.others))


def advise(measured: str, shape: str | None, rtf: float, *, max_rtf: float = MAX_RTF) -> Advice:
    """The advice for a measured ``rtf`` of the installed model ``measured`` (``shape``: the
    official model it is, e.g. "base" for an imported one)."""
    shape = shape or measured
    best = recommend(shape, rtf, max_rtf=max_rtf)
    others = [c for c in predictions(shape, rtf, max_rtf=max_rtf)
              if c.model.name.endswith(".en") and c.model.name != best.model.name]
    return Advice(measured, rtf, best, others)
