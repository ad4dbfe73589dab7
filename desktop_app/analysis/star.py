"""STAR structure: per-sentence cue scores decoded with an S -> T -> A -> R order prior."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from desktop_app.analysis.doc import Doc
from desktop_app.analysis.resources import Resources
from desktop_app.analysis.specificity import Quantity
from desktop_app.analysis.text import (
    STATIVE_PAST,
    find_phrases,
    is_past_tense,
    sentence_char_end,
)

LABELS = ("S", "T", "A", "R", "O")
STAR = ("S", "T", "A", "R")
_ADVERBS = frozenset(
    "then also first quickly immediately personally eventually finally just actually really "
    "still later carefully directly".split()
)
_INTERJECTIONS = frozenset("yes yeah sure okay ok well right um uh hmm".split())
_AGENTS = frozenset("i we i'm i've i'd".split())
_CHANGE = frozenset(
    "reduced increased improved decreased doubled halved tripled saved cut dropped fell grew rose "
    "went brought raised lowered shortened sped boosted".split()
)


@dataclass
class StarSentence:
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
    score: float = 0.0
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
            "score": round(self.score, 1),
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


def _emissions(doc: Doc, res: Resources, quantities: list[Quantity]) -> list[dict[str, float]]:
    cfg = res.star["emission"]
    bias = cfg["bias"]
    max_rep = int(cfg["max_repeats"])
    cap = float(cfg["label_cap"])
    seen: Counter[str] = Counter()
    q_sents = Counter(q.sent for q in quantities)
    n = len(doc.sentences)
    out = []
    early_r = float(cfg["early_result_factor"])
    stuffing = answer_stuffing(doc, res)
    for s, ok in zip(doc.sentences, doc.coherent, strict=False):
        e = {lab: float(bias[lab]) for lab in LABELS}
        factor = 1.0 if ok else float(cfg["incoherent_factor"])
        pos = s.index / (n - 1) if n > 1 else 0.0
        for lab, groups in res.star_cues.items():
            total = 0.0
            for weight, pattern in groups:
                for phrase, _a, _b in find_phrases(s, pattern):
                    seen[phrase] += 1
                    if seen[phrase] <= max_rep:
                        total += weight
            if lab == "R":
                total *= min(1.0, early_r + (1 - early_r) * pos / 0.5)
            e[lab] += min(cap, total) * factor
        lows = [t.low for t in s.tokens]
        for i, w in enumerate(lows):
            if w not in ("i", "we"):
                continue
            for nxt in lows[i + 1 : i + 4]:
                if nxt in _ADVERBS:
                    continue
                if is_past_tense(nxt) and nxt not in STATIVE_PAST:
                    e["A"] += factor * float(
                        cfg["first_person_past_action"] if w == "i" else cfg["we_past_action"]
                    )
                break
        if q_sents.get(s.index):
            e["R"] += factor * float(cfg["quantity_result"])
            if any(w in _CHANGE for w in lows):
                e["R"] += factor * float(cfg["change_with_quantity"])
        if find_phrases(s, res.hypothetical):
            e["O"] += float(cfg["hypothetical_other"])
        if not ok:
            e["O"] += float(cfg["incoherent_other_bonus"])
        e["O"] += float(cfg["stuffed_answer_other"]) * stuffing
        if sum(1 for w in lows if w in res.meta_words) >= 2:
            e["O"] += float(cfg["meta_sentence_other"])
        if (s.index in (0, n - 1)) and lows and lows[0] in _INTERJECTIONS and len(lows) <= 14:
            e["O"] += float(cfg["edge_interjection_other"])
        if pos < 0.25:
            e["S"] += float(cfg["early_situation_bonus"])
        if pos >= 0.7 and n > 2:
            e["R"] += float(cfg["late_result_bonus"])
            if not any(w in _AGENTS for w in lows[:4]):
                e["R"] += float(cfg["no_agent_late_result"])
        out.append(e)
    return out


def answer_stuffing(doc: Doc, res: Resources) -> float:
    """0..1: how far the share of literal STAR words exceeds what a real story uses."""
    sc = res.star["score"]
    meta = sum(1 for t in doc.tokens if t.low in res.meta_words) / max(doc.n_words, 1)
    return min(1.0, max(0.0, meta - sc["meta_density_free"]) * sc["meta_density_slope"])


def viterbi(emissions: list[dict[str, float]], trans: dict[str, dict[str, float]]) -> list[str]:
    """Best label path; Other keeps the last STAR stage so the order prior survives an aside."""
    if not emissions:
        return []

    # state = (label, stage) where stage is the last STAR label ("" before any).
    def step(stage: str, lab: str) -> float:
        return float(trans["start" if not stage else stage][lab])

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
        for (plab, pstage), ps in scores.items():
            for lab in LABELS:
                st = (lab, pstage if lab == "O" else lab)
                v = ps + step(pstage, lab) + e[lab]
                if st not in new or v > new[st]:
                    new[st], ptr[st] = v, (plab, pstage)
        scores = new
        back.append(ptr)
    state: tuple[str, str] | None = max(scores, key=lambda k: scores[k])
    path = []
    for ptr in reversed(back):
        assert state is not None
        path.append(state[0])
        state = ptr[state]
    return path[::-1]


def label_sentences(doc: Doc, res: Resources, quantities: list[Quantity]) -> list[str]:
    return viterbi(_emissions(doc, res, quantities), res.star["transition"])


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


def analyse_star(
    doc: Doc, res: Resources, labels: list[str], quantities: list[Quantity]
) -> StarResult:
    r = StarResult()
    sc = res.star["score"]
    words = Counter[str]()
    secs = Counter[str]()
    for s, lab, ok in zip(doc.sentences, labels, doc.coherent, strict=False):
        r.sentences.append(
            StarSentence(
                doc.text[s.char_start : sentence_char_end(doc.text, s)],
                lab,
                s.start,
                s.end,
                s.char_start,
                sentence_char_end(doc.text, s),
            )
        )
        words[lab] += len(s.tokens)
        if s.start is not None and s.end is not None:
            secs[lab] += max(0.0, s.end - s.start)
        if lab in STAR and ok:
            r.present[lab] = True
    r.balance = _shares({lab: float(words[lab]) for lab in LABELS})
    if doc.has_timing:
        r.balance_seconds = _shares({lab: secs[lab] for lab in LABELS})
    r.order, r.order_ok = _order(labels)

    q_sents = {q.sent for q in quantities}
    r.result_measured = any(
        lab == "R" and s.index in q_sents and ok
        for s, lab, ok in zip(doc.sentences, labels, doc.coherent, strict=False)
    )
    r.lesson = any(
        bool(find_phrases(s, res.lesson)) and ok
        for s, ok in zip(doc.sentences, doc.coherent, strict=False)
    )

    n = max(doc.n_words, 1)
    r.coherence = (
        sum(len(s.tokens) for s, ok in zip(doc.sentences, doc.coherent, strict=False) if ok) / n
    )
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
