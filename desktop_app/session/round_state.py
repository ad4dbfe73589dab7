"""The round machine's plain state: a pausable stopwatch, each question's record, the view."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Watch:
    """A stopwatch that can be paused."""

    base: float = 0.0
    since: float | None = None

    def start(self, now: float) -> None:
        self.base, self.since = 0.0, now

    def pause(self, now: float) -> None:
        if self.since is not None:
            self.base += now - self.since
            self.since = None

    def resume(self, now: float) -> None:
        if self.since is None:
            self.since = now

    def elapsed(self, now: float) -> float:
        return self.base + (now - self.since if self.since is not None else 0.0)


@dataclass
class ItemRecord:
    """What happened to one planned question (the round report is built from these)."""

    index: int
    question_id: str
    status: str = "pending"  # pending | answered | skipped | not_asked
    attempt_id: int | None = None
    duration_s: float | None = None
    ended_by: str | None = None  # user | hard_stop | silence | skip | pause | end
    overall: float | None = None
    follow_up: str | None = None
    follow_up_status: str | None = None  # None: none asked | asked | answered | skipped
    follow_up_attempt_id: int | None = None
    follow_up_duration_s: float | None = None
    follow_up_ended_by: str | None = None
    # where the follow-up came from: "answer" (what the answer lacked, from its scores),
    # "timeout" (no scores within the wait), "failed" (scoring failed), "probe" (the analysis
    # proposed none): the last three are one of the question's own probes
    follow_up_source: str | None = None


@dataclass(frozen=True)
class RoundView:
    """What the window shows: the step, the caption and the clocks (seconds)."""

    phase: str
    part: str
    index: int
    total: int
    caption: str
    think_left_s: float | None
    answer_s: float | None
    target_s: float
    hard_stop_s: float
    cue: str | None
    paused: bool
    waited_s: float | None = None  # while scoring: seconds the interviewer has been waiting
    wait_limit_s: float = 0.0  # … and the most it waits before asking a probe instead
    follow_up_source: str | None = None  # the follow-up in hand's source (ItemRecord's)


@dataclass
class RoundState:
    phase: str = "ready"  # ready greeting asking thinking answering saving scoring closing done
    part: str = "main"  # main | follow_up
    index: int = 0
    paused: bool = False
    needs_say: bool = False
    say_id: int = 0
    say_text: str = ""
    say_caption: str = ""
    say_role: str = ""
    cues: list[str] = field(default_factory=list)
    stop_reason: str | None = None
    ending: bool = False
    finished: str | None = None
    restored: bool = False
