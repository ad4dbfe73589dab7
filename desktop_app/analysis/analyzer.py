"""The Analyzer: one transcript (or plain text) in, one explained Analysis out."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from desktop_app.analysis.consistency import Parts
from desktop_app.analysis.delivery import DeliveryResult, analyse_delivery
from desktop_app.analysis.doc import Doc, Finding, build_doc
from desktop_app.analysis.feedback import choose_follow_up, choose_tips, lacks, notes_for
from desktop_app.analysis.focus import FocusResult
from desktop_app.analysis.focus import judge as judge_focus
from desktop_app.analysis.jargon import JargonResult, analyse_jargon
from desktop_app.analysis.reasoning import ReasoningResult, analyse_reasoning
from desktop_app.analysis.resources import Resources, load_resources
from desktop_app.analysis.specificity import (
    Quantity,
    SpecificityResult,
    analyse_specificity,
    sentence_quantities,
)
from desktop_app.analysis.star import StarResult, analyse_star, label_units
from desktop_app.analysis.text import find_phrases
from desktop_app.analysis.zipf import warm_up
from desktop_app.domain import SCORE_KEYS, Question, Transcript
from desktop_app.paths import assets_dir

ANALYSIS_VERSION = 2  # the "version" of Analysis.to_dict(); from_dict refuses a newer one


@dataclass
class Analysis:
    """Scores (0-100, or None when a dimension is not judged), sub-results, findings with char
    spans into ``text``, tips and a follow-up. ``to_dict`` is the one place it becomes a dict;
    ``from_dict`` reads that dict back losslessly."""

    text: str
    scores: dict[str, float | None]
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
    tip_ids: list[str] = field(default_factory=list)
    focus: FocusResult | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of ``rehearse score --json`` and of Attempt.analysis_json."""
        return {
            "version": ANALYSIS_VERSION,
            "question_id": self.question_id,
            "text": self.text,
            "scores": {k: None if v is None else round(v, 1) for k, v in self.scores.items()},
            "weights": dict(self.weights),
            "star": self.star.to_dict(),
            "specificity": self.specificity.to_dict(),
            "jargon": self.jargon.to_dict(),
            "delivery": self.delivery.to_dict(),
            "reasoning": self.reasoning.to_dict(),
            "focus": None if self.focus is None else self.focus.to_dict(),
            "findings": [f.to_dict() for f in self.findings],
            "tips": list(self.tips),
            "tip_ids": list(self.tip_ids),
            "follow_up": self.follow_up,
            "notes": list(self.notes),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Analysis:
        """The typed analysis back from ``to_dict()`` (``from_dict(a.to_dict()).to_dict() ==
        a.to_dict()``). Raises KeyError/TypeError on a dict of another shape, ValueError on one
        written by a newer Rehearse (a ``version`` above :data:`ANALYSIS_VERSION`)."""
        version = d.get("version", ANALYSIS_VERSION)
        if not isinstance(version, int) or version > ANALYSIS_VERSION:
            raise ValueError(f"analysis version {version!r} is newer than this Rehearse reads "
                             f"({ANALYSIS_VERSION})")
        return cls(
            text=d["text"],
            scores=dict(d["scores"]),
            star=StarResult.from_dict(d["star"]),
            specificity=SpecificityResult.from_dict(d["specificity"]),
            jargon=JargonResult.from_dict(d["jargon"]),
            delivery=DeliveryResult.from_dict(d["delivery"]),
            reasoning=ReasoningResult.from_dict(d["reasoning"]),
            findings=[Finding.from_dict(f) for f in d["findings"]],
            tips=list(d["tips"]),
            follow_up=d["follow_up"],
            notes=list(d["notes"]),
            question_id=d["question_id"],
            weights=dict(d["weights"]),
            tip_ids=list(d.get("tip_ids", [])),
            focus=None if d.get("focus") is None else FocusResult.from_dict(d["focus"]),
        )


def _clamp(v: float | None) -> float | None:
    return None if v is None else max(0.0, min(100.0, float(v)))


class Analyzer:
    """Loads assets/analysis once; ``analyze`` is pure, deterministic and thread-safe."""

    def __init__(self, config: str | os.PathLike[str] | None = None) -> None:
        """``config``: a folder holding the analysis data files (default assets/analysis)."""
        folder = Path(config) if config is not None else assets_dir() / "analysis"
        self.resources: Resources = load_resources(folder)
        guards = self.resources.weights.get("guards", {})
        self.min_words = int(guards.get("min_words", 40))
        self.min_words_follow_up = int(guards.get("min_words_follow_up", 15))
        self.uncertain_below = float(guards.get("uncertain_word_probability", 0.0))
        warm_up()

    def weights_for(self, question: Question | None) -> dict[str, float]:
        table = self.resources.weights
        kind = question.kind if question is not None else "default"
        w = table.get(kind) or table["default"]
        return {k: float(w.get(k, 0.0)) for k in SCORE_KEYS[1:]}

    def analyze(
        self,
        transcript: Transcript | str,
        question: Question | None = None,
        *,
        follow_up: str | None = None,
    ) -> Analysis:
        """Score one answer; ``follow_up`` is the follow-up question it answers, if any (then it
        is judged on what that question asked, not as a full STAR story). Never raises on odd
        text; bad argument types raise TypeError."""
        if not isinstance(transcript, (Transcript, str)):
            raise TypeError(f"analyze() needs a Transcript or str, not {type(transcript).__name__}")
        if follow_up is not None and not isinstance(follow_up, str):
            raise TypeError(f"follow_up must be a str, not {type(follow_up).__name__}")
        res = self.resources
        doc = build_doc(transcript, res.meta_words, self.uncertain_below)
        quantities = [q for u in doc.units for q in sentence_quantities(u)]
        findings: list[Finding] = []
        labels = label_units(doc, res, res.star_model, quantities)
        star = analyse_star(doc, res, labels, quantities)
        spec = analyse_specificity(doc, res, labels, quantities, findings)
        jargon = analyse_jargon(doc, res, question, findings)
        delivery = analyse_delivery(doc, res, findings)
        reasoning = analyse_reasoning(doc, res, question, findings)
        findings.extend(doc.uncertain_findings())
        focus = None
        if follow_up and follow_up.strip():
            focus = judge_focus(res, follow_up, doc, labels, quantities, star, spec, reasoning)
        narrow = focus is not None and not focus.full_star
        min_words = self.min_words_follow_up if narrow else self.min_words

        content_factor = min(1.0, doc.n_words / min_words) if min_words else 1.0
        claims = claim_list(doc, res, quantities)
        # Keyword stuffing or a bare list of claims cannot earn specificity or reasoning credit.
        guard = content_factor * (1 - 0.8 * star.stuffing) * (0.3 + 0.7 * star.coherence)
        guard *= 1 - 0.7 * claims
        weights = self.weights_for(question)
        scores: dict[str, float | None] = {
            "star": None if narrow else star.score * content_factor,
            "specificity": spec.score * guard,
            "jargon": jargon.score if doc.n_words else 0.0,
            "delivery": delivery.score,  # None for typed text (and for an empty answer)
            "reasoning": reasoning.score * guard if reasoning.weighted else None,
        }
        if narrow and focus is not None:
            scores["focus"] = focus.score * content_factor
            weights["focus"] = weights["star"]
        scores = {k: _clamp(v) for k, v in scores.items()}
        used = {k: w for k, w in weights.items() if scores.get(k) is not None}
        weights = {k: (w if k in used else 0.0) for k, w in weights.items()}
        total_w = sum(used.values()) or 1.0
        overall = sum(float(scores[k] or 0.0) * w for k, w in used.items()) / total_w
        # Nonsense, a string of keywords or a list of claims cannot be rescued by delivery.
        overall *= (0.4 + 0.6 * star.coherence * (1 - star.stuffing)) * (1 - 0.5 * claims)
        scores = {"overall": _clamp(overall), **scores}
        # One number, one meaning: each sub-result carries the score shown for it.
        star.score = scores["star"]
        spec.score = float(scores["specificity"] or 0.0)
        jargon.score = float(scores["jargon"] or 0.0)
        delivery.score = scores["delivery"]
        reasoning.score = scores["reasoning"]
        if focus is not None and narrow:
            focus.score = float(scores["focus"] or 0.0)

        findings.sort(key=lambda f: (f.char_start, f.char_end, f.kind))
        parts = Parts(res, doc, labels, quantities, star, spec, jargon, delivery, reasoning,
                      focus, min_words, findings, claims)
        found = lacks(parts)
        tips = choose_tips(res, parts, found)
        return Analysis(
            text=doc.text,
            scores=scores,
            star=star,
            specificity=spec,
            jargon=jargon,
            delivery=delivery,
            reasoning=reasoning,
            findings=findings,
            tips=[t for _k, t in tips],
            follow_up=choose_follow_up(res, parts, found, question, doc.text),
            notes=notes_for(res, parts),
            question_id=question.id if question is not None else None,
            weights=weights,
            tip_ids=[k for k, _t in tips],
            focus=focus,
        )


_CONTEXT_LEXICONS = ("setting", "problem", "takeover", "want_need", "self_goal",
                     "role_copula", "assigned")


def claim_list(doc: Doc, res: Resources, quantities: list[Quantity]) -> float:
    """0..1: a list of boasts ("I cut churn 80 %, tripled revenue, hired 15 people…") with no
    setting, problem or goal around them: many numbers packed into few words and no story."""
    n = sum(1 for q in quantities if q.kind not in ("date", "duration"))
    if n < 3 or doc.n_words == 0:
        return 0.0
    lex = [res.star_lexicon[k] for k in _CONTEXT_LEXICONS if k in res.star_lexicon]
    if any(find_phrases(u, p) for u in doc.units for p in lex):
        return 0.0
    density = n / max(doc.n_words / 10, 1.0)
    return min(1.0, max(0.0, density - 0.8) / 0.8)
