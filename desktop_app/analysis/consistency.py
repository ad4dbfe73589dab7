"""The last check before feedback is shown: no tip or follow-up may contradict the final labels
and metrics (issue 11). Each rule re-derives its fact from the labelled units themselves, not
from the flag that made the tip fire, so a bug in one place cannot slip through both."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from desktop_app.analysis.delivery import DeliveryResult
from desktop_app.analysis.doc import Doc, Finding
from desktop_app.analysis.focus import FocusResult
from desktop_app.analysis.jargon import JargonResult
from desktop_app.analysis.reasoning import ReasoningResult
from desktop_app.analysis.resources import Resources
from desktop_app.analysis.specificity import Quantity, SpecificityResult
from desktop_app.analysis.star import StarResult, measured
from desktop_app.analysis.text import find_phrases


@dataclass
class Parts:
    """Everything the feedback rules read: the final labels and every sub-result."""

    res: Resources
    doc: Doc
    labels: list[str]  # one per clause unit
    quantities: list[Quantity]
    star: StarResult
    spec: SpecificityResult
    jargon: JargonResult
    delivery: DeliveryResult
    reasoning: ReasoningResult
    focus: FocusResult | None
    min_words: int
    findings: list[Finding]
    claims: float = 0.0  # analyzer.claim_list: a list of boasts with no story (0..1)

    def vague_terms(self) -> list[str]:
        return [f.text.lower() for f in self.findings if f.kind == "vague"]

    def has(self, label: str) -> bool:
        """Is there a unit with this label (coloured as that part in the transcript)?"""
        return label in self.labels

    def result_has_number(self) -> bool:
        return any(lab == "R" and measured(self.quantities, i) for i, lab in enumerate(self.labels))

    def said_lesson(self) -> bool:
        return any(find_phrases(u, self.res.lesson) for u in self.doc.units)

    def share(self, label: str) -> float:
        words = {lab: 0 for lab in ("S", "T", "A", "R", "O")}
        for u, lab in zip(self.doc.units, self.labels, strict=False):
            words[lab] += len(u.tokens)
        return words[label] / max(sum(words.values()), 1)

    def sentences(self, label: str) -> int:
        """How many sentences hold a unit with this label."""
        return len({si for si, lab in zip(self.doc.unit_sentence, self.labels, strict=False)
                    if lab == label})


def _pace(p: Parts) -> tuple[float, float]:
    pc = p.res.delivery["pace"]
    return float(pc["ideal_low"]), float(pc["ideal_high"])


_RULES: dict[str, Callable[[Parts], bool]] = {
    # key -> True when the tip is consistent with the final labels and metrics
    "no_action": lambda p: not p.has("A"),
    "no_result": lambda p: not p.has("R"),
    "no_task": lambda p: not p.has("T"),
    "no_situation": lambda p: not p.has("S"),
    "result_no_number": lambda p: p.has("R") and not p.result_has_number(),
    "no_lesson": lambda p: not p.said_lesson(),
    # "cut it to two sentences" needs a Situation of three sentences or more
    "long_situation": lambda p: p.sentences("S") >= 3
    and p.share("S") > float(p.res.star["balance"]["long_situation"]),
    "thin_action": lambda p: p.has("A") and len(p.labels) >= 4
    and p.share("A") < float(p.res.star["balance"]["thin_action"]),
    "hypothetical": lambda p: p.spec.hypothetical,
    "mostly_we": lambda p: p.spec.i_ratio is not None and p.spec.i_ratio < 0.5,
    "acronyms": lambda p: bool(p.jargon.acronyms),
    "jargon": lambda p: len(p.jargon.unfamiliar) >= 3,
    "fast": lambda p: p.delivery.wpm is not None and p.delivery.wpm > _pace(p)[1],
    "slow": lambda p: p.delivery.wpm is not None and p.delivery.wpm < _pace(p)[0],
    "too_short": lambda p: p.doc.n_words < p.min_words and not all(p.has(x) for x in "SAR"),
    "too_short_complete": lambda p: p.doc.n_words < p.min_words,
    # strengths: only what is really there
    "measured_result": lambda p: p.result_has_number(),
    "clear_structure": lambda p: all(p.has(x) for x in "STAR") and p.star.order_ok,
    "lesson": lambda p: p.said_lesson(),
    "ownership": lambda p: (p.spec.i_ratio or 0.0) >= 0.6 and p.spec.i_count >= 2,
    "stretch_lesson": lambda p: not p.said_lesson(),
    "stretch_tradeoff": lambda p: not p.reasoning.tradeoff,
    "stretch_number": lambda p: not any(q.kind != "date" for q in p.quantities),
}


def consistent(key: str, p: Parts) -> bool:
    """May the tip or follow-up ``key`` be shown for this answer?"""
    if key.startswith("focus_"):
        return p.focus is not None and not p.focus.needs.get(key[len("focus_") :], True)
    if key == "focused":
        return p.focus is not None and not p.focus.missing
    if p.focus is not None and not p.focus.full_star and key in _STAR_PART_TIPS:
        return False  # a follow-up answer is not judged as a whole STAR story
    rule = _RULES.get(key)
    return rule(p) if rule else True


# STAR-part tips that make no sense for a follow-up answer (it answers a narrower question).
_STAR_PART_TIPS = frozenset(
    "no_action no_result no_task no_situation result_no_number no_lesson long_situation "
    "thin_action too_short short_structure clear_structure stretch_lesson".split()
)
