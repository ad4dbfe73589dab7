"""The headless round runner: the round machine's actions reach the voice and the per-answer
flow, their reports come back as events, the keeper stores it all, and the report waits for the
last answers' scores. Answers are typed text scored by the real Analyzer and stored in a real
SQLite file; the hands-free stop hears espeak-ng speech through the real voice detector."""

from __future__ import annotations

from datetime import datetime, timezone

import numpy as np
import pytest
import soundfile as sf

from desktop_app.analysis.analyzer import Analyzer
from desktop_app.domain import Attempt, Question
from desktop_app.session import round_io as io
from desktop_app.session.keeper import RoundKeeper
from desktop_app.session.report import StoredAttempts
from desktop_app.session.runner import RoundRunner
from desktop_app.session.voice import VoiceTracker
from desktop_app.storage.repository import Repository
from desktop_app.storage.rounds import RoundStore
from desktop_app.transcription.live import LiveConfig
from desktop_app.transcription.vad import VoiceActivityDetector
from tests.fixtures_audio import make_spoken_wav

ANSWER = ("Last spring our release pipeline failed twice a week. I owned it, so I added "
          "retries, split the build into four stages and wrote alerts. Failures dropped from "
          "eight a month to zero and we shipped the launch on time.")
FOLLOW = "I measured it on the failure dashboard every week."


class ScriptVoice:
    """Records what the interviewer was asked to say (the test plays the speaker's part)."""

    def __init__(self) -> None:
        self.said: list[str] = []
        self.stops = 0

    def say(self, text: str) -> None:
        self.said.append(text)

    def stop(self) -> None:
        self.stops += 1


class TypedAnswers:
    """A per-answer flow whose "recordings" are typed answers, stored and scored for real;
    scores are handed back when the test says (``deliver``)."""

    def __init__(self, repo: Repository, round_id: int) -> None:
        self.repo, self.round_id = repo, round_id
        self.runner: RoundRunner | None = None
        self.analyzer = Analyzer()
        self.current: tuple[Question, str | None, int | None] | None = None
        self.queued: list[tuple[int, float, str | None]] = []
        self.stops = 0
        self.hold = False  # the recorder is slow to report the saved file: ``release()``

    def record(self, question: Question, follow_up: str | None,
               parent_attempt_id: int | None) -> None:
        self.current = (question, follow_up, parent_attempt_id)

    def release(self) -> None:
        self.hold = False
        self.stop()

    def stop(self) -> None:
        self.stops += 1
        if self.hold:
            return
        q, follow_up, parent = self.current
        text = FOLLOW if follow_up else ANSWER
        a = self.analyzer.analyze(text, q, follow_up=follow_up)
        stamp = datetime.now(timezone.utc).isoformat()
        attempt_id = self.repo.add_attempt(Attempt(
            None, q.id, stamp, ended_at=stamp, duration_s=30.0, status="scored",
            transcript_text=text, analysis_json=a.to_dict(), scores=a.scores,
            session_id=self.round_id, parent_attempt_id=parent, prompt_text=follow_up))
        self.queued.append((attempt_id, a.scores["overall"], a.follow_up))
        self.runner.answer_saved(attempt_id, 30.0)

    def rescore(self, attempt_id: int) -> None:  # pragma: no cover - not used here
        raise AssertionError("no restart in these tests")

    def deliver(self) -> None:
        queued, self.queued = self.queued, []
        for attempt_id, overall, follow_up in queued:
            self.runner.answer_scored(attempt_id, overall, follow_up)


@pytest.fixture
def round_env(tmp_path, plan3, config, clock):
    repo = Repository.open(tmp_path / "rehearse.db")
    cfg = config.with_times(think_s=5)
    keeper = RoundKeeper(repo, StoredAttempts(repo), cfg)
    round_id, machine = keeper.start(plan3, clock)
    voice, flow = ScriptVoice(), TypedAnswers(repo, round_id)
    vad = LiveConfig.load().vad
    finished = []
    runner = RoundRunner(keeper, round_id, machine, voice, flow,
                         lambda: VoiceTracker(VoiceActivityDetector(vad)), clock,
                         on_finished=finished.append)
    flow.runner = runner
    yield runner, voice, flow, repo, finished
    repo.close()


def _speak_line(runner: RoundRunner, clock, seconds: float = 2.0) -> None:
    runner.speech_started()
    clock.advance(seconds)
    runner.speech_finished()


def test_a_round_runs_through_voice_and_flow_and_its_report_waits_for_the_last_scores(
        round_env, clock, plan3):
    runner, voice, flow, repo, finished = round_env
    runner.start()
    assert voice.said[-1].startswith("Hello")
    _speak_line(runner, clock)  # greeting
    for n in range(3):
        q = plan3.items[n].question
        assert voice.said[-1].endswith(q.text)
        _speak_line(runner, clock, 4.0)  # the question
        assert runner.view().phase == "thinking" and runner.view().think_left_s == 5.0
        clock.advance(5.0)
        runner.tick()  # think time is over: the answer clock starts, the flow records
        assert flow.current[0].id == q.id and flow.current[1] is None
        clock.advance(0.4)
        runner.recording_started()
        clock.advance(30)
        runner.send(io.StopAnswer())
        assert runner.view().phase == "scoring"
        clock.advance(1.5)
        flow.deliver()  # scored: the follow-up comes from what the answer lacked
        follow = voice.said[-1]
        assert runner.view().part == "follow_up" and follow == runner.machine.items[n].follow_up
        _speak_line(runner, clock, 3.0)
        runner.send(io.StartAnswer())  # Space during the follow-up's think time
        parent = runner.machine.items[n].attempt_id
        assert flow.current[1] == follow and flow.current[2] == parent
        runner.recording_started()
        clock.advance(10)
        runner.send(io.StopAnswer())
        if n < 2:
            flow.deliver()
    _speak_line(runner, clock)  # the closing line
    assert runner.machine.done and runner.finishing and not finished
    assert RoundStore(repo.db).get(runner.round_id).report is None  # not yet: scores to come
    runner.tick()
    assert not finished
    flow.deliver()  # the last follow-up's scores arrive
    (report,) = finished
    assert runner.report is report and not runner.finishing
    stored = RoundStore(repo.db).get(runner.round_id)
    assert stored.status == "completed" and stored.report["overall"] == report.overall
    assert all(i.follow_up_answer and i.follow_up_answer.scores for i in report.items)
    g = runner.gaps
    assert g.question_to_think_clock == [0.0, 0.0, 0.0]
    assert g.record_to_capture == [0.4, 0.0] * 3  # follow-ups capture at once here
    assert g.answer_end_to_scored == [1.5] * 3
    assert g.answer_end_to_follow_up_said == [1.5] * 3
    assert g.answer_end_to_follow_up_heard == [1.5] * 3


def answer_first_question(runner: RoundRunner, clock, seconds: float) -> None:
    """Greeting, question 1 asked, answered for ``seconds`` and saved."""
    runner.start()
    _speak_line(runner, clock)
    _speak_line(runner, clock)
    runner.send(io.StartAnswer())
    runner.recording_started()
    clock.advance(seconds)
    runner.send(io.StopAnswer())


def test_the_report_is_not_held_forever_when_scores_never_come(round_env, clock):
    runner, voice, flow, repo, finished = round_env
    answer_first_question(runner, clock, 20)  # saved; its scores never arrive (no model)
    runner.send(io.End())
    _speak_line(runner, clock)
    assert runner.finishing
    clock.advance(runner.wait_for_last_scores_s + 1)
    runner.tick()
    (report,) = finished
    assert report.status == "ended" and report.items[0].answer is not None


def test_a_late_failure_of_an_earlier_answer_does_not_disturb_the_question_in_hand(
        round_env, clock):
    runner, voice, flow, repo, finished = round_env
    runner.start()
    _speak_line(runner, clock)
    _speak_line(runner, clock)
    runner.send(io.StartAnswer())
    runner.send(io.StopAnswer())
    flow.deliver()
    _speak_line(runner, clock)  # the follow-up asked
    runner.send(io.StartAnswer())
    runner.send(io.StopAnswer())
    earlier = runner.machine.items[0].follow_up_attempt_id
    _speak_line(runner, clock)  # question 2
    runner.send(io.StartAnswer())
    runner.send(io.StopAnswer())
    assert runner.view().phase == "scoring"
    runner.answer_failed("could not transcribe", "score", earlier)
    assert runner.view().phase == "scoring" and runner.view().index == 1


def test_hands_free_stop_through_the_runner_on_espeak_speech(round_env, clock, tmp_path):
    runner, voice, flow, repo, finished = round_env
    data, rate = sf.read(make_spoken_wav(ANSWER, tmp_path / "a.wav", rate=16000),
                         dtype="float32")
    rng = np.random.default_rng(3)
    room = (0.002 * rng.standard_normal(16000 * 6)).astype(np.float32)
    runner.start()
    _speak_line(runner, clock)
    _speak_line(runner, clock)
    runner.send(io.StartAnswer())
    runner.recording_started()
    # speech, a 1.5 s pause (must not stop), speech again, then 4.5 s of room tone (stops)
    stream = np.concatenate([data[: rate * 4], room[: rate * 3 // 2], data[rate * 4:],
                             room[: int(rate * 4.5)]])
    stopped_at = None
    for i in range(0, stream.size, 1600):
        runner.audio(stream[i:i + 1600])
        if flow.stops and stopped_at is None:
            stopped_at = i / rate
    assert flow.stops == 1 and runner.machine.items[0].ended_by == "silence"
    assert stopped_at > data.size / rate + 3.5


class NoMicrophone(TypedAnswers):
    """A flow whose recordings never start (the microphone is gone): it says so, and a stop
    has nothing to stop."""

    def record(self, question: Question, follow_up: str | None,
               parent_attempt_id: int | None) -> None:
        self.runner.answer_failed("Could not start recording: no input device", "record")

    def stop(self) -> None:
        self.stops += 1


def test_a_recording_that_cannot_start_skips_the_question_instead_of_hanging(round_env, clock):
    runner, voice, flow, repo, finished = round_env
    runner.flow = NoMicrophone(repo, runner.round_id)
    runner.flow.runner = runner
    errors = []
    runner.on_error = errors.append
    runner.start()
    _speak_line(runner, clock)
    _speak_line(runner, clock)
    runner.send(io.StartAnswer())  # the flow fails at once
    assert errors == ["Could not start recording: no input device"]
    assert runner.machine.items[0].status == "skipped"
    assert runner.view().index == 1 and runner.view().phase == "asking"
    saved = RoundStore(repo.db).get(runner.round_id).state  # the latest state, not a stale one
    assert saved["state"]["index"] == 1 and saved["items"][0]["status"] == "skipped"
