"""The spoken answer shared by the live-transcription tests, and its whole-file transcript."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from desktop_app.domain import Transcript
from tests.transcription.test_live import ANSWER, speak


@pytest.fixture(scope="session")
def audio_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("live-audio")


@pytest.fixture(scope="session")
def answer(audio_dir) -> np.ndarray:
    """ANSWER spoken by espeak-ng (about two minutes at 16 kHz)."""
    return speak(ANSWER, audio_dir / "answer.wav")


@pytest.fixture(scope="session")
def whole(tiny_engine, answer) -> Transcript:
    """ANSWER transcribed as one file: the baseline live transcription is held to."""
    return tiny_engine.transcribe(answer)
