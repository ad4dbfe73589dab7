"""Runs a mock interview round headless: the round machine's actions become calls on a voice and
on the per-answer flow, and what those report back becomes the machine's events. The keeper
stores every state, the report and the schedules. No Qt: the window (or a test) calls
:meth:`RoundRunner.tick` a few times a second and forwards the voice's and the flow's callbacks.

The runner also times the round's gaps (``gaps``): the end of a spoken question to the think
clock, the request to record to the microphone capturing, and the end of an answer to its
follow-up being heard.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np

from desktop_app.domain import Question
from desktop_app.session import round_io as io
from desktop_app.session.keeper import RoundKeeper
from desktop_app.session.report import RoundReport
from desktop_app.session.round import RoundMachine
from desktop_app.session.round_state import RoundView

RETRY_S = 2.0  # a round report that could not be saved is tried again this often


class Voice(Protocol):
    """The interviewer's voice. It reports back through :meth:`RoundRunner.speech_started` and
    :meth:`RoundRunner.speech_finished` (also after ``stop`` or an error)."""

    def say(self, text: str) -> None: ...

    def stop(self) -> None: ...


class AnswerFlow(Protocol):
    """What a round needs from the per-answer flow (record → save → transcribe → score).

    It reports back through the runner's ``recording_started``, ``audio`` (16 kHz mono blocks,
    for the hands-free stop), ``answer_saved``, ``answer_scored`` and ``answer_failed``."""

    def record(self, question: Question, follow_up: str | None,
               parent_attempt_id: int | None) -> None: ...

    def stop(self) -> None: ...

    def rescore(self, attempt_id: int) -> None: ...


class Heard(Protocol):
    """The voice tracker (session/voice.py): speech and trailing silence so far."""

    def feed(self, block: np.ndarray) -> io.Heard: ...


@dataclass
class Gaps:
    """Seconds measured in one round, in order of occurrence."""

    question_to_think_clock: list[float] = field(default_factory=list)
    record_to_capture: list[float] = field(default_factory=list)
    answer_end_to_saved: list[float] = field(default_factory=list)  # main answers only
    answer_end_to_transcribed: list[float] = field(default_factory=list)  # main answers only
    answer_end_to_scored: list[float] = field(default_factory=list)  # main answers only
    answer_end_to_follow_up_said: list[float] = field(default_factory=list)
    answer_end_to_follow_up_heard: list[float] = field(default_factory=list)


class RoundRunner:
    """Drives one round. ``listener`` is called with the view after every change, with cues
    (``on_cue``) and once with the report (``on_finished``)."""

    def __init__(self, keeper: RoundKeeper, round_id: int, machine: RoundMachine,
                 voice: Voice, flow: AnswerFlow, tracker_factory: Callable[[], Heard],
                 clock: Callable[[], float], *,
                 on_change: Callable[[RoundView], None] | None = None,
                 on_cue: Callable[[str], None] | None = None,
                 on_finished: Callable[[RoundReport], None] | None = None,
                 on_error: Callable[[str], None] | None = None,
                 wait_for_last_scores_s: float | None = None) -> None:
        self.keeper, self.round_id, self.machine = keeper, round_id, machine
        self.voice, self.flow, self.clock = voice, flow, clock
        self._new_tracker = tracker_factory
        self._tracker: Heard | None = None
        self.on_change, self.on_cue = on_change, on_cue
        self.on_finished, self.on_error = on_finished, on_error
        self.report: RoundReport | None = None
        self.gaps = Gaps()
        self._say_id: int | None = None  # the utterance the voice is saying for the machine
        self._say_role = ""
        self._recording = False
        self._marks: dict[str, float] = {}
        self._unscored: set[int] = set()  # saved answers whose scores have not arrived
        self._held: io.Finished | None = None  # the round's end, waiting for those scores
        self._held_since = 0.0
        self._retry_at = 0.0  # when a report that could not be saved is tried again
        self._ended_at: dict[int, float] = {}
        self._queue: list[io.Event] = []
        self._sending = False  # main answers: when they ended, until scored
        self.wait_for_last_scores_s = (machine.config.wait_for_last_scores_s
                                       if wait_for_last_scores_s is None
                                       else wait_for_last_scores_s)
        self.stage = ""  # while the interviewer waits for scores: "transcribing" | "scoring"

    # ----- commands (the window's buttons and keys) -------------------------------------------
    def start(self) -> None:
        self.send(io.Begin())

    def tick(self) -> None:
        if self._held is not None:
            now = self.clock()
            if now - self._held_since >= self.wait_for_last_scores_s:
                self._unscored.clear()  # reported as "not scored yet"; History scores them
            if not self._unscored and now >= self._retry_at:
                self._release()  # a report that could not be saved is tried again
            return
        self.send(io.Tick())

    @property
    def finishing(self) -> bool:
        """The interviewer is done; the report waits for the last answers' scores."""
        return self._held is not None

    def finish_now(self) -> None:
        """Show the report without waiting for the last scores (History scores them later)."""
        if self._held is not None:
            self._unscored.clear()
            self._release()

    @property
    def waited_for_report_s(self) -> float:
        return self.clock() - self._held_since if self._held is not None else 0.0

    @property
    def active(self) -> bool:
        """Needs :meth:`tick`: the round is under way, or its report waits for scores (whose
        wait has a limit only ticks can reach)."""
        return not self.machine.done or self._held is not None

    def send(self, event: io.Event) -> None:
        """Hand one event to the machine and carry out what it asks for. An event raised while
        actions are carried out (a flow that fails at once) waits for them to finish, so every
        saved state is the machine's latest."""
        self._queue.append(event)
        if self._sending:
            return
        self._sending = True
        try:
            while self._queue:
                self._handle(self._queue.pop(0))
        finally:
            self._sending = False

    def _handle(self, event: io.Event) -> None:
        try:
            actions = self.machine.handle(event)
            self._carry_out(actions)
            ending = [a for a in actions if isinstance(a, io.Finished)]
            if ending:  # the report is made once the last scores are in, and kept till saved
                self._held, self._held_since = ending[0], self.clock()
                actions = [a for a in actions if not isinstance(a, io.Finished)]
            self._apply(actions)
        except Exception as exc:  # a locked or full database: say so, keep the round going
            if self.on_error is not None:
                self.on_error(f"Could not save the round: {exc}")
            return
        if self._held is not None and not self._unscored:
            self._release()
        if self.on_change is not None:
            self.on_change(self.machine.view())

    def _apply(self, actions: list[io.Action]) -> None:
        report = self.keeper.apply(self.round_id, self.machine, actions)
        if report is not None:
            self.report, self._held = report, None
            if self.on_finished is not None:
                self.on_finished(report)

    def _release(self) -> None:
        """Make and save the report of the round that finished (``_held``); if that fails (a
        locked or full database) it stays held and ``tick`` tries again."""
        if self._held is None:
            return
        try:
            self._apply([self._held])
        except Exception as exc:
            self._retry_at = self.clock() + RETRY_S
            if self.on_error is not None:
                self.on_error(f"Could not save the round's report: {exc}. Trying again…")

    def view(self) -> RoundView:
        return self.machine.view()

    # ----- the voice's callbacks --------------------------------------------------------------
    def speech_started(self) -> None:
        if self._say_role == "follow_up" and "answer_end" in self._marks:
            self.gaps.answer_end_to_follow_up_heard.append(self._since("answer_end"))
            self._marks.pop("answer_end", None)

    def speech_finished(self) -> None:
        say_id, self._say_id = self._say_id, None
        if say_id is None:
            return
        if self._say_role == "question":
            self._marks["question_said"] = self.clock()
        self.send(io.SpeechFinished(say_id))

    # ----- the flow's callbacks ---------------------------------------------------------------
    def recording_started(self) -> None:
        if "record" in self._marks:
            self.gaps.record_to_capture.append(self._since("record"))
            self._marks.pop("record", None)

    def audio(self, block: np.ndarray) -> None:
        """A block of the answer being recorded: feeds the hands-free stop."""
        if self._tracker is None or not self._recording:
            return
        self.send(self._tracker.feed(block))

    def answer_saved(self, attempt_id: int | None, duration_s: float | None) -> None:
        self._recording = False
        if attempt_id is not None:
            self._unscored.add(attempt_id)
            if self.machine.s.part == "main" and "answer_end" in self._marks:
                self._ended_at[attempt_id] = self._marks["answer_end"]
                self.gaps.answer_end_to_saved.append(self._since("answer_end"))
                self.stage = "transcribing"
        self.send(io.AnswerSaved(attempt_id, duration_s))

    def answer_transcribed(self, attempt_id: int) -> None:
        """The answer's transcript is complete; scoring it (and choosing the follow-up) runs."""
        if attempt_id in self._ended_at:
            self.gaps.answer_end_to_transcribed.append(
                round(self.clock() - self._ended_at[attempt_id], 3))
            self.stage = "scoring"
            if self.on_change is not None:
                self.on_change(self.machine.view())

    def answer_silent(self, attempt_id: int) -> None:
        """No speech in the answer: kept unscored; a main answer gets no follow-up."""
        self._ended_at.pop(attempt_id, None)
        self.stage = ""
        self._resolved(attempt_id)
        if self._held is None:
            self.send(io.AnswerSilent(attempt_id))

    def answer_scored(self, attempt_id: int, overall: float | None,
                      follow_up: str | None) -> None:
        if attempt_id in self._ended_at:
            self.gaps.answer_end_to_scored.append(
                round(self.clock() - self._ended_at.pop(attempt_id), 3))
            self.stage = ""
        self._resolved(attempt_id)
        if self._held is None:
            self.send(io.AnswerScored(attempt_id, overall, follow_up))

    def answer_failed(self, message: str, stage: str, attempt_id: int | None = None) -> None:
        if stage == "record":
            self._recording = False
            if self.machine.s.phase == "answering":  # it never started: close the answer
                self.send(io.StopAnswer())
        if attempt_id is not None:
            self._ended_at.pop(attempt_id, None)
            self._resolved(attempt_id)
        if self.on_error is not None:
            self.on_error(message)
        m = self.machine
        current = m.items[m.s.index].attempt_id if m.s.index < len(m.items) else None
        if self._held is None and (stage == "record" or attempt_id in (None, current)):
            self.send(io.AnswerFailed(message, stage))

    def _resolved(self, attempt_id: int) -> None:
        self._unscored.discard(attempt_id)
        if self._held is not None and not self._unscored:
            self._release()

    # ----- actions ----------------------------------------------------------------------------
    def _carry_out(self, actions: list[io.Action]) -> None:
        for a in actions:
            if isinstance(a, io.Say):
                self._say_id, self._say_role = a.say_id, a.role
                if a.role == "follow_up" and "answer_end" in self._marks:
                    self.gaps.answer_end_to_follow_up_said.append(self._since("answer_end"))
                self.voice.say(a.text)
            elif isinstance(a, io.StopSpeaking):
                self._say_id = None
                self.voice.stop()
            elif isinstance(a, io.StartRecording):
                self._start_recording(a)
            elif isinstance(a, io.StopRecording):
                self._marks["answer_end"] = self.clock()
                self._tracker = None
                self.flow.stop()
            elif isinstance(a, io.FetchScore):
                self.flow.rescore(a.attempt_id)
            elif isinstance(a, io.Cue) and self.on_cue is not None:
                self.on_cue(a.level)
        if self.machine.s.phase == "thinking" and "question_said" in self._marks:
            self.gaps.question_to_think_clock.append(self._since("question_said"))
            self._marks.pop("question_said", None)

    def _start_recording(self, a: io.StartRecording) -> None:
        self._marks.pop("question_said", None)
        self._marks.pop("answer_end", None)
        self._marks["record"] = self.clock()
        self._tracker = self._new_tracker()
        self._recording = True
        self.flow.record(a.question, a.follow_up, a.parent_attempt_id)

    def _since(self, mark: str) -> float:
        return round(self.clock() - self._marks[mark], 3)
