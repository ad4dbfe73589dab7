"""STAR structure: clause units labelled by the learned labeller (star_model.py, weights in
assets/analysis/star_model.json) with the S -> T -> A -> R order prior; scores and balance."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from desktop_app.analysis.doc import Doc, FromDict
from desktop_app.analysis.resources import Resources
from desktop_app.analysis.specificity import Quantity
from desktop_app.analysis.star_features import unit_features
from desktop_app.analysis.star_model import LABELS, STAR, StarModel
from desktop_app.analysis.text import find_phrases, sentence_char_end

__all__ = ["LABELS", "STAR", "StarResult", "StarSentence", "analyse_star", "label_units"]


@dataclass
class StarSentence(FromDict):
    text: str
    label: str
    start: float | None
    end: float | None
    char_start: int
    char_end: int

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class StarResult:
    score: float | None = 0.0  # None when not judged (a follow-up answer)
    sentences: list[StarSentence] = field(default_factory=list)
    present: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(STAR, False))
    order: list[str] = field(default_factory=list)
    order_ok: bool = True
    balance: dict[str, float] = field(default_factory=dict)  # share of words per label
    balance_seconds: dict[str, float] | None = None
    result_measured: bool = False
    lesson: bool = False
    coherence: float = 0.0
    stuffing: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": None if self.score is None else round(self.score, 1),
            "sentences": [s.to_dict() for s in self.sentences],
            "present": dict(self.present),
            "order": list(self.order),
            "order_ok": self.order_ok,
            "balance": {k: round(v, 3) for k, v in self.balance.items()},
            "balance_seconds": None
            if self.balance_seconds is None
            else {k: round(v, 3) for k, v in self.balance_seconds.items()},
            "result_measured": self.result_measured,
            "lesson": self.lesson,
            "coherence": round(self.coherence, 3),
            "stuffing": round(self.stuffing, 3),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> StarResult:
        return cls(
            score=d["score"],
            sentences=[StarSentence.from_dict(x) for x in d["sentences"]],
            present=dict(d["present"]),
            order=list(d["order"]),
            order_ok=d["order_ok"],
            balance=dict(d["balance"]),
            balance_seconds=None if d["balance_seconds"] is None else dict(d["balance_seconds"]),
            result_measured=d["result_measured"],
            lesson=d["lesson"],
            coherence=d["coherence"],
            stuffing=d["stuffing"],
        )


def answer_stuffing(doc: Doc, res: Resources) -> float:
    """0..1: how far the share of literal STAR words exceeds what a real story uses."""
    sc = res.star["score"]
    meta = sum(1 for t in doc.tokens if t.low in res.meta_words) / max(doc.n_words, 1)
    return min(1.0, max(0.0, meta - sc["meta_density_free"]) * sc["meta_density_slope"])


def label_units(
    doc: Doc, res: Resources, model: StarModel, quantities: list[Quantity]
) -> list[str]:
    """One STAR label per clause unit of ``doc`` (the learned labeller, star_model.py)."""
    return model.decode(unit_features(doc, res, quantities, answer_stuffing(doc, res)))


def _order(labels: list[str]) -> tuple[list[str], bool]:
    order: list[str] = []
    for lab in labels:
        if lab in STAR and lab not in order:
            order.append(lab)
    ranks = [STAR.index(x) for x in order]
    return order, ranks == sorted(ranks)


def _shares(weights: dict[str, float]) -> dict[str, float]:
    total = sum(weights.values())
    return {k: (v / total if total else 0.0) for k, v in weights.items()}


def _display_units(doc: Doc, labels: list[str]) -> list[tuple[int, int, str]]:
    """Runs of units from one sentence with one label, as (first unit, last unit + 1, label)."""
    out: list[tuple[int, int, str]] = []
    for i, lab in enumerate(labels):
        if out and out[-1][2] == lab and doc.unit_sentence[out[-1][1] - 1] == doc.unit_sentence[i]:
            out[-1] = (out[-1][0], i + 1, lab)
        else:
            out.append((i, i + 1, lab))
    return out


def measured(quantities: list[Quantity], unit: int) -> bool:
    """Does unit ``unit`` hold a number that measures something (not just a date)?"""
    return any(q.sent == unit and q.kind != "date" for q in quantities)


def analyse_star(
    doc: Doc, res: Resources, labels: list[str], quantities: list[Quantity]
) -> StarResult:
    r = StarResult()
    sc = res.star["score"]
    words = Counter[str]()
    secs = Counter[str]()
    units, coherent = doc.units, doc.unit_coherent
    for a, b, lab in _display_units(doc, labels):
        first, last = units[a], units[b - 1]
        end = sentence_char_end(doc.text, last)
        times = [t for u in units[a:b] for t in (u.start, u.end) if t is not None]
        r.sentences.append(
            StarSentence(
                doc.text[first.char_start : end],
                lab,
                min(times) if times else None,
                max(times) if times else None,
                first.char_start,
                end,
            )
        )
    for u, lab in zip(units, labels, strict=False):
        words[lab] += len(u.tokens)
        if u.start is not None and u.end is not None:
            secs[lab] += max(0.0, u.end - u.start)
        if lab in STAR:
            r.present[lab] = True  # what is coloured in the transcript is what counts as there
    r.balance = _shares({lab: float(words[lab]) for lab in LABELS})
    if doc.has_timing:
        r.balance_seconds = _shares({lab: secs[lab] for lab in LABELS})
    r.order, r.order_ok = _order(labels)
    r.result_measured = any(
        lab == "R" and ok and measured(quantities, i)
        for i, (lab, ok) in enumerate(zip(labels, coherent, strict=False))
    )
    r.lesson = any(
        bool(find_phrases(u, res.lesson)) and ok for u, ok in zip(units, coherent, strict=False)
    )

    n = max(doc.n_words, 1)
    r.coherence = sum(len(u.tokens) for u, ok in zip(units, coherent, strict=False) if ok) / n
    r.stuffing = answer_stuffing(doc, res)

    base = sum(sc["present"][lab] for lab in STAR if r.present[lab])
    if sum(r.present.values()) >= 2:
        base += sc["order"] * (1.0 if r.order_ok else 0.3)
        star_share = _shares({lab: r.balance[lab] for lab in STAR})
        tvd = 0.5 * sum(abs(star_share[lab] - res.star["balance"]["target"][lab]) for lab in STAR)
        base += sc["balance"] * max(0.0, 1.0 - 1.5 * tvd)
    base += sc["measured_result"] * r.result_measured + sc["lesson"] * r.lesson
    r.score = max(0.0, min(100.0, 100 * base * r.coherence * (1 - 0.8 * r.stuffing)))
    return r
