"""Reasoning: trade-offs, alternatives, justification, assumptions and a systematic approach."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop_app.analysis.doc import Doc, Finding, FromDict
from desktop_app.analysis.resources import Resources
from desktop_app.analysis.text import find_phrases

_FINDING_KIND = {
    "tradeoff": ("tradeoff", "You weighed a trade-off."),
    "alternative": ("alternative", "You named an alternative."),
    "assumption": ("assumption", "You stated an assumption or asked to clarify."),
    "systematic": ("systematic", "A systematic step: hypothesis, check, narrow down."),
}


@dataclass
class ReasoningResult(FromDict):
    score: float | None = 0.0  # None when not judged (behavioural questions: zero weight)
    weighted: bool = True  # False for behavioural questions
    counts: dict[str, int] = field(default_factory=dict)
    tradeoff: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": None if self.score is None else round(self.score, 1),
            "weighted": self.weighted,
            "counts": dict(self.counts),
            "tradeoff": self.tradeoff,
        }


def analyse_reasoning(
    doc: Doc, res: Resources, question: Any, findings: list[Finding]
) -> ReasoningResult:
    kind = getattr(question, "kind", "behavioural") if question is not None else "behavioural"
    r = ReasoningResult(weighted=kind != "behavioural")
    weights = res.reasoning["weights"]
    counts = dict.fromkeys(res.reasoning_cues, 0)
    for sent, ok in zip(doc.sentences, doc.coherent, strict=False):
        for family, pattern in res.reasoning_cues.items():
            for _phrase, a, b in find_phrases(sent, pattern):
                if ok:
                    counts[family] += 1
                if family in _FINDING_KIND:
                    fk, msg = _FINDING_KIND[family]
                    findings.append(doc.finding(fk, sent.tokens[a:b], msg))
    r.counts = counts
    r.tradeoff = counts.get("tradeoff", 0) > 0
    total = 0.0
    for family, n in counts.items():
        w = float(weights.get(family, 0.0))
        total += w * (0.0 if n == 0 else 0.65 if n == 1 else 1.0)
    scale = res.reasoning.get("scale", {})
    full = float(scale.get("full_at", 1.0)) * sum(weights.values())
    density = 100 * sum(counts.values()) / max(doc.n_words, 1)
    crowding = min(1.0, float(scale.get("max_density", 1e9)) / density) if density else 1.0
    r.score = max(0.0, min(100.0, 100 * crowding * total / max(full, 1e-9)))
    return r
