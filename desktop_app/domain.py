"""Plain dataclasses shared by every layer. No I/O, no Qt."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields
from enum import Enum
from typing import Any

KINDS = ("behavioural", "communication", "technical-reasoning")
AUDIENCES = ("interviewer", "technical", "non-technical")
# The headline scores: the Analyzer's keys and the attempts table's score_<key> columns.
SCORE_KEYS = ("overall", "star", "specificity", "jargon", "delivery", "reasoning")


class AnswerInput(str, Enum):
    """How an answer came in (stored as the value)."""

    SPOKEN = "spoken"  # recorded in the app
    FILE = "file"  # a recording made elsewhere, kept with `rehearse practice --audio`
    TYPED = "typed"  # typed or pasted text: no voice, so delivery is not timed

    def __str__(self) -> str:
        return self.value


class AttemptStatus(str, Enum):
    """Where an attempt is in its lifecycle (stored as the value). Only
    :class:`desktop_app.practice.attempts.AttemptService` moves an attempt between them."""

    RECORDING = "recording"  # the microphone is open; the WAV is being written
    RECORDED = "recorded"  # the audio is saved (or the text typed); not transcribed yet
    TRANSCRIBED = "transcribed"  # transcript stored, scores not yet
    SCORED = "scored"
    RECOVERED = "recovered"  # interrupted by a crash, or re-attached; audio kept
    FAILED = "failed"  # transcribing or scoring failed (``error`` says why)
    SILENT = "silent"  # no speech was heard: not scored, no follow-up (kept if the user wants)

    def __str__(self) -> str:
        return self.value

    @classmethod
    def parse(cls, value: str | None) -> AttemptStatus:
        """The status a stored value names (an unknown one reads as FAILED, never a crash)."""
        try:
            return cls(value)
        except ValueError:
            return cls.FAILED


def _check_times(what: str, **values: float) -> None:
    """Timings enter here: NaN or infinite seconds would leak into JSON (as bare NaN) and
    break the arithmetic downstream, so they are refused with a message naming the value."""
    for name, value in values.items():
        try:
            finite = math.isfinite(value)
        except TypeError:
            finite = False
        if not finite:
            raise ValueError(f"{what}: {name} must be a finite number, not {value!r}")


@dataclass(frozen=True)
class Word:
    """One recognised word with its time span (seconds on the recording's timeline)."""

    text: str
    start: float
    end: float
    probability: float = 1.0

    def __post_init__(self) -> None:
        _check_times(f"word {self.text!r}", start=self.start, end=self.end,
                     probability=self.probability)


@dataclass(frozen=True)
class Segment:
    """A Whisper segment: a run of words, usually one sentence or clause."""

    text: str
    start: float
    end: float
    words: tuple[Word, ...] = ()
    no_speech_prob: float = 0.0  # Whisper's probability that its window held no speech

    def __post_init__(self) -> None:
        _check_times("segment", start=self.start, end=self.end)


@dataclass
class Transcript:
    """The result of transcribing one answer. ``no_speech``: the decoder heard no speech at all
    (the text is then empty), as opposed to a transcript not made yet or typed text.
    ``edited``: the candidate corrected it by hand."""

    text: str
    segments: list[Segment] = field(default_factory=list)
    language: str = "en"
    model: str = ""
    duration: float = 0.0
    no_speech: bool = False
    edited: bool = False

    def __post_init__(self) -> None:
        _check_times("transcript", duration=self.duration)

    @property
    def words(self) -> list[Word]:
        return [w for s in self.segments for w in s.words]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``text``, ``segments`` (each with ``words``) and a flat ``words`` list."""
        segs = [
            {
                "text": s.text,
                "start": s.start,
                "end": s.end,
                "no_speech_prob": s.no_speech_prob,
                "words": [asdict(w) for w in s.words],
            }
            for s in self.segments
        ]
        out = {
            "text": self.text,
            "language": self.language,
            "model": self.model,
            "duration": self.duration,
            "no_speech": self.no_speech,
            "segments": segs,
            "words": [asdict(w) for w in self.words],
        }
        if self.edited:
            out["edited"] = True
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        segments = [
            Segment(
                text=s.get("text", ""),
                start=float(s.get("start", 0.0)),
                end=float(s.get("end", 0.0)),
                words=tuple(Word(**w) for w in s.get("words", [])),
                no_speech_prob=float(s.get("no_speech_prob", 0.0)),
            )
            for s in data.get("segments", [])
        ]
        if not segments and data.get("words"):
            words = tuple(Word(**w) for w in data["words"])
            segments = [Segment(data.get("text", ""), words[0].start, words[-1].end, words)]
        return cls(
            text=data.get("text", ""),
            segments=segments,
            language=data.get("language", "en"),
            model=data.get("model", ""),
            duration=float(data.get("duration", 0.0)),
            no_speech=bool(data.get("no_speech", False)),
            edited=bool(data.get("edited", False)),
        )

    @classmethod
    def from_text(cls, text: str) -> Transcript:
        """A transcript with no timing (typed or pasted text)."""
        return cls(text=text.strip())


@dataclass(frozen=True)
class Question:
    """One interview question from a pack in prompts/ (or the user's own packs)."""

    id: str
    text: str
    competency: str
    kind: str
    seniority: tuple[str, ...] = ()
    follow_ups: tuple[str, ...] = ()
    strong_answer: str = ""
    audience: str = "interviewer"
    pack: str = ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, every field (tuples become lists): `rehearse questions --json` and the
        stored copy of the question read this, so the fields are listed once, here."""
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        return {k: list(v) if isinstance(v, tuple) else v for k, v in out.items()}


# The fields a pack may give a question (``pack`` is where it came from, not written in it).
QUESTION_FIELDS = tuple(f.name for f in fields(Question) if f.name != "pack")


@dataclass
class Attempt:
    """One recorded (or typed) answer as stored in the database."""

    id: int | None
    question_id: str
    started_at: str
    ended_at: str | None = None
    duration_s: float = 0.0
    audio_path: str | None = None  # relative to the data folder
    model: str | None = None
    transcript_text: str = ""
    words_json: str = "[]"
    analysis_json: str | None = None
    status: AttemptStatus = AttemptStatus.RECORDED
    error: str | None = None
    session_id: int | None = None
    parent_attempt_id: int | None = None  # set when this answers a follow-up
    prompt_text: str | None = None  # the follow-up question asked, if any
    scores: dict[str, float] = field(default_factory=dict)
    input: AnswerInput = AnswerInput.SPOKEN
    note: str | None = None  # what the candidate wants to remember about this attempt

    @property
    def has_result(self) -> bool:
        """A transcript or scores are stored (a re-transcription must not overwrite them)."""
        return bool(self.transcript_text or self.analysis_json)
