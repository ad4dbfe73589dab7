"""The per-answer flow's vocabulary: its phases, the events it reports, its options (from
``assets/practice.toml``) and the ports it drives (a Recorder, a Processing)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

import tomllib

from desktop_app.domain import Question, Transcript
from desktop_app.paths import assets_dir


class Phase(str, Enum):
    IDLE = "idle"
    THINKING = "thinking"  # the question was spoken; think time runs before recording
    STARTING = "starting"  # the microphone is opening
    RECORDING = "recording"
    STOPPING = "stopping"  # the recording is being saved

    def __str__(self) -> str:
        return self.value


class Event(str, Enum):
    """What a :class:`FlowUpdate` reports."""

    QUESTION_SHOWN = "question_shown"  # a new question (question)
    QUESTION_SPOKEN = "question_spoken"  # text-to-speech finished saying it
    THINK_STARTED = "think_started"  # seconds = the think time
    THINK_OVER = "think_over"
    PHASE = "phase"  # the phase changed (phase)
    RECORDING_STARTED = "recording_started"  # path; attempt_id (None if the row failed)
    LIVE_TEXT = "live_text"  # transcript so far while recording (transcript)
    SILENCE = "silence"  # no voice for ``seconds`` while recording (hands-free stop)
    STOPPED = "stopped"  # the recording is stored: attempt_id, parent_attempt_id, seconds
    EMPTY = "empty"  # the recording was empty: stored, nothing to transcribe
    TRANSCRIBING = "transcribing"  # attempt_id
    SCORING = "scoring"  # attempt_id: a typed answer is being scored (nothing to transcribe)
    TRANSCRIBED = "transcribed"  # attempt_id, transcript
    SCORED = "scored"  # attempt_id, transcript, analysis
    FOLLOW_UP_CHOSEN = "follow_up_chosen"  # attempt_id (the scored one), text
    FAILED = "failed"  # attempt_id, message (transcribing/scoring failed)
    RECORD_FAILED = "record_failed"  # the recording could not start/finish (message)
    NOTICE = "notice"  # something the user should read (message), the flow carries on


@dataclass(frozen=True)
class FlowUpdate:
    event: Event
    attempt_id: int | None = None
    parent_attempt_id: int | None = None
    phase: Phase | None = None
    question: Question | None = None
    text: str = ""
    message: str = ""
    seconds: float = 0.0
    path: Path | None = None
    transcript: Transcript | None = None
    analysis: Any = None


@dataclass(frozen=True)
class FlowOptions:
    """Timers of the flow (``assets/practice.toml``): think time after the question is spoken
    (0 = none), whether recording then starts by itself, and the hands-free stop — "silence"
    is a meter level under ``silence_level`` (0..1 of -60..0 dBFS) for ``silence_s`` seconds."""

    think_s: float = 0.0
    record_after_think: bool = False
    silence_s: float = 0.0  # 0 = never report silence
    silence_level: float = 0.35
    stop_on_silence: bool = False

    @classmethod
    def load(cls, path: Path | None = None, **overrides: Any) -> FlowOptions:
        path = path or assets_dir() / "practice.toml"
        with open(path, "rb") as f:
            data = tomllib.load(f).get("flow", {})
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**{**known, **overrides})


class Recorder(Protocol):
    """Starts and stops a recording; reports back through the flow's ``recording_*`` calls."""

    def start(self, path: Path, device: str | None) -> None: ...

    def stop(self) -> None: ...


class Processing(Protocol):
    """Transcribes and scores stored attempts (the window's Pipeline, or the CLI's)."""

    def start_live(self) -> Any: ...

    def cancel_live(self, live: Any) -> None: ...

    def finish_live(self, attempt_id: int, live: Any) -> None: ...

    def submit(self, attempt_id: int) -> bool: ...

    def analyse(self, attempt_id: int, transcript: Transcript) -> None: ...


class RecordingResult(Protocol):
    path: Path
    duration_s: float
    error: str | None
