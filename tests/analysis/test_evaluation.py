"""Evaluation of the scorer on the hand-labelled corpus in tests/fixtures/analysis/ (its README).

Two measurements, each with a bar:
* sentence-level STAR labelling: macro-F1 over S, T, A, R >= ``F1_BAR`` on the strong, vague,
  result_missing, we_told and disfluent variants (gold sentences are aligned to the analyzer's
  sentences by character overlap, so a wrong sentence split costs labels too);
* expected orderings between variants of the same story ("strong > vague : specificity"): each one
  must hold in at least ``ORDERING_BAR`` of the families that declare it.

Run with ``pytest tests/analysis/test_evaluation.py -s`` to see the summary tables; a JSON copy is
written to the pytest temporary directory (its path is printed).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from desktop_app.analysis import Analyzer
from desktop_app.domain import Question
from tests.analysis.phrasing import align, prf, read_family
from tests.analysis.samples import timed_transcript

CORPUS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "analysis"
VARIANTS = (
    "strong", "vague", "jargon_heavy", "result_missing",
    "we_told", "hypothetical", "disfluent", "stuffed",
)
F1_VARIANTS = ("strong", "vague", "result_missing", "we_told", "disfluent")
INFO_VARIANTS = ("jargon_heavy", "hypothetical")  # F1 reported, not asserted
STAR_LABELS = ("S", "T", "A", "R")
ALL_LABELS = (*STAR_LABELS, "O")
SCORE_KEYS = ("overall", "star", "specificity", "jargon", "delivery", "reasoning")
F1_BAR = 0.85
ORDERING_BAR = 0.90
MIN_FAMILIES = 12
ORDERING_RE = re.compile(r"^\s*(\w+)\s*>\s*(\w+)\s*:\s*(\w+)\s*$")


# --------------------------------------------------------------------------- corpus


@dataclass
class Variant:
    name: str
    punctuated: bool
    labels: list[str]
    sentences: list[str]  # as written in the fixture

    def build(self) -> tuple[str, list[tuple[int, int]]]:
        """The answer text and each gold sentence's (char_start, char_end) in it."""
        parts: list[str] = []
        spans: list[tuple[int, int]] = []
        pos = 0
        for raw in self.sentences:
            s = raw.strip()
            if not self.punctuated:
                s = s.rstrip(".?!").rstrip()
            if parts:
                pos += 1  # the joining space
            spans.append((pos, pos + len(s)))
            parts.append(s)
            pos += len(s)
        return " ".join(parts), spans


@dataclass
class Family:
    id: str
    path: Path
    question: Question
    orderings: list[tuple[str, str, str]]
    variants: dict[str, Variant] = field(default_factory=dict)


def load_family(path: Path) -> Family:
    """Parse and validate one family file; raises ValueError naming the file and the problem."""
    data, question = read_family(path)
    fam = data["family"]
    orderings = []
    for item in data.get("expect", {}).get("orderings", []):
        m = ORDERING_RE.match(item)
        if not m or m[1] not in VARIANTS or m[2] not in VARIANTS or m[3] not in SCORE_KEYS:
            want = "'variant > variant : score'"
            raise ValueError(f"{path.name}: bad ordering {item!r} (want {want})")
        orderings.append((m[1], m[2], m[3]))
    family = Family(fam["id"], path, question, orderings)
    for v in data.get("variant", []):
        name = v.get("name")
        if name not in VARIANTS or name in family.variants:
            raise ValueError(f"{path.name}: unknown or repeated variant {name!r}")
        pairs = v.get("sentences", [])
        bad = [p for p in pairs if len(p) != 2 or p[0] not in ALL_LABELS or not str(p[1]).strip()]
        if not pairs or bad:
            raise ValueError(f"{path.name}: variant {name}: bad sentences {bad[:2]}")
        family.variants[name] = Variant(
            name, bool(v.get("punctuated", True)), [p[0] for p in pairs], [p[1] for p in pairs]
        )
    missing = [n for n in VARIANTS if n not in family.variants]
    if missing:
        raise ValueError(f"{path.name}: missing variants {missing}")
    return family


def load_corpus(folder: Path = CORPUS_DIR) -> list[Family]:
    return [load_family(p) for p in sorted(folder.glob("*.toml"))]


# --------------------------------------------------------------------------- scoring


def macro_f1(table: dict[str, dict[str, float]]) -> float:
    """Mean F1 over S, T, A, R; a label with no gold sentences counts only if it was predicted
    (then its F1 is 0), so a variant without a Result is not punished for the missing label."""
    used = [lab for lab in STAR_LABELS if table[lab]["support"] or table[lab]["predicted"]]
    return sum(table[lab]["f1"] for lab in used) / len(used) if used else 0.0


@dataclass
class Evaluation:
    families: list[Family]
    scores: dict[tuple[str, str], dict[str, float]]  # (family, variant) -> scores
    gold: dict[tuple[str, str], list[str]]
    pred: dict[tuple[str, str], list[str]]
    problems: list[str]  # analyzer contract problems (offsets out of range, missing scores)
    json_path: Path | None = None

    def pooled(
        self, variants: tuple[str, ...], family: str | None = None
    ) -> tuple[list[str], list[str]]:
        gold: list[str] = []
        pred: list[str] = []
        for (fid, vname), labels in self.gold.items():
            if vname in variants and family in (None, fid):
                gold += labels
                pred += self.pred[(fid, vname)]
        return gold, pred

    def label_table(
        self, variants: tuple[str, ...] = F1_VARIANTS, family: str | None = None
    ) -> dict[str, dict[str, float]]:
        gold, pred = self.pooled(variants, family)
        return prf(gold, pred, ALL_LABELS)

    def orderings(self) -> tuple[dict[str, list[int]], list[str]]:
        """Per ordering: [passed, declared]; and one line per violation."""
        counts: dict[str, list[int]] = {}
        violations = []
        for fam in self.families:
            for hi, lo, key in fam.orderings:
                name = f"{hi} > {lo} : {key}"
                c = counts.setdefault(name, [0, 0])
                a = self.scores[(fam.id, hi)].get(key)
                b = self.scores[(fam.id, lo)].get(key)
                c[1] += 1
                if a is not None and b is not None and a > b:
                    c[0] += 1
                else:
                    violations.append(f"{fam.id}: {name} fails ({hi}={a}, {lo}={b})")
        return counts, violations


def _fmt(x: float | None) -> str:
    return "  -  " if x is None else f"{x:5.1f}"


def summary(ev: Evaluation) -> tuple[str, dict[str, Any]]:
    table = ev.label_table()
    counts, violations = ev.orderings()
    lines = [
        f"STAR sentence labels on {', '.join(F1_VARIANTS)} "
        f"({len(ev.families)} families, {sum(t['support'] for t in table.values())} sentences)",
        "label  precision  recall   f1    support",
    ]
    for lab in ALL_LABELS:
        t = table[lab]
        p, r, f = t["precision"], t["recall"], t["f1"]
        lines.append(f"  {lab}      {p:.3f}    {r:.3f}  {f:.3f}   {t['support']}")
    lines.append(f"macro-F1 (S,T,A,R) = {macro_f1(table):.3f}   bar {F1_BAR}")
    per_variant = {
        v: macro_f1(ev.label_table((v,))) for v in (*F1_VARIANTS, *INFO_VARIANTS)
    }
    lines.append(
        "macro-F1 by variant: "
        + ", ".join(f"{v} {f:.3f}" + (" (info)" if v in INFO_VARIANTS else "")
                    for v, f in per_variant.items())
    )
    per_family = {fam.id: macro_f1(ev.label_table(F1_VARIANTS, fam.id)) for fam in ev.families}
    lines.append("macro-F1 by family: " + ", ".join(f"{k} {v:.3f}" for k, v in per_family.items()))
    _, stuffed_pred = ev.pooled(("stuffed",))
    stuffed_star = sum(p in STAR_LABELS for p in stuffed_pred)
    lines.append(f"stuffed sentences labelled S/T/A/R (gold O): {stuffed_star}/{len(stuffed_pred)}")
    gold, pred = ev.pooled(F1_VARIANTS)
    confusion = Counter(zip(gold, pred, strict=True))
    lines.append("confusion gold->pred (off-diagonal, most frequent): " + ", ".join(
        f"{g}->{p} {n}" for (g, p), n in confusion.most_common() if g != p
    )[:400])
    lines.append("")
    lines.append(f"Orderings (bar {ORDERING_BAR:.0%} of families)")
    for name, (ok, total) in counts.items():
        lines.append(f"  {ok:2d}/{total:2d}  {ok / total:5.0%}  {name}")
    if violations:
        lines.append("Violations:")
        lines += [f"  {v}" for v in violations]
    lines.append("")
    lines.append("Scores per family: " + " | ".join(VARIANTS))
    for key in SCORE_KEYS:
        lines.append(f"  {key}")
        for fam in ev.families:
            row = " ".join(_fmt(ev.scores[(fam.id, v)].get(key)) for v in VARIANTS)
            lines.append(f"    {fam.id:26s} {row}")
    data = {
        "f1_variants": list(F1_VARIANTS),
        "labels": table,
        "macro_f1": macro_f1(table),
        "macro_f1_by_variant": per_variant,
        "macro_f1_by_family": per_family,
        "stuffed_labelled_star": [stuffed_star, len(stuffed_pred)],
        "confusion": {f"{g}->{p}": n for (g, p), n in confusion.items()},
        "orderings": {k: {"passed": ok, "total": n} for k, (ok, n) in counts.items()},
        "violations": violations,
        "scores": {f"{f}/{v}": s for (f, v), s in ev.scores.items()},
        "problems": ev.problems,
    }
    return "\n".join(lines), data


# --------------------------------------------------------------------------- fixtures


def evaluate(families: list[Family], out_dir: Path) -> Evaluation:
    """Analyse every variant, align predicted to gold sentences, and save a JSON summary.

    Each answer is analysed as speech: a transcript with evenly spaced word times at 150 wpm
    (delivery is not judged for typed text, and these are spoken answers)."""
    analyzer = Analyzer()
    scores, gold, pred, problems = {}, {}, {}, []
    for fam in families:
        for vname, variant in fam.variants.items():
            text, spans = variant.build()
            analysis = analyzer.analyze(timed_transcript(text), fam.question)
            key = (fam.id, vname)
            got = getattr(analysis, "text", text)
            if got != text:
                problems.append(f"{fam.id}/{vname}: Analysis.text differs from the input text")
            sents = list(analysis.star.sentences)
            bad = [s for s in sents if not 0 <= s.char_start < s.char_end <= len(text)]
            if bad:
                problems.append(f"{fam.id}/{vname}: sentence offsets out of range: {bad[:2]}")
            missing = [k for k in SCORE_KEYS if k not in analysis.scores]
            if missing:
                problems.append(f"{fam.id}/{vname}: scores missing {missing}")
            scores[key] = {k: float(v) for k, v in analysis.scores.items() if v is not None}
            gold[key] = list(variant.labels)
            pred[key] = align(spans, sents)
    ev = Evaluation(families, scores, gold, pred, problems)
    _, data = summary(ev)
    out = out_dir / "evaluation_summary.json"
    out.write_text(json.dumps(data, indent=2), encoding="utf-8")
    ev.json_path = out
    return ev


@pytest.fixture(scope="module")
def evaluation(tmp_path_factory: pytest.TempPathFactory) -> Evaluation:
    ev = evaluate(load_corpus(), tmp_path_factory.mktemp("evaluation"))
    print("\n" + summary(ev)[0] + f"\n(JSON summary: {ev.json_path})")
    return ev


# --------------------------------------------------------------------------- tests


def test_corpus_is_complete_and_well_formed() -> None:
    families = load_corpus()
    assert len(families) >= MIN_FAMILIES, f"only {len(families)} families in {CORPUS_DIR}"
    ids = [f.id for f in families]
    assert len(set(ids)) == len(ids), f"duplicate family ids: {ids}"
    problems = []
    for fam in families:
        strong = fam.variants["strong"]
        if not 8 <= len(strong.sentences) <= 20:
            problems.append(f"{fam.id}: strong has {len(strong.sentences)} sentences (want 8-20)")
        if not set(STAR_LABELS) <= set(strong.labels):
            problems.append(f"{fam.id}: strong lacks some of S/T/A/R")
        if "R" in fam.variants["result_missing"].labels:
            problems.append(f"{fam.id}: result_missing has an R sentence")
        stuffed = fam.variants["stuffed"]
        if not 3 <= len(stuffed.sentences) <= 6 or set(stuffed.labels) != {"O"}:
            problems.append(f"{fam.id}: stuffed must be 3-6 sentences, all O")
        if any(re.search(r"\bI\b", s) for s in fam.variants["we_told"].sentences):
            problems.append(f"{fam.id}: we_told uses 'I'")
        for v in fam.variants.values():
            if not v.punctuated and any(s.rstrip()[-1] in ".?!" for s in v.sentences):
                problems.append(f"{fam.id}/{v.name}: run-on variant has final punctuation")
            if v.punctuated and any(s.rstrip()[-1] not in ".?!" for s in v.sentences):
                problems.append(f"{fam.id}/{v.name}: punctuated sentence without end mark")
            text, spans = v.build()
            rebuilt = [text[a:b] for a, b in spans]
            if [r.rstrip(".?!") for r in rebuilt] != [s.strip().rstrip(".?!") for s in v.sentences]:
                problems.append(f"{fam.id}/{v.name}: span bookkeeping is wrong")
        if not fam.orderings:
            problems.append(f"{fam.id}: no [expect] orderings")
    assert not problems, "\n".join(problems)
    run_on = sum(not v.punctuated for f in families for v in f.variants.values())
    assert run_on >= 6, f"want several run-on variants to exercise the fallback splitter: {run_on}"


def test_alignment_and_metrics_helpers() -> None:
    @dataclass
    class P:
        label: str
        char_start: int
        char_end: int

    # one predicted sentence spanning two gold sentences, then a gap
    pred = [P("A", 0, 25), P("R", 25, 40)]
    assert align([(0, 10), (11, 24), (26, 40), (41, 50)], pred) == ["A", "A", "R", "-"]
    table = prf(["S", "A", "A", "R"], ["S", "A", "R", "R"], ALL_LABELS)
    assert table["A"]["precision"] == 1.0 and table["A"]["recall"] == 0.5
    assert table["R"]["precision"] == 0.5 and table["R"]["recall"] == 1.0
    assert macro_f1(table) == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)  # T neither gold nor predicted
    spurious = prf(["S", "A"], ["S", "T"], ALL_LABELS)  # T predicted but never gold: counts as 0
    assert macro_f1(spurious) == pytest.approx((1 + 0 + 0) / 3)


def test_analyzer_honours_the_sentence_contract(evaluation: Evaluation) -> None:
    assert not evaluation.problems, "\n".join(evaluation.problems[:20])
    for key, s in evaluation.scores.items():
        out = {k: v for k, v in s.items() if k in SCORE_KEYS and not 0 <= v <= 100}
        assert not out, f"{key}: scores outside 0-100: {out}"


def test_star_sentence_labels_reach_the_f1_bar(evaluation: Evaluation) -> None:
    table = evaluation.label_table()
    score = macro_f1(table)
    detail = ", ".join(f"{lab} F1={table[lab]['f1']:.3f}" for lab in ALL_LABELS)
    assert score >= F1_BAR, f"macro-F1 {score:.3f} < {F1_BAR} ({detail})"


def test_expected_orderings_between_variants_hold(evaluation: Evaluation) -> None:
    counts, violations = evaluation.orderings()
    assert counts, "no orderings declared in the corpus"
    failing = {
        name: f"{ok}/{total}" for name, (ok, total) in counts.items() if ok / total < ORDERING_BAR
    }
    assert not failing, (
        f"orderings below {ORDERING_BAR:.0%}: {failing}\nall violations:\n" + "\n".join(violations)
    )
