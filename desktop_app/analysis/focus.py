"""Follow-up answers are judged on what the follow-up asked (issue 13 point 9).

``classify`` maps a follow-up prompt to a focus from assets/analysis/focus.toml ("outcome": the
outcome and how it was measured, "own_part", "differently", "reasoning", "people", "steps",
"example", "general"); ``judge`` checks the answer for what that focus needs (a Result, a number,
a lesson, first-person actions, a reason, the other people) and scores it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop_app.analysis.doc import Doc, FromDict
from desktop_app.analysis.reasoning import ReasoningResult
from desktop_app.analysis.resources import Resources
from desktop_app.analysis.specificity import Quantity, SpecificityResult
from desktop_app.analysis.star import StarResult
from desktop_app.analysis.star_features import CHANGE_VERBS
from desktop_app.analysis.text import find_phrases, normalise

_OTHERS = frozenset(
    "he she they them him her client customer customers manager director boss owner team "
    "stakeholder stakeholders users colleague colleagues partner".split()
)


@dataclass
class FocusResult(FromDict):
    """What a follow-up asked (``kind``, ``label``) and whether the answer gave it."""

    kind: str
    label: str
    prompt: str
    needs: dict[str, bool] = field(default_factory=dict)
    score: float = 0.0
    full_star: bool = False
    hypothetical_ok: bool = False  # the follow-up asks what they would do, or for a lesson

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["needs"] = dict(self.needs)
        d["score"] = round(self.score, 1)
        return d

    @property
    def missing(self) -> list[str]:
        return [k for k, ok in self.needs.items() if not ok]


def _norm(text: str) -> str:
    return " " + " ".join(normalise(w) for w in text.replace("’", "'").split()) + " "


def _has(low: str, cues: list[str]) -> bool:
    return any(_norm(c) in low for c in cues)


def classify(res: Resources, prompt: str) -> str:
    """The focus key of a follow-up prompt (first matching cue in focus.toml's order)."""
    cfg = res.focus
    low = _norm(prompt)
    for key in cfg["order"]:
        if _has(low, cfg[key].get("cues", [])):
            return str(key)
    return "general"


def judge(
    res: Resources,
    prompt: str,
    doc: Doc,
    labels: list[str],
    quantities: list[Quantity],
    star: StarResult,
    spec: SpecificityResult,
    reasoning: ReasoningResult,
) -> FocusResult:
    kind = classify(res, prompt)
    cfg = res.focus[kind]
    coherent = doc.unit_coherent
    lows = [t.low for t in doc.tokens]
    numbers = any(q.kind != "date" and coherent[q.sent] for q in quantities)
    lesson = star.lesson or any(find_phrases(u, res.differently) for u in doc.units)
    checks = {
        "number": numbers,
        "lesson": lesson,
        "first_person": spec.i_count > 0 and (spec.i_ratio or 0.0) >= 0.5,
        "reasoning": sum(reasoning.counts.values()) > 0,
        "others": any(w in _OTHERS for w in lows),
    }
    needs: dict[str, bool] = {}
    for need in cfg["needs"]:
        if need in checks:
            needs[need] = checks[need]
        elif need == "R":
            # The outcome may be told as the answer's only part: a measured change or an
            # outcome phrase ("it went well", "in the end") counts too.
            outcome = res.star_lexicon.get("outcome")
            needs[need] = (star.present["R"] or numbers and any(w in CHANGE_VERBS for w in lows)
                           or outcome is not None and any(find_phrases(u, outcome)
                                                          for u in doc.units))
        else:
            needs[need] = bool(star.present.get(need))
    share = float(res.focus["score"]["need_share"])
    met = sum(needs.values()) / max(len(needs), 1)
    detail = min(1.0, (spec.quantities + spec.named) / 2)
    score = 100 * (share * met + (1 - share) * detail) * max(star.coherence, 0.3)
    hyp_ok = bool(cfg.get("hypothetical_ok")) or _has(_norm(prompt),
                                                       res.focus["hypothetical_prompts"])
    return FocusResult(kind, str(cfg["label"]), prompt, needs, score,
                       bool(cfg.get("full_star")), hyp_ok)
