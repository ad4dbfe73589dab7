"""The round state machine's whole interface: the events it takes and the actions it returns.

:class:`~desktop_app.session.round.RoundMachine` does no I/O. Whoever runs a round (the window,
a test) turns the actions into speech, recording and storage, and reports back what happened as
events: ``machine.handle(event) -> list[Action]``. Times come from the machine's injected clock,
never from the events, so a test drives every timer by moving its clock.
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop_app.domain import Question

# ----- events (in) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Begin:
    """Start the round (or carry on with a restored one)."""


@dataclass(frozen=True)
class Tick:
    """Time has passed: check the clocks (call a few times a second)."""


@dataclass(frozen=True)
class SpeechFinished:
    """The interviewer finished saying ``Say`` number ``say_id`` (stale ids are ignored)."""

    say_id: int


@dataclass(frozen=True)
class StartAnswer:
    """Space while the question is spoken or during think time: start answering now."""


@dataclass(frozen=True)
class StopAnswer:
    """Space while answering: the answer is done."""


@dataclass(frozen=True)
class Heard:
    """Voice activity in the answer so far: seconds of speech heard in all, and the silence
    since the last speech (both on the recording's own timeline)."""

    speech_s: float
    silence_s: float


@dataclass(frozen=True)
class AnswerSaved:
    """The recording asked for by ``StartRecording`` is stopped and stored."""

    attempt_id: int | None
    duration_s: float | None = None


@dataclass(frozen=True)
class AnswerScored:
    """An answer was transcribed and scored; ``follow_up`` is the analysis's proposal."""

    attempt_id: int
    overall: float | None = None
    follow_up: str | None = None


@dataclass(frozen=True)
class AnswerSilent:
    """An answer held no speech: it is kept (status "silent") but not scored; no follow-up."""

    attempt_id: int


@dataclass(frozen=True)
class AnswerFailed:
    """Recording (``stage="record"``) or scoring (``"score"``) of the current answer failed;
    what was recorded is kept by the practice core."""

    message: str
    stage: str = "score"


@dataclass(frozen=True)
class Pause:
    pass


@dataclass(frozen=True)
class Resume:
    pass


@dataclass(frozen=True)
class Skip:
    """N: skip the question (or the follow-up) in hand; an answer under way is kept."""


@dataclass(frozen=True)
class End:
    """Esc: end the round early; what was answered is kept and reported."""


Event = (Begin | Tick | SpeechFinished | StartAnswer | StopAnswer | Heard | AnswerSaved
         | AnswerScored | AnswerSilent | AnswerFailed | Pause | Resume | Skip | End)

# ----- actions (out) ----------------------------------------------------------------------


@dataclass(frozen=True)
class Say:
    """Speak ``text`` and show ``caption``; report ``SpeechFinished(say_id)`` when done.
    ``role``: greeting, question, follow_up or closing."""

    say_id: int
    text: str
    caption: str
    role: str


@dataclass(frozen=True)
class StopSpeaking:
    pass


@dataclass(frozen=True)
class StartRecording:
    """Record an answer to ``question`` (``follow_up``: the follow-up asked, answered as an
    attempt linked to ``parent_attempt_id``); report ``AnswerSaved`` when it is stored."""

    index: int
    question: Question
    follow_up: str | None = None
    parent_attempt_id: int | None = None


@dataclass(frozen=True)
class StopRecording:
    """Stop and keep the answer. ``reason``: user, hard_stop, silence, skip, pause or end."""

    reason: str


@dataclass(frozen=True)
class FetchScore:
    """After a restart: report the stored answer's ``AnswerScored`` (or ``AnswerFailed``)."""

    attempt_id: int


@dataclass(frozen=True)
class Cue:
    """A visual cue on the answer clock: ``"target"`` (gentle) or ``"over"`` (stronger)."""

    level: str


@dataclass(frozen=True)
class Save:
    """Persist this snapshot (``RoundMachine.restore`` takes it back after a crash)."""

    state: dict


@dataclass(frozen=True)
class Finished:
    """The round is over: ``"completed"`` or ``"ended"`` early."""

    reason: str


Action = (Say | StopSpeaking | StartRecording | StopRecording | FetchScore | Cue | Save
          | Finished)
