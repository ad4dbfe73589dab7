"""The mock interview round as a state machine: events in, actions out (see round_io), no I/O.

Each question goes: asked aloud → think time (skippable) → the answer clock (a gentle cue at the
target, a stronger one 30 s later, an optional hard stop; hands-free, it ends after a stretch of
silence once real speech was heard) → saved → scored → one follow-up chosen from what the answer
lacked, answered the same way as a linked attempt → the next question. Pause freezes the clocks
(an answer under way is stopped and kept; a question being spoken is said again on resume), Skip
moves on, End closes the round early; nothing recorded is ever dropped. ``snapshot()`` after
every change lets a crashed round be restored and resumed at its first unfinished step.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from desktop_app.domain import Question
from desktop_app.session import round_io as io
from desktop_app.session.config import Clock, RoundConfig
from desktop_app.session.plan import Plan
from desktop_app.session.round_state import ItemRecord, RoundState, RoundView, Watch

SNAPSHOT_VERSION = 1
SPEAKING = ("greeting", "asking", "closing")


class RoundMachine:
    """One round over a plan. ``clock`` is monotonic seconds (injected: tests move it)."""

    def __init__(self, plan: Plan, config: RoundConfig, clock: Callable[[], float]) -> None:
        self.plan, self.config, self.clock = plan, config, clock
        self.items = [ItemRecord(n, q.id) for n, q in enumerate(plan.questions)]
        self.s = RoundState()
        self.watch = Watch()
        self._waiting_since: float | None = None
        # when the think time ran out and started the answer by itself (not kept: a restored
        # round is never mid-answer)
        self._auto_started_at: float | None = None

    # ----- public ---------------------------------------------------------------------------
    def handle(self, event: io.Event) -> list[io.Action]:
        """Apply one event; the actions to carry out, in order (a ``Save`` last when the
        round's state changed)."""
        before = self._key()
        out: list[io.Action] = []
        getattr(self, f"_on_{type(event).__name__}")(event, out)
        if self._key() != before:
            out.append(io.Save(self.snapshot()))
        return out

    def _key(self) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        return asdict(self.s), [asdict(i) for i in self.items]

    @property
    def done(self) -> bool:
        return self.s.phase == "done"

    def view(self) -> RoundView:
        now, s = self.clock(), self.s
        clock = self._clock()
        think = answer = None
        if s.phase == "thinking":
            think = max(0.0, clock.think_s - self.watch.elapsed(now))
        elif s.phase == "answering":
            answer = self.watch.elapsed(now)
        caption = s.say_caption or (self._question().text if s.index < len(self.items) else "")
        waited = None
        if s.phase == "scoring" and self._waiting_since is not None and not s.paused:
            waited, caption = max(0.0, now - self._waiting_since), self.config.script.considering
        item = self.items[s.index] if s.index < len(self.items) else None
        source = item.follow_up_source if item is not None and s.part == "follow_up" else None
        return RoundView(s.phase, s.part, s.index, len(self.items), caption, think, answer,
                         clock.target_s, clock.hard_stop_s, s.cues[-1] if s.cues else None,
                         s.paused, waited, self.config.wait_for_scores_s, source)

    def snapshot(self) -> dict[str, Any]:
        """JSON-ready state (clocks as seconds used, since a monotonic time means nothing after
        a restart)."""
        now = self.clock()
        return {"version": SNAPSHOT_VERSION, "state": asdict(self.s),
                "elapsed_s": round(self.watch.elapsed(now), 3),
                "items": [asdict(i) for i in self.items]}

    @classmethod
    def restore(cls, plan: Plan, config: RoundConfig, clock: Callable[[], float],
                snapshot: dict[str, Any]) -> RoundMachine:
        """A machine back from ``snapshot`` after a crash, paused before its first unfinished
        step: an answer that was under way is asked again (its recording is kept by the
        practice core's recovery); an answer waiting for scores asks for them (``FetchScore``).
        Send ``Begin`` to carry on."""
        if snapshot.get("version") != SNAPSHOT_VERSION:
            raise ValueError(f"round state version {snapshot.get('version')} is not "
                             f"{SNAPSHOT_VERSION}")
        m = cls(plan, config, clock)
        m.items = [ItemRecord(**i) for i in snapshot["items"]]
        st = RoundState(**snapshot["state"])
        m.s = RoundState(index=st.index, part=st.part, say_id=st.say_id + 1, restored=True)
        if st.finished is not None or st.phase == "done":
            m.s.phase, m.s.finished = "done", st.finished or "completed"
        elif st.phase in ("ready", "greeting"):
            m.s.phase, m.s.index, m.s.part = "ready", 0, "main"
        elif st.phase == "closing" or st.ending:
            m.s.phase = "closing_pending"
        else:
            m.s.phase = "resume_pending"
        return m

    # ----- events ---------------------------------------------------------------------------
    def _on_Begin(self, _e: io.Begin, out: list[io.Action]) -> None:
        s = self.s
        if s.phase == "ready":
            if not self.items:
                return self._close(out, ended=False)
            if s.restored:
                return self._ask(out, prefix=self.config.script.resumed)
            s.phase = "greeting"
            self._say(out, self.config.script.greeting.format(count=len(self.items)),
                      "", "greeting")
        elif s.phase == "closing_pending":
            self._close(out, ended=any(i.status == "pending" for i in self.items))
        elif s.phase == "resume_pending":
            self._resume_step(out)

    def _on_Tick(self, _e: io.Tick, out: list[io.Action]) -> None:
        s, now = self.s, self.clock()
        if s.paused:
            return
        clock = self._clock()
        if s.phase == "thinking" and self.watch.elapsed(now) >= clock.think_s:
            self._answer(out, auto=True)
        elif s.phase == "answering":
            t = self.watch.elapsed(now)
            if t >= clock.target_s and "target" not in s.cues:
                s.cues.append("target")
                out.append(io.Cue("target"))
            if t >= clock.target_s + clock.stronger_cue_after_s and "over" not in s.cues:
                s.cues.append("over")
                out.append(io.Cue("over"))
            if clock.hard_stop_s > 0 and t >= clock.hard_stop_s:
                self._stop(out, "hard_stop")
        elif (s.phase == "scoring" and self._waiting_since is not None
              and now - self._waiting_since >= self.config.wait_for_scores_s):
            self._follow_up(out, None, "timeout")  # no scores in time: a probe of its own

    def _on_SpeechFinished(self, e: io.SpeechFinished, out: list[io.Action]) -> None:
        s = self.s
        if e.say_id != s.say_id or s.paused or s.phase not in SPEAKING:
            return
        s.say_text = ""
        if s.phase == "greeting":
            self._ask(out)
        elif s.phase == "asking":
            s.phase = "thinking"
            self.watch.start(self.clock())
            if self._clock().think_s <= 0:
                self._answer(out, auto=True)
        elif s.phase == "closing":
            s.phase = "done"
            out.append(io.Finished(s.finished or "completed"))

    def _on_StartAnswer(self, _e: io.StartAnswer, out: list[io.Action]) -> None:
        if self.s.phase in ("asking", "thinking") and not self.s.paused:
            if self.s.phase == "asking":
                out.append(io.StopSpeaking())
            self._answer(out)

    def _on_StopAnswer(self, _e: io.StopAnswer, out: list[io.Action]) -> None:
        started = self._auto_started_at
        if (started is not None and self.s.phase == "answering"
                and self.clock() - started < self.config.stop_grace_s):
            return  # Space as the think time ran out meant "I'm starting", not "stop"
        if self.s.phase == "answering":
            self._stop(out, "user")

    def _on_Heard(self, e: io.Heard, out: list[io.Action]) -> None:
        hf = self.config.hands_free
        if (self.s.phase == "answering" and not self.s.paused and hf.enabled
                and e.speech_s >= hf.armed_after_speech_s and e.silence_s >= hf.silence_s):
            self._stop(out, "silence")

    def _on_AnswerSaved(self, e: io.AnswerSaved, out: list[io.Action]) -> None:
        s = self.s
        if s.phase != "saving":
            return
        item, reason = self.items[s.index], s.stop_reason or "user"
        duration = e.duration_s if e.duration_s is not None else self.watch.elapsed(self.clock())
        if s.part == "main":
            item.status, item.attempt_id = "answered", e.attempt_id
            item.duration_s, item.ended_by = round(duration, 2), reason
        else:
            item.follow_up_status, item.follow_up_attempt_id = "answered", e.attempt_id
            item.follow_up_duration_s, item.follow_up_ended_by = round(duration, 2), reason
        if s.ending:
            return self._close(out, ended=True)
        if s.part == "main" and reason != "skip" and e.attempt_id is not None:
            s.phase = "scoring"  # the follow-up comes from the scores
            self._waiting_since = self.clock()
            return
        self._next(out)

    def _on_AnswerScored(self, e: io.AnswerScored, out: list[io.Action]) -> None:
        for item in self.items:
            if item.attempt_id == e.attempt_id:
                item.overall = e.overall
        s = self.s
        if s.phase == "scoring" and self.items[s.index].attempt_id == e.attempt_id:
            self._follow_up(out, e.follow_up, "answer" if (e.follow_up or "").strip()
                            else "probe")

    def _on_AnswerSilent(self, e: io.AnswerSilent, out: list[io.Action]) -> None:
        s = self.s
        if s.phase == "scoring" and self.items[s.index].attempt_id == e.attempt_id:
            self._next(out, self.config.script.no_answer)  # nothing said: no follow-up

    def _on_AnswerFailed(self, e: io.AnswerFailed, out: list[io.Action]) -> None:
        s = self.s
        if s.phase == "saving":  # nothing could be stored: the question counts as skipped
            item = self.items[s.index]
            if s.part == "main":
                item.status, item.ended_by = "skipped", "failed"
            else:
                item.follow_up_status = "skipped"
            return self._close(out, ended=True) if s.ending else self._next(out)
        if s.phase == "scoring":
            self._follow_up(out, None, "failed")

    def _on_Pause(self, _e: io.Pause, out: list[io.Action]) -> None:
        s, now = self.s, self.clock()
        if s.paused or s.phase in ("ready", "done", "resume_pending", "closing_pending"):
            return
        s.paused = True
        self.watch.pause(now)
        if s.phase in SPEAKING:
            out.append(io.StopSpeaking())
            s.needs_say = True
        elif s.phase == "answering":
            self._stop(out, "pause")

    def _on_Resume(self, _e: io.Resume, out: list[io.Action]) -> None:
        s = self.s
        if not s.paused:
            return
        s.paused = False
        self.watch.resume(self.clock())
        if s.needs_say:
            s.needs_say = False
            self._say(out, s.say_text, s.say_caption, s.say_role)
        elif s.phase == "scoring":
            self._waiting_since = self.clock()

    def _on_Skip(self, _e: io.Skip, out: list[io.Action]) -> None:
        s = self.s
        if s.phase in ("answering",):
            return self._stop(out, "skip")
        if s.phase in SPEAKING and not s.paused:
            out.append(io.StopSpeaking())
        s.needs_say = False  # a skip while paused moves on; the next line is said on resume
        if s.phase == "greeting":
            return self._ask(out)
        if s.phase == "closing":
            s.phase = "done"
            out.append(io.Finished(s.finished or "completed"))
            return
        if s.phase in ("asking", "thinking"):
            item = self.items[s.index]
            if s.part == "main":
                item.status = "skipped"
            else:
                item.follow_up_status = "skipped"
            return self._next(out)
        if s.phase == "scoring":  # no follow-up for this one; its scores still arrive
            return self._next(out)

    def _on_End(self, _e: io.End, out: list[io.Action]) -> None:
        s = self.s
        if s.phase in ("done", "closing"):
            return
        if s.phase == "answering":
            s.ending = True
            return self._stop(out, "end")
        if s.phase == "saving":
            s.ending = True
            return
        if s.phase in SPEAKING:
            out.append(io.StopSpeaking())
        self._close(out, ended=True)

    # ----- steps ----------------------------------------------------------------------------
    def _clock(self) -> Clock:
        return self.config.answer if self.s.part == "main" else self.config.follow_up

    def _question(self) -> Question:
        return self.plan.items[min(self.s.index, len(self.plan.items) - 1)].question

    def _say(self, out: list[io.Action], text: str, caption: str, role: str) -> None:
        s = self.s
        s.say_id += 1
        s.say_text, s.say_caption, s.say_role = text, caption, role
        if s.paused:
            s.needs_say = True
            return
        out.append(io.Say(s.say_id, text, caption or text, role))

    def _ask(self, out: list[io.Action], prefix: str = "") -> None:
        s = self.s
        s.phase, s.part, s.cues = "asking", "main", []
        q = self._question()
        self._say(out, f"{prefix} {q.text}".strip(), q.text, "question")

    def _resume_step(self, out: list[io.Action]) -> None:
        s, item = self.s, self.items[self.s.index]
        prefix = self.config.script.resumed
        if s.part == "main" and item.attempt_id is None:
            return self._ask(out, prefix)
        if s.part == "main":  # answered, waiting for its scores when the round stopped
            s.phase = "scoring"
            self._waiting_since = self.clock()
            out.append(io.FetchScore(item.attempt_id))
            return
        if item.follow_up and item.follow_up_attempt_id is None:
            s.phase, s.cues = "asking", []
            return self._say(out, f"{prefix} {item.follow_up}".strip(), item.follow_up,
                             "follow_up")
        self._next(out)

    def _answer(self, out: list[io.Action], *, auto: bool = False) -> None:
        """Start the answer: by the candidate (Space), or ``auto`` when the think time ran
        out (then a Space a beat later is taken as the start, see ``stop_grace_s``)."""
        self._auto_started_at = self.clock() if auto else None
        s, item = self.s, self.items[self.s.index]
        s.phase, s.cues, s.stop_reason = "answering", [], None
        self.watch.start(self.clock())
        follow = s.part == "follow_up"
        out.append(io.StartRecording(
            s.index, self._question(), item.follow_up if follow else None,
            item.attempt_id if follow else None))

    def _stop(self, out: list[io.Action], reason: str) -> None:
        s = self.s
        s.phase, s.stop_reason = "saving", reason
        self.watch.pause(self.clock())
        out.append(io.StopRecording(reason))

    def _follow_up(self, out: list[io.Action], text: str | None, source: str) -> None:
        """Ask the follow-up: ``text`` chosen from the answer, else one of the question's own
        probes; ``source`` says which and why (see ItemRecord.follow_up_source)."""
        s, item = self.s, self.items[self.s.index]
        self._waiting_since = None
        probes = self._question().follow_ups
        text = (text or "").strip() or (probes[0] if probes else "")
        if not text:
            return self._next(out)
        s.part, s.phase, s.cues = "follow_up", "asking", []
        item.follow_up, item.follow_up_status = text, "asked"
        item.follow_up_source = source
        self._say(out, text, text, "follow_up")

    def _next(self, out: list[io.Action], lead: str = "") -> None:
        s = self.s
        self._waiting_since = None
        if s.index + 1 >= len(self.items):
            return self._close(out, ended=False)
        s.index += 1
        script = self.config.script
        last = s.index == len(self.items) - 1
        prefix = script.last if last else script.next[s.index % len(script.next)]
        if lead:  # "I didn't hear an answer there…" instead of "Thank you. Next question."
            prefix = lead
        self._ask(out, prefix)

    def _close(self, out: list[io.Action], *, ended: bool) -> None:
        s = self.s
        for item in self.items:
            if item.status == "pending":
                item.status = "not_asked"
            if item.follow_up_status == "asked":
                item.follow_up_status = "skipped"
        s.phase, s.part, s.ending = "closing", "main", False
        s.finished = "ended" if ended else "completed"
        s.paused = False
        script = self.config.script
        self._say(out, script.ended_early if ended else script.closing, "", "closing")
