"""The phrasing development set (tests/fixtures/analysis_phrasing/, see its README): loader and
clause-level metrics, shared by the tests, tools/train_star.py and bench/analysis_speed.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import tomllib

from desktop_app.domain import AUDIENCES, KINDS, Question

PHRASING_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "analysis_phrasing"
SPLITS = ("train", "dev", "heldout")
STYLES = ("written", "spoken", "short", "habitual", "non_native")
STAR = ("S", "T", "A", "R")
LABELS = (*STAR, "O")


@dataclass
class Answer:
    id: str
    family: str
    style: str
    habitual: bool
    labels: list[str]
    units: list[str]
    question: Question
    text: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        pos, parts = 0, []
        for u in self.units:
            if parts:
                pos += 1
            self.spans.append((pos, pos + len(u)))
            parts.append(u)
            pos += len(u)
        self.text = " ".join(parts)

    @property
    def present(self) -> dict[str, bool]:
        return {lab: lab in self.labels for lab in STAR}


def read_family(path: Path) -> tuple[dict[str, Any], Question]:
    """A family file's TOML and its [family] header as a Question (both fixture formats)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path.name}: not valid TOML: {exc}") from exc
    fam = data.get("family", {})
    for key in ("id", "question", "competency", "kind", "audience"):
        if not isinstance(fam.get(key), str) or not fam[key].strip():
            raise ValueError(f"{path.name}: [family] needs a non-empty '{key}'")
    if fam["kind"] not in KINDS or fam["audience"] not in AUDIENCES:
        raise ValueError(f"{path.name}: bad kind/audience {fam['kind']!r}/{fam['audience']!r}")
    q = Question(
        fam["id"], fam["question"], fam["competency"], fam["kind"], audience=fam["audience"]
    )
    return data, q


def load_family(path: Path) -> list[Answer]:
    """One family file's answers; ValueError names the file and the problem."""
    data, q = read_family(path)
    fam = data["family"]
    out = []
    for a in data.get("answer", []):
        units = a.get("units", [])
        bad = [u for u in units if len(u) != 2 or u[0] not in LABELS or not str(u[1]).strip()]
        if not units or bad or a.get("style") not in STYLES:
            raise ValueError(f"{path.name}: answer {a.get('id')!r}: bad units/style {bad[:2]}")
        out.append(
            Answer(
                str(a["id"]), fam["id"], a["style"], bool(a.get("habitual", False)),
                [u[0] for u in units], [str(u[1]).strip() for u in units], q,
            )
        )
    return out


def load_split(split: str, root: Path = PHRASING_DIR) -> list[Answer]:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}")
    return [a for p in sorted((root / split).glob("*.toml")) for a in load_family(p)]


class _Unit(Protocol):
    label: str
    char_start: int
    char_end: int


def align(spans: Iterable[tuple[int, int]], predicted: Iterable[_Unit]) -> list[str]:
    """Each gold span takes the label of the predicted unit overlapping most of its characters."""
    pred = list(predicted)
    out = []
    for gs, ge in spans:
        best, best_ov = "-", 0
        for p in pred:
            ov = min(ge, p.char_end) - max(gs, p.char_start)
            if ov > best_ov:
                best, best_ov = p.label, ov
        out.append(best)
    return out


def prf(
    gold: list[str], pred: list[str], labels: tuple[str, ...] = LABELS
) -> dict[str, dict[str, float]]:
    table = {}
    for lab in labels:
        tp = sum(g == lab == p for g, p in zip(gold, pred, strict=True))
        n_pred, n_gold = pred.count(lab), gold.count(lab)
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        table[lab] = {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
                      "support": n_gold, "predicted": n_pred}
    return table


def macro_f1(table: dict[str, dict[str, float]]) -> float:
    return sum(table[lab]["f1"] for lab in STAR) / len(STAR)


@dataclass
class Scores:
    """Clause-level label figures and answer-level presence accuracy for one split."""

    table: dict[str, dict[str, float]]
    presence: float
    n_units: int
    n_answers: int
    errors: list[tuple[str, int, str, str, str]]  # (answer id, unit, gold, predicted, text)

    @property
    def macro(self) -> float:
        return macro_f1(self.table)

    def line(self, name: str) -> str:
        per = " ".join(f"{lab}={self.table[lab]['f1']:.3f}" for lab in STAR)
        return (f"{name:8s} units={self.n_units:4d} {per} macro={self.macro:.3f} "
                f"presence={self.presence:.3f}")


Predict = Callable[[Answer], tuple[list[_Unit], dict[str, bool]]]


def score(answers: list[Answer], predict: Predict) -> Scores:
    """``predict(answer)`` returns (labelled units with char spans, present S/T/A/R)."""
    gold: list[str] = []
    pred: list[str] = []
    hits = total = 0
    errors = []
    for a in answers:
        units, present = predict(a)
        got = align(a.spans, units)
        gold += a.labels
        pred += got
        for i, (g, p) in enumerate(zip(a.labels, got, strict=True)):
            if g != p:
                errors.append((a.id, i, g, p, a.units[i]))
        for lab in STAR:
            total += 1
            hits += a.present[lab] == bool(present.get(lab))
    return Scores(prf(gold, pred), hits / max(total, 1), len(gold), len(answers), errors)


def analyzer_predict(analyzer: Any) -> Predict:
    """The Analyzer's own units (``star.sentences``) and presence."""

    def run(a: Answer) -> tuple[list[_Unit], dict[str, bool]]:
        an = analyzer.analyze(a.text, a.question)
        return list(an.star.sentences), dict(an.star.present)

    return run
