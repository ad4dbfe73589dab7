"""Mock interview settings from assets/interview/: the clocks, the script, roles and the planner."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib

from desktop_app.domain import KINDS
from desktop_app.paths import assets_dir


def interview_dir() -> Path:
    return assets_dir() / "interview"


def _read(name: str, folder: Path | None) -> dict[str, Any]:
    path = (folder or interview_dir()) / name
    try:
        with path.open("rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"cannot read {path}: {exc}") from exc


@dataclass(frozen=True)
class Clock:
    """One answer's clocks: think time, the target, the stronger cue's offset, the hard stop."""

    think_s: float
    target_s: float
    stronger_cue_after_s: float
    hard_stop_s: float  # 0: none


@dataclass(frozen=True)
class HandsFree:
    enabled: bool = True
    silence_s: float = 4.0
    armed_after_speech_s: float = 1.5


@dataclass(frozen=True)
class Script:
    """What the interviewer says besides the questions."""

    greeting: str
    next: tuple[str, ...]
    last: str
    closing: str
    ended_early: str
    resumed: str = ""
    considering: str = "One moment…"
    no_answer: str = ""


@dataclass(frozen=True)
class PlannerWeights:
    focus: float = 1.0
    due: float = 1.5
    overdue_per_day: float = 0.1
    weak: float = 1.5
    new: float = 0.2
    jitter: float = 0.6
    values_share: float = 0.34


@dataclass(frozen=True)
class RoundConfig:
    """Everything a round's clocks and planner need (defaults: assets/interview/round.toml)."""

    answer: Clock
    follow_up: Clock
    hands_free: HandsFree
    script: Script
    value_templates: tuple[str, ...]
    per_question_s: float
    min_questions: int
    max_questions: int
    time_boxes: tuple[int, ...]
    wait_for_scores_s: float = 45.0  # then a probe of the question's own instead
    wait_for_last_scores_s: float = 300.0  # then the report is shown without them
    stop_grace_s: float = 1.0  # Space this soon after the think time started the answer: ignored
    planner: PlannerWeights = field(default_factory=PlannerWeights)

    @classmethod
    def load(cls, folder: Path | None = None) -> RoundConfig:
        d = _read("round.toml", folder)
        try:
            clocks = {k: Clock(**{f.name: float(d[k].get(f.name, 0.0)) for f in fields(Clock)})
                      for k in ("answer", "follow_up")}
            hf = d.get("hands_free", {})
            s = d["script"]
            length = d["length"]
            return cls(
                answer=clocks["answer"], follow_up=clocks["follow_up"],
                hands_free=HandsFree(bool(hf.get("enabled", True)),
                                     float(hf.get("silence_s", 4.0)),
                                     float(hf.get("armed_after_speech_s", 1.5))),
                script=Script(str(s["greeting"]), tuple(map(str, s["next"])), str(s["last"]),
                              str(s["closing"]), str(s["ended_early"]),
                              str(s.get("resumed", "")),
                              str(s.get("considering", "One moment…")),
                              str(s.get("no_answer", ""))),
                value_templates=tuple(map(str, d["values"]["templates"])),
                per_question_s=float(length["per_question_s"]),
                min_questions=int(length["min_questions"]),
                max_questions=int(length["max_questions"]),
                time_boxes=tuple(int(m) for m in length["time_boxes"]),
                wait_for_scores_s=float(d["follow_up"].get("wait_for_scores_s", 45.0)),
                wait_for_last_scores_s=float(d["follow_up"].get("wait_for_last_scores_s",
                                                                300.0)),
                stop_grace_s=float(d["answer"].get("stop_grace_s", 1.0)),
                planner=PlannerWeights(**{k: float(v) for k, v in d.get("planner", {}).items()}),
            )  # fmt: skip
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"assets/interview/round.toml: bad or missing setting {exc}") from exc

    def with_times(self, *, think_s: float | None = None, target_s: float | None = None,
                   hard_stop_s: float | None = None, silence_s: float | None = None,
                   hands_free: bool | None = None) -> RoundConfig:
        """A copy with the candidate's own choices for the main answers' clocks."""
        answer = replace(self.answer, **{k: float(v) for k, v in (
            ("think_s", think_s), ("target_s", target_s), ("hard_stop_s", hard_stop_s))
            if v is not None})
        hf = replace(self.hands_free, **{k: v for k, v in (
            ("enabled", hands_free), ("silence_s", silence_s)) if v is not None})
        return replace(self, answer=answer, hands_free=hf)

    def questions_for_minutes(self, minutes: float) -> int:
        """How many questions fit a time box."""
        n = int(minutes * 60 // self.per_question_s)
        return max(self.min_questions, min(self.max_questions, n))


@dataclass(frozen=True)
class Role:
    key: str
    label: str
    kinds: dict[str, float]
    focus: tuple[str, ...] = ()
    levels: tuple[str, ...] = ()  # empty: every seniority
    tag: str | None = None


@dataclass(frozen=True)
class Level:
    key: str
    label: str
    tag: str


@dataclass(frozen=True)
class Roles:
    roles: dict[str, Role]
    levels: dict[str, Level]

    @classmethod
    def load(cls, folder: Path | None = None) -> Roles:
        d = _read("roles.toml", folder)
        roles: dict[str, Role] = {}
        for key, r in d.get("role", {}).items():
            kinds = {k: float(v) for k, v in r.get("kinds", {}).items()}
            bad = sorted(set(kinds) - set(KINDS))
            if bad:
                raise ValueError(f"assets/interview/roles.toml: role {key}: unknown kind(s) "
                                 f"{', '.join(bad)}")
            roles[key] = Role(key, str(r.get("label", key)), kinds,
                              tuple(r.get("focus", ())), tuple(r.get("levels", ())),
                              r.get("tag"))
        if "general" not in roles:
            roles["general"] = Role("general", "General (any role)", {"behavioural": 1.0})
        levels = {k: Level(k, str(v.get("label", k)), str(v.get("tag", k)))
                  for k, v in d.get("seniority", {}).items()}
        return cls(roles, levels)

    def role(self, key: str) -> Role:
        found = self.roles.get(key) or next(
            (r for r in self.roles.values() if r.label.casefold() == key.casefold()), None)
        if found is None:
            raise ValueError(f"unknown role '{key}'; choose one of {', '.join(self.roles)}")
        return found

    def level(self, key: str) -> Level:
        k = key.strip().lower().rstrip("+")
        if k not in self.levels:
            raise ValueError(f"unknown seniority '{key}'; choose one of "
                             f"{', '.join(self.levels)}")
        return self.levels[k]
