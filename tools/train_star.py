"""Train the STAR labeller's weights (assets/analysis/star_model.json) from the labelled sets.

An averaged structured perceptron: for each answer, decode with the current weights (Viterbi with
the S -> T -> A -> R stage transitions) and move the weights towards the gold path's features.
Training data: tests/fixtures/analysis_phrasing/train and the story families in
tests/fixtures/analysis (all variants). Deterministic: fixed example order per epoch (a hash of the
answer id and the epoch), no randomness, weights rounded to 4 decimals. The transitions start from
star.toml [transition] (the order prior) and are learned with the rest.

    python tools/train_star.py              # train, print train/dev figures, write the model
    python tools/train_star.py --check      # exit 1 if the committed model differs from a retrain
    python tools/train_star.py --ablate     # dev figures for the feature-set alternatives
"""

from __future__ import annotations

import argparse
import json
import sys
import zlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from desktop_app.analysis.doc import build_doc  # noqa: E402
from desktop_app.analysis.resources import Resources, load_resources  # noqa: E402
from desktop_app.analysis.specificity import sentence_quantities  # noqa: E402
from desktop_app.analysis.star import answer_stuffing  # noqa: E402
from desktop_app.analysis.star_features import unit_features  # noqa: E402
from desktop_app.analysis.star_model import LABELS, STAR, StarModel, stages  # noqa: E402
from tests.analysis.phrasing import load_split, prf  # noqa: E402
from tests.analysis.test_evaluation import load_corpus  # noqa: E402

ASSETS = ROOT / "assets" / "analysis"
MODEL_PATH = ASSETS / "star_model.json"
EPOCHS = 4
RUNS = 9
FEATURE_GROUPS = {
    "syntax": ("subj:", "verb:", "subjverb:", "fp:", "fpverb:"),
    "lexicon": ("lex:",),
    "cues": ("cue:",),
    "words": ("w0:", "w01:", "cont:"),
}


@dataclass
class Example:
    id: str
    feats: list[list[str]]
    gold: list[str]  # per unit
    unit_spans: list[tuple[int, int]]
    coherent: list[bool]
    gold_spans: list[tuple[int, int]]
    gold_labels: list[str]


def _unit_gold(units: Sequence[tuple[int, int]], spans: Sequence[tuple[int, int]],
               labels: Sequence[str]) -> list[str]:
    out = []
    for us, ue in units:
        best, best_ov = "O", 0
        for (gs, ge), lab in zip(spans, labels, strict=True):
            ov = min(ue, ge) - max(us, gs)
            if ov > best_ov:
                best, best_ov = lab, ov
        out.append(best)
    return out


def make_example(res: Resources, ident: str, text: str, spans: list[tuple[int, int]],
                 labels: list[str]) -> Example:
    doc = build_doc(text, res.meta_words)
    quantities = [q for u in doc.units for q in sentence_quantities(u)]
    feats = unit_features(doc, res, quantities, answer_stuffing(doc, res))
    uspans = [(u.char_start, u.char_end) for u in doc.units]
    return Example(ident, feats, _unit_gold(uspans, spans, labels), uspans, doc.unit_coherent,
                   spans, list(labels))


def phrasing_examples(res: Resources, split: str) -> list[Example]:
    return [make_example(res, a.id, a.text, a.spans, a.labels) for a in load_split(split)]


def family_examples(res: Resources, folder: Path | None = None) -> list[Example]:
    out = []
    for fam in load_corpus(folder) if folder else load_corpus():
        for name, v in fam.variants.items():
            text, spans = v.build()
            out.append(make_example(res, f"{fam.id}/{name}", text, spans, v.labels))
    return out


def _drop(feats: list[list[str]], drop: tuple[str, ...]) -> list[list[str]]:
    return [[f for f in fs if not f.startswith(drop)] for fs in feats] if drop else feats


def train(examples: list[Example], prior: dict[str, dict[str, float]], epochs: int = EPOCHS,
          drop: tuple[str, ...] = (), runs: int = RUNS) -> StarModel:
    """The mean of ``runs`` averaged perceptrons, each seeing the examples in its own fixed
    order: a perceptron depends on the order it sees examples in, and the mean removes most of
    that variance (still deterministic)."""
    models = [_train_one(examples, prior, epochs, drop, salt) for salt in range(runs)]
    feats = sorted({f for m in models for f in m.weights})
    weights = {}
    for f in feats:
        row = {lab: round(sum(m.weights.get(f, {}).get(lab, 0.0) for m in models) / runs, 4)
               for lab in LABELS}
        row = {k: v for k, v in row.items() if v}
        if row:
            weights[f] = row
    trans = {s: {lab: round(sum(m.transitions[s][lab] for m in models) / runs, 4)
                 for lab in LABELS} for s in sorted(prior)}
    return StarModel(weights, trans)


def _train_one(examples: list[Example], prior: dict[str, dict[str, float]], epochs: int,
               drop: tuple[str, ...], salt: int) -> StarModel:
    """Averaged structured perceptron (lazy averaging: avg = w - u / c)."""
    w: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(LABELS, 0.0))
    u: dict[str, dict[str, float]] = defaultdict(lambda: dict.fromkeys(LABELS, 0.0))
    t = {s: dict(row) for s, row in prior.items()}
    tu = {s: dict.fromkeys(row, 0.0) for s, row in prior.items()}
    c = 1
    data = [(ex, _drop(ex.feats, drop)) for ex in examples]
    for epoch in range(epochs):
        order = sorted(data, key=lambda d: zlib.crc32(f"{d[0].id}:{epoch}:{salt}".encode()))
        for ex, feats in order:
            model = StarModel(w, t)
            pred = model.decode(feats)
            if pred != ex.gold:
                for fs, g, p in zip(feats, ex.gold, pred, strict=True):
                    if g == p:
                        continue
                    for f in fs:
                        w[f][g] += 1.0
                        w[f][p] -= 1.0
                        u[f][g] += c
                        u[f][p] -= c
                for seq, sign in ((ex.gold, 1.0), (pred, -1.0)):
                    for st, lab in zip(stages(seq), seq, strict=True):
                        t[st][lab] += sign
                        tu[st][lab] += sign * c
            c += 1
    avg = {f: {lab: round(row[lab] - u[f][lab] / c, 4) for lab in LABELS} for f, row in w.items()}
    avg = {f: {k: v for k, v in row.items() if v} for f, row in sorted(avg.items())}
    trans = {s: {lab: round(t[s][lab] - tu[s][lab] / c, 4) for lab in LABELS} for s in sorted(t)}
    return StarModel({f: r for f, r in avg.items() if r}, trans)


def evaluate(model: StarModel, examples: Iterable[Example],
             drop: tuple[str, ...] = ()) -> tuple[dict[str, dict[str, float]], float]:
    """Clause-level table (gold units aligned to predicted units) and presence accuracy."""
    gold: list[str] = []
    pred: list[str] = []
    hits = total = 0
    for ex in examples:
        labels = model.decode(_drop(ex.feats, drop))
        for gs, ge in ex.gold_spans:
            best, best_ov = "-", 0
            for (us, ue), lab in zip(ex.unit_spans, labels, strict=True):
                ov = min(ge, ue) - max(gs, us)
                if ov > best_ov:
                    best, best_ov = lab, ov
            pred.append(best)
        gold += ex.gold_labels
        for lab in STAR:
            total += 1
            got = lab in labels
            hits += got == (lab in ex.gold_labels)
    return prf(gold, pred), hits / max(total, 1)


def line(name: str, table: dict[str, dict[str, float]], presence: float) -> str:
    macro = sum(table[lab]["f1"] for lab in STAR) / 4
    per = " ".join(f"{lab}={table[lab]['f1']:.3f}" for lab in STAR)
    return f"{name:34s} {per} macro={macro:.3f} pres={presence:.3f}"


def to_json(model: StarModel) -> str:
    data = {
        "about": "STAR labeller weights; written by tools/train_star.py, do not edit by hand",
        "epochs": EPOCHS,
        "runs": RUNS,
        "transitions": model.transitions,
        "weights": model.weights,
    }
    return json.dumps(data, indent=0, sort_keys=True, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--check", action="store_true", help="compare with the committed model")
    ap.add_argument("--ablate", action="store_true", help="dev figures without feature groups")
    ap.add_argument("--no-families", action="store_true", help="train on the phrasing set only")
    args = ap.parse_args(argv)
    res = load_resources(ASSETS, with_model=False)
    prior = {s: {lab: float(v) for lab, v in row.items()}
             for s, row in res.star["transition"].items()}
    train_ex = phrasing_examples(res, "train")
    if not args.no_families:
        train_ex += family_examples(res)
    dev_ex = phrasing_examples(res, "dev")
    model = train(train_ex, prior)
    if args.check:
        same = MODEL_PATH.exists() and MODEL_PATH.read_text(encoding="utf-8") == to_json(model)
        print("model matches a retrain" if same else "model differs from a retrain")
        return 0 if same else 1
    print(line("train", *evaluate(model, train_ex)))
    print(line("dev", *evaluate(model, dev_ex)))
    if args.ablate:
        dev2 = family_examples(res, ROOT / "tests" / "fixtures" / "analysis_holdout")
        phr = phrasing_examples(res, "train")
        fams = family_examples(res)
        configs: list[tuple[str, list[Example], tuple[str, ...], int]] = [
            ("all", train_ex, (), EPOCHS),
            ("phrasing only", phr, (), EPOCHS),
            ("phrasing x2 + families", phr + phr + fams, (), EPOCHS),
            ("all, 6 epochs", train_ex, (), 6),
            ("all, 20 epochs", train_ex, (), 20),
        ]
        configs += [(f"all without {n}", train_ex, d, EPOCHS) for n, d in FEATURE_GROUPS.items()]
        for name, data, drop, ep in configs:
            m = train(data, prior, epochs=ep, drop=drop)
            print(line(f"{name} | dev", *evaluate(m, dev_ex, drop)), "|",
                  line("old holdout", *evaluate(m, dev2, drop)))
        return 0
    MODEL_PATH.write_text(to_json(model), encoding="utf-8")
    print(f"wrote {MODEL_PATH.relative_to(ROOT)} ({len(model.weights)} features)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
