"""The Analyzer: one transcript (or plain text) in, one explained Analysis out."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.analysis.delivery import DeliveryResult, analyse_delivery
from desktop_app.analysis.doc import Finding, build_doc
from desktop_app.analysis.feedback import Parts, choose_follow_up, choose_tips, lacks, notes_for
from desktop_app.analysis.jargon import JargonResult, analyse_jargon
from desktop_app.analysis.reasoning import ReasoningResult, analyse_reasoning
from desktop_app.analysis.resources import Resources, load_resources
from desktop_app.analysis.specificity import (
    SpecificityResult,
    analyse_specificity,
    sentence_quantities,
)
from desktop_app.analysis.star import StarResult, analyse_star, label_units
from desktop_app.analysis.zipf import warm_up
from desktop_app.domain import Question, Transcript
from desktop_app.paths import assets_dir

SCORE_KEYS = ("overall", "star", "specificity", "jargon", "delivery", "reasoning")
SCHEMA_VERSION = 1


@dataclass
class Analysis:
    """Scores (0-100), sub-results, findings with char spans into ``text``, tips and a follow-up."""

    text: str
    scores: dict[str, float]
    star: StarResult
    specificity: SpecificityResult
    jargon: JargonResult
    delivery: DeliveryResult
    reasoning: ReasoningResult
    findings: list[Finding] = field(default_factory=list)
    tips: list[str] = field(default_factory=list)
    follow_up: str | None = None
    notes: list[str] = field(default_factory=list)
    question_id: str | None = None
    weights: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``rehearse score --json`` (issue 3) and of Attempt.analysis_json."""
        return {
            "version": SCHEMA_VERSION,
            "question_id": self.question_id,
            "text": self.text,
            "scores": {k: round(v, 1) for k, v in self.scores.items()},
            "weights": dict(self.weights),
            "star": self.star.to_dict(),
            "specificity": self.specificity.to_dict(),
            "jargon": self.jargon.to_dict(),
            "delivery": self.delivery.to_dict(),
            "reasoning": self.reasoning.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "tips": list(self.tips),
            "follow_up": self.follow_up,
            "notes": list(self.notes),
        }


class Analyzer:
    """Loads assets/analysis once; ``analyze`` is pure, deterministic and thread-safe."""

    def __init__(self, config: str | os.PathLike[str] | None = None) -> None:
        """``config``: a folder holding the analysis data files (default assets/analysis)."""
        folder = Path(config) if config is not None else assets_dir() / "analysis"
        self.resources: Resources = load_resources(folder)
        self.min_words = int(self.resources.weights.get("guards", {}).get("min_words", 40))
        warm_up()

    def weights_for(self, question: Question | None) -> dict[str, float]:
        table = self.resources.weights
        kind = question.kind if question is not None else "default"
        w = table.get(kind) or table["default"]
        return {k: float(w.get(k, 0.0)) for k in SCORE_KEYS[1:]}

    def analyze(self, transcript: Transcript | str, question: Question | None = None) -> Analysis:
        """Score one answer. Never raises on odd text; bad argument types raise TypeError."""
        if not isinstance(transcript, (Transcript, str)):
            raise TypeError(f"analyze() needs a Transcript or str, not {type(transcript).__name__}")
        res = self.resources
        doc = build_doc(transcript, res.meta_words)
        quantities = [q for u in doc.units for q in sentence_quantities(u)]
        findings: list[Finding] = []
        labels = label_units(doc, res, res.star_model, quantities)
        star = analyse_star(doc, res, labels, quantities)
        spec = analyse_specificity(doc, res, labels, quantities, findings)
        jargon = analyse_jargon(doc, res, question, findings)
        delivery = analyse_delivery(doc, res, findings)
        reasoning = analyse_reasoning(doc, res, question, findings)

        content_factor = min(1.0, doc.n_words / self.min_words) if self.min_words else 1.0
        # Keyword stuffing cannot earn specificity or reasoning credit either.
        guard = content_factor * (1 - 0.8 * star.stuffing) * (0.3 + 0.7 * star.coherence)
        scores = {
            "star": star.score * content_factor,
            "specificity": spec.score * guard,
            "jargon": jargon.score if doc.n_words else 0.0,
            "delivery": delivery.score if doc.n_words else 0.0,
            "reasoning": reasoning.score * guard,
        }
        weights = self.weights_for(question)
        total_w = sum(weights.values()) or 1.0
        overall = sum(scores[k] * w for k, w in weights.items()) / total_w
        # Nonsense or a string of keywords cannot be rescued by clean delivery or no jargon.
        overall *= 0.4 + 0.6 * star.coherence * (1 - star.stuffing)
        scores = {"overall": overall, **scores}
        scores = {k: max(0.0, min(100.0, float(v))) for k, v in scores.items()}

        findings.sort(key=lambda f: (f.char_start, f.char_end, f.kind))
        parts = Parts(doc, star, spec, jargon, delivery, reasoning, findings)
        found = lacks(parts, self.min_words)
        return Analysis(
            text=doc.text,
            scores=scores,
            star=star,
            specificity=spec,
            jargon=jargon,
            delivery=delivery,
            reasoning=reasoning,
            findings=findings,
            tips=choose_tips(res, found),
            follow_up=choose_follow_up(res, found, question, doc.text),
            notes=notes_for(res, parts, self.min_words),
            question_id=question.id if question is not None else None,
            weights=weights,
        )
