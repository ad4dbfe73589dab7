"""The per-answer flow, headless (no Qt), on a real SQLite file and the real analyzer: its
phases, events, timers on an injected clock, follow-ups linked, typed answers scored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pytest

from desktop_app.analysis import Analyzer
from desktop_app.domain import AnswerInput, AttemptStatus, Question, Transcript
from desktop_app.paths import AppPaths
from desktop_app.practice.attempts import AttemptService
from desktop_app.practice.flow import AnswerFlow, Event, FlowOptions, Phase
from desktop_app.storage.repository import Repository
from tests.analysis.samples import STRONG

QUESTION = Question(id="conflict-1", text="Tell me about a conflict with a colleague.",
                    competency="Conflict", kind="behavioural")


@dataclass
class Result:
    path: Path
    duration_s: float
    error: str | None = None


class Mic:
    """The Recorder port as the flow sees it: it writes the file it is asked for."""

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.path: Path | None = None

    def start(self, path: Path, device: str | None) -> None:
        self.calls.append("start")
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"RIFF")

    def stop(self) -> None:
        self.calls.append("stop")


class Scoring:
    """The Processing port, synchronous: stored transcripts are scored by the real analyzer
    and reported back to the flow as the window's pipeline does."""

    def __init__(self, attempts: AttemptService, analyzer: Analyzer) -> None:
        self.attempts, self.analyzer = attempts, analyzer
        self.flow: AnswerFlow | None = None
        self.submitted: list[int] = []

    def start_live(self) -> None:
        return None

    def cancel_live(self, live: object) -> None: ...

    def finish_live(self, attempt_id: int, live: object) -> None: ...

    def submit(self, attempt_id: int) -> bool:
        self.submitted.append(attempt_id)
        return True

    def analyse(self, attempt_id: int, transcript: Transcript) -> None:
        stored = self.attempts.get(attempt_id)
        analysis = self.analyzer.analyze(transcript, follow_up=stored.prompt_text)
        self.attempts.scored(attempt_id, analysis)
        self.flow.scored(attempt_id, transcript, analysis)


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


@pytest.fixture
def rig(tmp_path, analyzer):
    paths = AppPaths(tmp_path / "data").ensure()
    repo = Repository.open(paths.database)
    attempts = AttemptService(repo, paths)
    clock, mic = Clock(), Mic()
    scoring = Scoring(attempts, analyzer)

    def make(**options) -> tuple[AnswerFlow, list]:
        flow = AnswerFlow(attempts, mic, scoring, paths.recordings,
                          options=FlowOptions(**options), clock=clock,
                          wall=lambda: datetime(2026, 1, 1, 10, 15, 0))
        scoring.flow = flow
        seen: list = []
        flow.subscribe(seen.append)
        return flow, seen

    yield make, attempts, clock, mic, scoring
    repo.close()


def events(seen) -> list[Event]:
    return [u.event for u in seen if u.event is not Event.PHASE]


def test_a_spoken_answer_is_stored_through_the_phases_and_sent_to_transcription(rig):
    make, attempts, _clock, mic, scoring = rig
    flow, seen = make()
    assert flow.show(QUESTION)
    path = flow.start()
    assert path.name == "20260101-101500-conflict-1.wav" and flow.phase is Phase.STARTING
    assert flow.start() is None and mic.calls == ["start"]  # one answer at a time
    flow.recording_started(path)
    assert flow.phase is Phase.RECORDING and not flow.show(QUESTION)  # locked while recording
    (row,) = attempts.with_status(AttemptStatus.RECORDING)  # crash-safe from the first second
    flow.stop()
    assert flow.phase is Phase.STOPPING and mic.calls == ["start", "stop"]
    assert flow.recording_stopped(Result(path, 12.5)) == row.id
    assert flow.phase is Phase.IDLE and scoring.submitted == [row.id]
    stored = attempts.get(row.id)
    assert stored.status == AttemptStatus.RECORDED and stored.duration_s == 12.5
    assert stored.session_id == flow.session_id is not None
    assert events(seen) == [Event.QUESTION_SHOWN, Event.RECORDING_STARTED, Event.STOPPED]
    assert [u.phase for u in seen if u.event is Event.PHASE] == [
        Phase.STARTING, Phase.RECORDING, Phase.STOPPING, Phase.IDLE]
    assert flow.new_recording_path().name == "20260101-101500-conflict-1-2.wav"  # never reused


def test_think_time_then_recording_starts_and_silence_stops_it_on_the_injected_clock(rig):
    make, attempts, clock, mic, _scoring = rig
    flow, seen = make(think_s=5.0, record_after_think=True, silence_s=3.0, stop_on_silence=True)
    flow.show(QUESTION)
    flow.question_spoken()
    assert flow.phase is Phase.THINKING
    clock.t += 4.9
    flow.tick()
    assert flow.phase is Phase.THINKING and mic.calls == []
    clock.t += 0.2
    flow.tick()
    assert flow.phase is Phase.STARTING and mic.calls == ["start"]
    flow.recording_started(mic.path)
    for _ in range(10):  # talking: the level stays over the floor
        clock.t += 0.5
        flow.level(0.7)
        flow.tick()
    assert flow.phase is Phase.RECORDING
    clock.t += 2.9
    flow.level(0.1)  # quiet, under silence_level
    flow.tick()
    assert Event.SILENCE not in events(seen)
    clock.t += 0.2
    flow.tick()
    (silence,) = [u for u in seen if u.event is Event.SILENCE]
    assert silence.seconds == pytest.approx(3.1) and flow.phase is Phase.STOPPING
    assert mic.calls == ["start", "stop"]
    assert events(seen)[:4] == [Event.QUESTION_SHOWN, Event.QUESTION_SPOKEN,
                                Event.THINK_STARTED, Event.THINK_OVER]


def test_typed_answer_is_scored_without_delivery_and_its_follow_up_is_a_linked_attempt(rig):
    make, attempts, _clock, mic, _scoring = rig
    flow, seen = make()
    flow.show(QUESTION)
    assert flow.submit_text("   ") is None  # nothing typed, nothing stored
    first = flow.submit_text(STRONG)
    stored = attempts.load(first)
    assert stored.typed and stored.attempt.status == AttemptStatus.SCORED
    assert stored.analysis.scores["delivery"] is None  # no voice, no timing
    (chosen,) = [u for u in seen if u.event is Event.FOLLOW_UP_CHOSEN]
    assert chosen.attempt_id == first and chosen.text == stored.analysis.follow_up
    path = flow.answer_follow_up(chosen.text)
    flow.recording_started(path)
    flow.stop()
    second = flow.recording_stopped(Result(path, 8.0))
    linked = attempts.get(second)
    assert linked.parent_attempt_id == first and linked.prompt_text == chosen.text
    assert linked.input == AnswerInput.SPOKEN and linked.session_id == stored.attempt.session_id
    assert mic.calls == ["start", "stop"]


def test_a_recording_that_fails_to_start_leaves_the_flow_idle_and_says_why(rig):
    make, attempts, _clock, _mic, scoring = rig
    flow, seen = make()
    flow.show(QUESTION)
    flow.start()
    flow.recording_failed("Could not start recording: no input device.")
    assert flow.phase is Phase.IDLE and attempts.count() == 0 and scoring.submitted == []
    (failed,) = [u for u in seen if u.event is Event.RECORD_FAILED]
    assert "no input device" in failed.message
    path = flow.start()  # and the next try works
    flow.recording_started(path)
    flow.stop()
    empty = flow.recording_stopped(Result(path, 0.0))
    assert Event.EMPTY in events(seen) and scoring.submitted == []  # nothing to transcribe
    assert attempts.get(empty).status == AttemptStatus.RECORDED


def test_options_come_from_assets():
    options = FlowOptions.load()
    assert options == FlowOptions()  # the window's defaults: no think time, no auto stop
    assert FlowOptions.load(think_s=30.0).think_s == 30.0
