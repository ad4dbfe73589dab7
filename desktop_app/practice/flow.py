"""The flow of one answer, headless: speak → think → record → live transcript → stop → store →
transcribed → scored → follow-up → the follow-up answered as a linked attempt.

:class:`AnswerFlow` is the state machine the practice window drives today and a mock-interview
round runner (issue 10) drives next; `rehearse practice --audio/--text` drives it from the command
line. It owns no thread and no timer: its collaborators come in through the constructor
(:class:`Recorder`, :class:`Processing`, the :class:`~desktop_app.practice.attempts.AttemptService`
and the clocks), and whoever hosts it reports what happened — ``recording_started``,
``recording_stopped``, ``level``, ``live_text``, ``transcribed``, ``scored``… — and calls
:meth:`AnswerFlow.tick` now and then for the timers (think time, "silence for N s"). Everything
the flow decides comes out as a :class:`FlowUpdate` to its subscribers.

Its vocabulary (phases, events, options, ports) is in :mod:`.flow_types`, re-exported here.
Phases: ``idle`` → (``thinking``) → ``starting`` → ``recording`` → ``stopping`` → ``idle``.
The attempt's status is written only through the AttemptService.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from desktop_app.domain import AnswerInput, Question, Transcript
from desktop_app.practice.attempts import AttemptService
from desktop_app.practice.flow_types import (
    Event,
    FlowOptions,
    FlowUpdate,
    Phase,
    Processing,
    Recorder,
    RecordingResult,
)

log = logging.getLogger(__name__)


@dataclass
class _Answer:
    """The answer being recorded now."""

    path: Path
    started_at: str
    parent_attempt_id: int | None = None
    prompt: str | None = None
    attempt_id: int | None = None
    input: AnswerInput = AnswerInput.SPOKEN


@dataclass
class _Timers:
    think_until: float | None = None
    last_voice: float = 0.0
    silence_told: bool = False


def recording_name(question_id: str, when: datetime) -> str:
    """The stem of a new recording: ``20260101-101500-conflict-1``."""
    qid = re.sub(r"[^A-Za-z0-9_-]+", "-", question_id)[:40]
    return f"{when:%Y%m%d-%H%M%S}-{qid}"


class AnswerFlow:
    """One candidate's answers, one at a time. ``clock``: monotonic seconds for the timers;
    ``wall``: local time for naming recordings. ``session_id``: the session (a mock-interview
    round) the attempts belong to; by default one practice session is started on first use."""

    def __init__(self, attempts: AttemptService, recorder: Recorder, processing: Processing,
                 recordings: Path, *, options: FlowOptions | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 wall: Callable[[], datetime] = datetime.now,
                 session_id: int | None = None, session_kind: str = "practice") -> None:
        self.attempts, self.recorder, self.processing = attempts, recorder, processing
        self.recordings = Path(recordings)
        self.options = options or FlowOptions()
        self._clock, self._wall = clock, wall
        self.session_id, self._session_kind = session_id, session_kind
        self.phase = Phase.IDLE
        self.question: Question | None = None
        self.follow_up: tuple[int, str] | None = None  # (parent attempt, prompt) to answer next
        self.current_attempt_id: int | None = None  # the last answer stored
        self.live: Any = None
        self.answered: dict[int, tuple[Question | None, str | None]] = {}
        self._answer: _Answer | None = None
        self._timers = _Timers()
        self._listeners: list[Callable[[FlowUpdate], None]] = []

    # ---- subscribers -------------------------------------------------------------------------
    def subscribe(self, listener: Callable[[FlowUpdate], None]) -> None:
        self._listeners.append(listener)

    def _emit(self, event: Event, **fields: Any) -> None:
        update = FlowUpdate(event, **fields)
        for listener in list(self._listeners):
            listener(update)

    def _set_phase(self, phase: Phase) -> None:
        self.phase = phase
        self._emit(Event.PHASE, phase=phase)

    @property
    def busy(self) -> bool:
        """An answer is being recorded (or the microphone opened / closed)."""
        return self.phase in (Phase.STARTING, Phase.RECORDING, Phase.STOPPING)

    # ---- the question ------------------------------------------------------------------------
    def show(self, question: Question) -> bool:
        """Ask ``question`` next; False (ignored) while an answer is being recorded."""
        if self.busy:
            return False
        changed = self.question is None or question.id != self.question.id
        self.question, self.follow_up = question, None
        if changed:
            self.current_attempt_id = None
        self._emit(Event.QUESTION_SHOWN, question=question)
        return True

    def question_spoken(self) -> None:
        """Text-to-speech finished the question: the think time starts (if there is one)."""
        self._emit(Event.QUESTION_SPOKEN, question=self.question)
        if self.phase is Phase.IDLE and self.options.think_s > 0:
            self._timers.think_until = self._clock() + self.options.think_s
            self._set_phase(Phase.THINKING)
            self._emit(Event.THINK_STARTED, seconds=self.options.think_s)

    def tick(self) -> None:
        """Run the timers (call a few times a second): think time over, silence for N s."""
        now, t = self._clock(), self._timers
        if self.phase is Phase.THINKING and t.think_until is not None and now >= t.think_until:
            t.think_until = None
            self._set_phase(Phase.IDLE)
            self._emit(Event.THINK_OVER)
            if self.options.record_after_think:
                self.start()
        o = self.options
        if self.phase is Phase.RECORDING and o.silence_s > 0 and not t.silence_told \
                and now - t.last_voice >= o.silence_s:
            t.silence_told = True
            self._emit(Event.SILENCE, seconds=now - t.last_voice,
                       attempt_id=self._answer.attempt_id if self._answer else None)
            if o.stop_on_silence:
                self.stop()

    # ---- recording ---------------------------------------------------------------------------
    def _session(self) -> int | None:
        if self.session_id is None:
            try:
                self.session_id = self.attempts.start_session(self._session_kind)
            except Exception as exc:  # disk full / locked: attempts are kept without one
                log.warning("could not start a session: %s", exc)
        return self.session_id

    def new_recording_path(self) -> Path:
        """A recording file name that is not taken (nor its unfinished ``.partial`` twin)."""
        stem = recording_name(self.question.id if self.question else "answer", self._wall())
        path, n = self.recordings / f"{stem}.wav", 1
        while path.exists() or path.with_name(path.stem + ".partial.wav").exists():
            n += 1
            path = self.recordings / f"{stem}-{n}.wav"
        return path

    def start(self, device: str | None = None) -> Path | None:
        """Open the microphone for an answer to the question (or the pending follow-up).
        Returns the recording's path, or None when an answer is already being recorded."""
        if self.busy:
            return None
        self._timers.think_until = None
        parent, prompt = self.follow_up if self.follow_up else (None, None)
        self._answer = _Answer(self.new_recording_path(), self.attempts.now(), parent, prompt)
        self._set_phase(Phase.STARTING)
        self._start_live()
        self.recorder.start(self._answer.path, device)
        return self._answer.path

    def answer_follow_up(self, prompt: str, device: str | None = None) -> Path | None:
        """Record an answer to ``prompt``, linked to the answer just scored."""
        if self.current_attempt_id is None or not prompt or self.busy:
            return None
        self.follow_up = (self.current_attempt_id, prompt)
        return self.start(device)

    def stop(self) -> None:
        """Stop recording (the recorder reports ``recording_stopped`` when it is saved)."""
        if self.phase is not Phase.RECORDING:
            return
        self._set_phase(Phase.STOPPING)
        self.recorder.stop()

    def _start_live(self) -> None:
        try:
            self.live = self.processing.start_live()
        except Exception as exc:
            log.warning("live transcription unavailable: %s", exc)
            self.live = None

    def _drop_live(self) -> None:
        live, self.live = self.live, None
        if live is not None:
            self.processing.cancel_live(live)

    def recording_started(self, path: Path | str) -> None:
        """The recorder reports audio flowing: a RECORDING row is written (so a crash still
        leaves an attempt to recover)."""
        a = self._answer
        if a is None:
            return
        q = self.question
        try:
            a.attempt_id = self.attempts.begin(
                q.id if q else "", Path(path), started_at=a.started_at,
                session_id=self._session(), parent_attempt_id=a.parent_attempt_id,
                prompt_text=a.prompt)
        except Exception as exc:  # disk full / database locked: the WAV is still written
            a.attempt_id = None
            self._emit(Event.NOTICE, message=f"Could not save the attempt in the database: "
                                             f"{exc}. The audio is still being recorded.")
        self._timers = _Timers(last_voice=self._clock())
        self._set_phase(Phase.RECORDING)
        self._emit(Event.RECORDING_STARTED, path=Path(path), attempt_id=a.attempt_id,
                   parent_attempt_id=a.parent_attempt_id)

    def level(self, value: float) -> None:
        """The meter's level while recording (0..1): voice keeps the silence timer at zero."""
        if value >= self.options.silence_level:
            self._timers.last_voice = self._clock()
            self._timers.silence_told = False

    def live_text(self, transcript: Transcript) -> None:
        """The live transcript grew (committed text plus the speculative tail)."""
        self._emit(Event.LIVE_TEXT, transcript=transcript,
                   attempt_id=self._answer.attempt_id if self._answer else None)

    def device_lost(self, message: str) -> None:
        """The device failed mid-answer: say so and keep what was recorded."""
        self._emit(Event.NOTICE, message=message)
        self.stop()

    def recording_failed(self, message: str) -> None:
        """The recording could not start or finish."""
        self._drop_live()
        if self._answer is not None and self._answer.attempt_id is not None:
            message += " The audio so far will be recovered at the next start."
        self._answer = None
        self.follow_up = None
        self._set_phase(Phase.IDLE)
        self._emit(Event.RECORD_FAILED, message=message)

    def recording_stopped(self, result: RecordingResult) -> int | None:
        """The recording is saved: store it (RECORDED), then transcribe and score it.
        Returns the attempt's id, or None if it could not be stored."""
        a, self._answer = self._answer, None
        self.follow_up = None
        live, self.live = self.live, None
        self._set_phase(Phase.IDLE)
        if a is None:
            a = _Answer(Path(result.path), self.attempts.now())
        q = self.question
        try:
            attempt_id = self.attempts.recorded(
                a.attempt_id, Path(result.path), result.duration_s, error=result.error,
                question_id=q.id if q else "", started_at=a.started_at,
                session_id=self.session_id, parent_attempt_id=a.parent_attempt_id,
                prompt_text=a.prompt)
        except Exception as exc:
            if live is not None:
                self.processing.cancel_live(live)
            self._emit(Event.NOTICE, message=f"Could not save the attempt: {exc}. The recording "
                                             f"is kept at {result.path}.")
            return None
        if result.error:
            self._emit(Event.NOTICE, message=result.error)
        self._stored(attempt_id, a.prompt, a.parent_attempt_id, result.duration_s)
        if result.duration_s <= 0.05:
            if live is not None:
                self.processing.cancel_live(live)
            self._emit(Event.EMPTY, attempt_id=attempt_id)
            return attempt_id
        if live is not None:
            self.processing.finish_live(attempt_id, live)
        else:
            self.processing.submit(attempt_id)
        return attempt_id

    def _stored(self, attempt_id: int, prompt: str | None, parent: int | None,
                seconds: float) -> None:
        self.current_attempt_id = attempt_id
        self.answered[attempt_id] = (self.question, prompt)
        self._emit(Event.STOPPED, attempt_id=attempt_id, parent_attempt_id=parent,
                   seconds=seconds, text=prompt or "")

    # ---- typed answers -----------------------------------------------------------------------
    def submit_text(self, text: str) -> int | None:
        """A typed answer to the question (or the pending follow-up): stored as typed, then
        scored without delivery timing. Returns its id (None: empty text, or not stored)."""
        if self.busy or not text.strip():
            return None
        parent, prompt = self.follow_up if self.follow_up else (None, None)
        q = self.question
        try:
            attempt_id = self.attempts.typed(q.id if q else "", text,
                                             session_id=self._session(),
                                             parent_attempt_id=parent, prompt_text=prompt)
        except Exception as exc:
            self._emit(Event.NOTICE, message=f"Could not save the typed answer: {exc}. "
                                             "Your text is still in the editor.")
            return None
        self.follow_up = None
        self._stored(attempt_id, prompt, parent, 0.0)
        stored = self.attempts.load(attempt_id)
        transcript = stored.transcript if stored and stored.transcript else \
            Transcript.from_text(text)
        self._emit(Event.SCORING, attempt_id=attempt_id)
        self.processing.analyse(attempt_id, transcript)
        return attempt_id

    # ---- what processing reports -------------------------------------------------------------
    def transcribing(self, attempt_id: int) -> None:
        self._emit(Event.TRANSCRIBING, attempt_id=attempt_id)

    def transcribed(self, attempt_id: int, transcript: Transcript) -> None:
        self._emit(Event.TRANSCRIBED, attempt_id=attempt_id, transcript=transcript)

    def scored(self, attempt_id: int, transcript: Transcript, analysis: Any) -> None:
        """Stored and scored: report it, then the follow-up the analysis chose (if any)."""
        question, prompt = self.answered.get(attempt_id, (None, None))
        self._emit(Event.SCORED, attempt_id=attempt_id, transcript=transcript,
                   analysis=analysis, question=question, text=prompt or "")
        follow_up = getattr(analysis, "follow_up", None)
        if follow_up:
            self._emit(Event.FOLLOW_UP_CHOSEN, attempt_id=attempt_id, text=follow_up)

    def failed(self, attempt_id: int, message: str) -> None:
        self._emit(Event.FAILED, attempt_id=attempt_id, message=message)


__all__ = ["AnswerFlow", "Event", "FlowOptions", "FlowUpdate", "Phase", "Processing", "Recorder",
           "recording_name"]
