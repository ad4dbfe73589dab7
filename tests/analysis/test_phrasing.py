"""The phrasing development set (tests/fixtures/analysis_phrasing): clause-level STAR figures on
the held-out families, habitual framing, and the labeller's weights reproducible from the data.

Bars: held-out macro-F1 (S, T, A, R) >= 0.90, Task F1 >= 0.85, presence accuracy >= 0.95 (the
issue 11 targets); dev and train are held to the same macro bar so a regression shows where it
starts. ``pytest -s`` prints the per-label figures of every split."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from desktop_app.analysis import Analyzer
from tests.analysis.phrasing import SPLITS, STYLES, analyzer_predict, load_split, score
from tests.analysis.test_evaluation import load_corpus

HELDOUT_MACRO_BAR = 0.90
HELDOUT_TASK_BAR = 0.85
HELDOUT_PRESENCE_BAR = 0.95
DEV_MACRO_BAR = 0.86
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def figures(analyzer: Analyzer):
    out = {split: score(load_split(split), analyzer_predict(analyzer)) for split in SPLITS}
    print("\n" + "\n".join(s.line(name) for name, s in out.items()))
    return out


def test_the_set_is_large_varied_and_split_by_family() -> None:
    answers = {split: load_split(split) for split in SPLITS}
    families = {split: {a.family for a in ans} for split, ans in answers.items()}
    assert sum(len(a) for a in answers.values()) >= 140
    assert len(families["heldout"]) >= 8 and len(families["train"]) >= 12
    for a, b in (("train", "dev"), ("train", "heldout"), ("dev", "heldout")):
        assert not families[a] & families[b], f"family in both {a} and {b}"
    old = {f.id for f in load_corpus()}
    assert not old & families["heldout"]
    for split, ans in answers.items():
        assert {a.style for a in ans} == set(STYLES), f"{split} lacks a style"
        assert any(len(a.labels) > 1 and not a.units[0].rstrip().endswith((".", "!", "?"))
                   for a in ans), f"{split} has no clause-level (two-part) sentence"
    ids = [a.id for ans in answers.values() for a in ans]
    assert len(ids) == len(set(ids))


def test_heldout_figures_reach_the_bars(figures) -> None:
    h = figures["heldout"]
    assert h.macro >= HELDOUT_MACRO_BAR, h.line("heldout")
    assert h.table["T"]["f1"] >= HELDOUT_TASK_BAR, h.line("heldout")
    assert h.presence >= HELDOUT_PRESENCE_BAR, h.line("heldout")


def test_dev_and_train_figures_reach_the_bar(figures) -> None:
    for split in ("train", "dev"):
        assert figures[split].macro >= DEV_MACRO_BAR, figures[split].line(split)


def test_habitual_answers_are_flagged_and_past_stories_are_not(analyzer: Analyzer) -> None:
    wrong = []
    for split in SPLITS:
        for a in load_split(split):
            got = analyzer.analyze(a.text, a.question).specificity.hypothetical
            if got != a.habitual:
                wrong.append(f"{a.id}: gold habitual={a.habitual}, flagged={got}")
    assert not wrong, "\n".join(wrong)


def test_committed_weights_are_reproduced_by_the_training_script() -> None:
    proc = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "train_star.py"), "--check"],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
