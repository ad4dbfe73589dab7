"""The STAR labeller: a linear model over unit features (star_features.py) decoded with the
S -> T -> A -> R order prior as transitions (Viterbi; Other keeps the last STAR stage).

The weights are data: ``assets/analysis/star_model.json``, written by ``tools/train_star.py``
(an averaged structured perceptron over the labelled sets, deterministic). A unit's label is the
one whose features' weights, plus the transition from the story's stage so far, sum highest;
``explain`` lists the features that decided it."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

LABELS = ("S", "T", "A", "R", "O")
STAR = ("S", "T", "A", "R")
START = "start"
STAGES = (START, *STAR)

Weights = Mapping[str, Mapping[str, float]]


@dataclass
class StarModel:
    """Feature weights per label and transition weights per (stage, label)."""

    weights: dict[str, dict[str, float]]
    transitions: dict[str, dict[str, float]]

    @classmethod
    def load(cls, path: Path) -> StarModel:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            {f: {k: float(v) for k, v in w.items()} for f, w in data["weights"].items()},
            {s: {k: float(v) for k, v in t.items()} for s, t in data["transitions"].items()},
        )

    def emission(self, feats: Iterable[str]) -> dict[str, float]:
        e = dict.fromkeys(LABELS, 0.0)
        for f in feats:
            w = self.weights.get(f)
            if w:
                for lab, v in w.items():
                    e[lab] += v
        return e

    def decode(self, features: Sequence[Sequence[str]]) -> list[str]:
        return viterbi([self.emission(f) for f in features], self.transitions)

    def explain(self, feats: Iterable[str], label: str, top: int = 5) -> list[tuple[str, float]]:
        """The features that pushed most towards ``label`` (for debugging and notes)."""
        contrib = [(f, self.weights.get(f, {}).get(label, 0.0)) for f in feats]
        return sorted((c for c in contrib if c[1]), key=lambda c: -c[1])[:top]


def viterbi(emissions: Sequence[Mapping[str, float]], trans: Weights) -> list[str]:
    """Best label path; the state is (label, stage) where stage is the last STAR label so far."""
    if not emissions:
        return []

    def step(stage: str, lab: str) -> float:
        return float(trans.get(stage or START, {}).get(lab, 0.0))

    scores: dict[tuple[str, str], float] = {}
    back: list[dict[tuple[str, str], tuple[str, str] | None]] = []
    first: dict[tuple[str, str], tuple[str, str] | None] = {}
    for lab in LABELS:
        st = (lab, "" if lab == "O" else lab)
        scores[st] = step("", lab) + emissions[0][lab]
        first[st] = None
    back.append(first)
    for e in emissions[1:]:
        new: dict[tuple[str, str], float] = {}
        ptr: dict[tuple[str, str], tuple[str, str] | None] = {}
        for (plab, pstage), ps in sorted(scores.items()):
            for lab in LABELS:
                st = (lab, pstage if lab == "O" else lab)
                v = ps + step(pstage, lab) + e[lab]
                if st not in new or v > new[st]:
                    new[st], ptr[st] = v, (plab, pstage)
        scores = new
        back.append(ptr)
    state: tuple[str, str] | None = max(sorted(scores), key=lambda k: scores[k])
    path = []
    for ptr in reversed(back):
        assert state is not None
        path.append(state[0])
        state = ptr[state]
    return path[::-1]


def stages(labels: Sequence[str]) -> list[str]:
    """The stage (last STAR label, or "start") before each position: the transition's row."""
    out, stage = [], START
    for lab in labels:
        out.append(stage)
        if lab in STAR:
            stage = lab
    return out
