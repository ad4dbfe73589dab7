"""The round state machine, driven by events with an injected clock (no audio, no Qt)."""

from __future__ import annotations

import json

import pytest

from desktop_app.session import round_io as io
from desktop_app.session.round import RoundMachine


def of(actions, cls):
    return [a for a in actions if isinstance(a, cls)]


def one(actions, cls):
    found = of(actions, cls)
    assert len(found) == 1, f"expected one {cls.__name__} in {actions}"
    return found[0]


class Driver:
    """Runs a machine and answers its Say actions the way a speaker would."""

    def __init__(self, machine: RoundMachine, clock) -> None:
        self.m, self.clock = machine, clock
        self.log: list[io.Action] = []
        self.next_attempt = 100

    def send(self, event) -> list[io.Action]:
        out = self.m.handle(event)
        self.log.extend(out)
        return out

    def finish_speech(self, actions) -> list[io.Action]:
        return self.send(io.SpeechFinished(one(actions, io.Say).say_id))

    def tick(self, seconds: float, step: float = 0.25) -> list[io.Action]:
        out: list[io.Action] = []
        end = self.clock.t + seconds
        while self.clock.t < end - 1e-9:
            self.clock.advance(min(step, end - self.clock.t))
            out += self.send(io.Tick())
        return out

    def saved(self, duration: float | None = None) -> tuple[int, list[io.Action]]:
        self.next_attempt += 1
        return self.next_attempt, self.send(io.AnswerSaved(self.next_attempt, duration))


@pytest.fixture
def drive(plan3, config, clock):
    return Driver(RoundMachine(plan3, config, clock), clock)


def to_answering(d: Driver) -> io.StartRecording:
    """Greeting → question 1 → its think time runs out → recording starts."""
    greet = d.send(io.Begin())
    assert one(greet, io.Say).role == "greeting"
    ask = d.finish_speech(greet)
    say = one(ask, io.Say)
    assert say.role == "question" and say.caption == d.m.plan.items[0].question.text
    d.finish_speech(ask)
    return one(d.tick(d.m.config.answer.think_s), io.StartRecording)


def test_think_time_then_the_answer_clock_with_its_cues_and_hard_stop(drive, config):
    greet = drive.send(io.Begin())
    ask = drive.finish_speech(greet)
    drive.finish_speech(ask)
    assert drive.m.view().phase == "thinking"
    assert drive.tick(config.answer.think_s - 0.5) == []  # still thinking
    assert drive.m.view().think_left_s == pytest.approx(0.5)
    start = one(drive.tick(0.5), io.StartRecording)
    assert start.index == 0 and start.follow_up is None
    assert drive.m.view().phase == "answering"

    early = drive.tick(config.answer.target_s - 0.5)
    assert of(early, io.Cue) == [] and of(early, io.StopRecording) == []
    assert one(drive.tick(0.5), io.Cue).level == "target"
    assert of(drive.tick(config.answer.stronger_cue_after_s - 0.5), io.Cue) == []
    assert one(drive.tick(0.5), io.Cue).level == "over"
    rest = config.answer.hard_stop_s - config.answer.target_s - config.answer.stronger_cue_after_s
    assert of(drive.tick(rest - 0.5), io.StopRecording) == []
    stop = one(drive.tick(0.5), io.StopRecording)
    assert stop.reason == "hard_stop"
    assert drive.m.view().phase == "saving"
    assert of(drive.tick(30), io.StartRecording) == []  # nothing new until the answer is stored


def test_space_skips_think_time_and_stops_the_answer(drive):
    ask = drive.finish_speech(drive.send(io.Begin()))
    early = drive.send(io.StartAnswer())  # while the question is still being spoken
    assert of(early, io.StopSpeaking) and of(early, io.StartRecording)
    drive.tick(12)
    assert one(drive.send(io.StopAnswer()), io.StopRecording).reason == "user"
    assert ask  # the question was asked before


def test_space_as_the_think_time_runs_out_starts_the_answer_it_does_not_stop_it(drive, config):
    """The follow-up's think time is short; a candidate pressing Space to answer just as it
    ran out used to stop the answer that had just started (a 0.2 s, silent follow-up)."""
    to_answering(drive)  # the think time ran out: recording by itself
    assert drive.send(io.StopAnswer()) == []  # a beat later: Space meant "I'm starting"
    assert drive.m.view().phase == "answering"
    drive.tick(config.stop_grace_s)
    assert one(drive.send(io.StopAnswer()), io.StopRecording).reason == "user"


def test_an_answer_started_with_space_stops_at_once_when_asked(drive):
    drive.finish_speech(drive.send(io.Begin()))
    assert of(drive.send(io.StartAnswer()), io.StartRecording)
    assert one(drive.send(io.StopAnswer()), io.StopRecording).reason == "user"


def test_follow_up_is_the_analysis_proposal_answered_as_a_linked_attempt(drive, config):
    to_answering(drive)
    drive.tick(40)
    drive.send(io.StopAnswer())
    attempt, out = drive.saved(40.0)
    assert of(out, io.Say) == [] and drive.m.view().phase == "scoring"
    fu = one(drive.send(io.AnswerScored(attempt, 61.0, "And how did you measure it?")), io.Say)
    assert fu.role == "follow_up" and fu.text == "And how did you measure it?"
    drive.finish_speech([fu])
    rec = one(drive.tick(config.follow_up.think_s), io.StartRecording)
    assert rec.follow_up == "And how did you measure it?" and rec.parent_attempt_id == attempt
    assert drive.m.view().target_s == config.follow_up.target_s
    drive.tick(20)
    drive.send(io.StopAnswer())
    fu_attempt, out = drive.saved(20.0)
    nxt = one(out, io.Say)
    assert nxt.role == "question" and nxt.caption == drive.m.plan.items[1].question.text
    item = drive.m.items[0]
    assert (item.status, item.attempt_id, item.overall) == ("answered", attempt, 61.0)
    assert (item.follow_up_attempt_id, item.follow_up_duration_s) == (fu_attempt, 20.0)


def test_no_scores_in_time_asks_one_of_the_questions_own_probes(drive, config):
    to_answering(drive)
    drive.tick(2)  # past the start's grace
    drive.send(io.StopAnswer())
    drive.saved()
    assert of(drive.tick(config.wait_for_scores_s - 1), io.Say) == []
    say = one(drive.tick(1.5), io.Say)
    assert say.text == drive.m.plan.items[0].question.follow_ups[0]
    assert drive.m.items[0].follow_up_source == "timeout"
    assert drive.m.view().follow_up_source == "timeout"


def test_the_interviewer_waits_visibly_for_slow_scores_and_asks_from_the_answer(drive, config):
    """Scores after 30 s on a busy laptop still choose the follow-up: the wait is shown
    ("One moment…" with the seconds waited) and lasts up to the setting (45 s), not 15 s."""
    assert config.wait_for_scores_s >= 45  # assets/interview/round.toml
    to_answering(drive)
    drive.tick(20)
    drive.send(io.StopAnswer())
    attempt, _ = drive.saved(20.0)
    assert of(drive.tick(30), io.Say) == []  # 30 s of scoring: still waiting, no probe
    v = drive.m.view()
    assert v.phase == "scoring" and v.caption == config.script.considering
    assert v.waited_s == pytest.approx(30) and v.wait_limit_s == config.wait_for_scores_s
    drive.send(io.Pause())
    assert drive.m.view().waited_s is None  # paused: not waiting on anyone
    drive.send(io.Resume())
    fu = one(drive.send(io.AnswerScored(attempt, 55.0, "What would you change?")), io.Say)
    assert fu.text == "What would you change?"
    assert drive.m.items[0].follow_up_source == "answer"
    assert drive.m.view().follow_up_source == "answer" and drive.m.view().waited_s is None


def test_failed_scoring_or_no_proposal_falls_back_to_a_probe_and_says_why(drive):
    to_answering(drive)
    drive.tick(2)  # past the start's grace
    drive.send(io.StopAnswer())
    drive.saved()
    say = one(drive.send(io.AnswerFailed("model crashed")), io.Say)
    assert say.text == drive.m.plan.items[0].question.follow_ups[0]
    assert drive.m.items[0].follow_up_source == "failed"


def test_an_answer_with_no_speech_gets_no_follow_up(drive, config):
    to_answering(drive)
    drive.tick(2)  # past the start's grace
    drive.send(io.StopAnswer())
    attempt, _ = drive.saved(6.0)
    nxt = one(drive.send(io.AnswerSilent(attempt)), io.Say)
    assert nxt.role == "question" and nxt.caption == drive.m.plan.items[1].question.text
    assert nxt.text.startswith(config.script.no_answer)
    assert drive.m.items[0].follow_up is None and drive.m.items[0].status == "answered"


def test_silence_stops_a_hands_free_answer_but_a_short_pause_or_a_cough_does_not(drive, config):
    hf = config.hands_free
    to_answering(drive)
    assert of(drive.send(io.Heard(0.4, hf.silence_s + 3)), io.StopRecording) == []  # a cough
    assert of(drive.send(io.Heard(6.0, 1.5)), io.StopRecording) == []  # a 1.5 s pause
    assert of(drive.send(io.Heard(9.0, hf.silence_s - 0.2)), io.StopRecording) == []
    assert one(drive.send(io.Heard(9.0, hf.silence_s)), io.StopRecording).reason == "silence"


def test_hands_free_off_never_stops_on_silence(plan3, config, clock):
    d = Driver(RoundMachine(plan3, config.with_times(hands_free=False), clock), clock)
    to_answering(d)
    assert of(d.send(io.Heard(30.0, 60.0)), io.StopRecording) == []


def test_pause_freezes_think_time_and_resume_carries_on(drive, config):
    drive.finish_speech(drive.finish_speech(drive.send(io.Begin())))
    drive.tick(10)
    assert drive.send(io.Pause()) != []  # state changed: saved
    assert drive.m.view().paused
    assert of(drive.tick(120), io.StartRecording) == []
    drive.send(io.Resume())
    assert of(drive.tick(config.answer.think_s - 10 - 0.5), io.StartRecording) == []
    assert of(drive.tick(0.5), io.StartRecording)


def test_pause_while_a_question_is_spoken_says_it_again_on_resume(drive):
    ask = drive.finish_speech(drive.send(io.Begin()))
    first = one(ask, io.Say)
    assert of(drive.send(io.Pause()), io.StopSpeaking)
    assert drive.send(io.SpeechFinished(first.say_id)) == []  # the stopped speech ends: ignored
    again = one(drive.send(io.Resume()), io.Say)
    assert again.caption == first.caption and again.say_id != first.say_id
    assert drive.send(io.SpeechFinished(first.say_id)) == []  # stale id
    drive.finish_speech([again])
    assert drive.m.view().phase == "thinking"


def test_pause_during_an_answer_keeps_it_and_resumes_with_its_follow_up(drive):
    to_answering(drive)
    drive.tick(30)
    assert one(drive.send(io.Pause()), io.StopRecording).reason == "pause"
    attempt, _ = drive.saved(30.0)
    assert of(drive.send(io.AnswerScored(attempt, 55.0, "What was your part?")), io.Say) == []
    say = one(drive.send(io.Resume()), io.Say)
    assert say.role == "follow_up" and drive.m.items[0].ended_by == "pause"


def test_skip_think_time_moves_on_and_skip_mid_answer_keeps_the_answer(drive):
    to_answering(drive)
    assert one(drive.send(io.Skip()), io.StopRecording).reason == "skip"
    attempt, out = drive.saved(5.0)
    nxt = one(out, io.Say)  # no follow-up for a skipped answer
    assert nxt.caption == drive.m.plan.items[1].question.text
    assert drive.m.items[0].attempt_id == attempt and drive.m.items[0].ended_by == "skip"
    drive.finish_speech(out)
    last = one(drive.send(io.Skip()), io.Say)  # skipped during think time
    assert drive.m.items[1].status == "skipped" and drive.m.items[1].attempt_id is None
    assert last.caption == drive.m.plan.items[2].question.text


def test_end_early_keeps_the_answer_under_way_and_closes(drive):
    to_answering(drive)
    assert one(drive.send(io.End()), io.StopRecording).reason == "end"
    _, out = drive.saved(12.0)
    bye = one(out, io.Say)
    assert bye.role == "closing"
    assert one(drive.finish_speech(out), io.Finished).reason == "ended"
    assert [i.status for i in drive.m.items] == ["answered", "not_asked", "not_asked"]
    assert drive.m.done


def test_a_whole_round_completes(drive, config):
    out = drive.finish_speech(drive.send(io.Begin()))  # the greeting, then question 1
    for n in range(3):
        assert one(out, io.Say).caption == drive.m.plan.items[n].question.text
        drive.finish_speech(out)
        drive.tick(config.answer.think_s + 15)
        drive.send(io.StopAnswer())
        attempt, _ = drive.saved()
        drive.finish_speech(drive.send(io.AnswerScored(attempt, 70.0, f"Follow-up {n}?")))
        drive.tick(config.follow_up.think_s + 5)
        drive.send(io.StopAnswer())
        _, out = drive.saved()
    assert one(out, io.Say).role == "closing"
    assert one(drive.finish_speech(out), io.Finished).reason == "completed"
    assert all(i.status == "answered" and i.follow_up_status == "answered"
               for i in drive.m.items)


def test_every_change_is_saved_and_a_restored_round_resumes_at_its_first_unfinished_step(
        drive, plan3, config, clock):
    to_answering(drive)
    drive.tick(2)  # past the start's grace
    drive.send(io.StopAnswer())
    attempt, _ = drive.saved(30.0)
    fu = one(drive.send(io.AnswerScored(attempt, 64.0, "What did you learn?")), io.Say)
    drive.finish_speech([fu])
    drive.tick(config.follow_up.think_s + 2)
    drive.send(io.StopAnswer())
    drive.saved(10.0)
    to_q2 = [a for a in drive.log if isinstance(a, io.Say)][-1]
    drive.finish_speech([to_q2])
    drive.tick(config.answer.think_s + 20)  # question 2 is being answered when it "crashes"
    saves = of(drive.log, io.Save)
    assert saves and saves[-1].state == drive.m.snapshot() | {"elapsed_s": saves[-1].state[
        "elapsed_s"]}
    stored = json.loads(json.dumps(saves[-1].state))  # what the sessions table holds

    back = RoundMachine.restore(plan3, config, clock, stored)
    assert back.items[0].attempt_id == attempt and back.items[0].follow_up_attempt_id
    resumed = one(back.handle(io.Begin()), io.Say)
    assert resumed.caption == plan3.items[1].question.text
    assert resumed.text.startswith(config.script.resumed)
    assert back.view().index == 1


def test_a_round_restored_while_scoring_fetches_the_stored_scores(drive, plan3, config, clock):
    to_answering(drive)
    drive.tick(2)  # past the start's grace
    drive.send(io.StopAnswer())
    attempt, _ = drive.saved(30.0)
    back = RoundMachine.restore(plan3, config, clock, of(drive.log, io.Save)[-1].state)
    assert one(back.handle(io.Begin()), io.FetchScore).attempt_id == attempt
    say = one(back.handle(io.AnswerScored(attempt, 50.0, "Why then?")), io.Say)
    assert say.role == "follow_up"


def test_a_snapshot_from_another_version_is_refused(plan3, config, clock):
    with pytest.raises(ValueError, match="version"):
        RoundMachine.restore(plan3, config, clock, {"version": 99, "state": {}, "items": []})
