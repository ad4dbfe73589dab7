"""Delivery: pace, fillers (with context rules), long pauses, hedges and length."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop_app.analysis.doc import Doc, Finding, FromDict
from desktop_app.analysis.resources import Resources
from desktop_app.analysis.text import Token, find_phrases


@dataclass
class DeliveryResult(FromDict):
    """Pace, fillers, hedges, pauses and length. ``score`` is None when not judged (typed text:
    no timing), and ``note`` then says why; filler and hedge words are still counted."""

    score: float | None = 0.0
    timed: bool = False
    words: int = 0
    duration_s: float | None = None
    speaking_s: float | None = None
    estimated_duration_s: float = 0.0
    wpm: float | None = None
    fillers: int = 0
    fillers_per_min: float | None = None
    filler_pct: float = 0.0
    filler_terms: list[str] = field(default_factory=list)
    hedges: int = 0
    hedge_terms: list[str] = field(default_factory=list)
    long_pauses: int = 0
    pauses_per_min: float | None = None
    pauses: list[dict[str, float]] = field(default_factory=list)  # {at, length}
    note: str | None = None
    parts: dict[str, float] = field(default_factory=dict)  # each part's score 0..1 (weights
    # in delivery.toml [weights]): what went into ``score``, for a breakdown

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        if d["score"] is not None:
            d["score"] = round(d["score"], 1)
        for k in (
            "wpm",
            "fillers_per_min",
            "duration_s",
            "speaking_s",
            "estimated_duration_s",
            "filler_pct",
            "pauses_per_min",
        ):
            if d[k] is not None:
                d[k] = round(d[k], 2)
        d["filler_terms"] = list(self.filler_terms)
        d["hedge_terms"] = list(self.hedge_terms)
        d["pauses"] = [dict(p) for p in self.pauses]
        d["parts"] = {k: round(v, 3) for k, v in self.parts.items()}
        return d


def _band(
    x: float, zero_low: float, ideal_low: float, ideal_high: float, zero_high: float
) -> float:
    """1 inside [ideal_low, ideal_high], falling linearly to 0 at the zero points."""
    if ideal_low <= x <= ideal_high:
        return 1.0
    if x < ideal_low:
        return max(0.0, (x - zero_low) / max(ideal_low - zero_low, 1e-9))
    return max(0.0, (zero_high - x) / max(zero_high - ideal_high, 1e-9))


def _falloff(x: float, good: float, bad: float) -> float:
    """1 up to ``good``, 0.2 at ``bad``, 0 at twice ``bad``."""
    if x <= good:
        return 1.0
    if x <= bad:
        return 1.0 - 0.8 * (x - good) / (bad - good)
    return max(0.0, 0.2 * (1 - (x - bad) / bad))


def _like_is_filler(doc: Doc, toks: list[Token], i: int, cfg: dict[str, Any], gap: float) -> bool:
    t = toks[i]
    prev = toks[i - 1].low if i > 0 else ""
    if prev in cfg["like_not_after"]:
        return False
    before = doc.text[max(0, t.char_start - 2) : t.char_start]
    after = doc.text[t.char_end : t.char_end + 1]
    return (
        i == 0
        or prev in cfg["like_filler_after"]
        or "," in before
        or after in {",", "."}
        or gap >= 0.5
        or (i + 1 < len(toks) and toks[i + 1].is_number)
    )


def analyse_delivery(doc: Doc, res: Resources, findings: list[Finding]) -> DeliveryResult:
    cfg = res.delivery
    fcfg, hcfg = cfg["fillers"], cfg["hedges"]
    r = DeliveryResult(timed=doc.has_timing, words=doc.n_words)
    not_before = set(fcfg["you_know_not_before"])
    for sent in doc.sentences:
        toks = sent.tokens
        prev_low = ""
        for i, t in enumerate(toks):
            gap = 0.0
            if i and t.start is not None and toks[i - 1].end is not None:
                gap = t.start - (toks[i - 1].end or 0.0)
            hit = (
                t.low in res.filler_words
                or (t.low == "like" and _like_is_filler(doc, toks, i, fcfg, gap))
                or (t.low == prev_low and t.low.isalpha() and t.low not in {"had", "that", "very"})
            )
            if hit:
                r.fillers += 1
                r.filler_terms.append(t.low)
                findings.append(doc.finding("filler", [t], "A filler word."))
            prev_low = t.low
        for phrase, a, b in find_phrases(sent, res.filler_phrases):
            comma_after = doc.text[toks[b - 1].char_end : toks[b - 1].char_end + 1] in {",", "."}
            if (
                phrase == "you know"
                and not comma_after
                and b < len(toks)
                and toks[b].low in not_before
            ):
                continue
            r.fillers += 1
            r.filler_terms.append(phrase)
            findings.append(doc.finding("filler", toks[a:b], "A filler phrase."))
        for phrase, a, b in find_phrases(sent, res.hedges):
            if phrase in hcfg["not_before_number"] and b < len(toks) and toks[b].is_number:
                continue
            r.hedges += 1
            r.hedge_terms.append(phrase)
            findings.append(doc.finding("hedge", toks[a:b], "A hedge: it weakens what you say."))

    words = max(doc.n_words, 1)
    r.filler_pct = 100 * r.fillers / words
    hedge_pct = 100 * r.hedges / words
    r.estimated_duration_s = 60 * doc.n_words / cfg["pace"]["words_per_minute_estimate"]
    pcfg, lcfg = cfg["pauses"], cfg["length"]
    if not (doc.has_timing and doc.duration):
        # Typed or pasted text: no pace, pauses or length to judge (issue 13 point 8).
        r.score = None
        r.note = str(cfg["untimed"]["note"])
        return r
    timed = [t for t in doc.tokens if t.start is not None and t.end is not None]
    excluded = 0.0
    for a, b in zip(timed, timed[1:], strict=False):
        gap = (b.start or 0.0) - (a.end or 0.0)
        if gap >= pcfg["long_pause_s"]:
            r.long_pauses += 1
            r.pauses.append({"at": round(a.end or 0.0, 2), "length": round(gap, 2)})
            findings.append(doc.finding("long_pause", [b], f"{gap:.1f} s pause before this."))
        if gap >= pcfg["excluded_from_speaking_s"]:
            excluded += gap
    r.duration_s = doc.duration
    r.speaking_s = max(doc.duration - excluded, 1e-6)
    minutes = r.speaking_s / 60
    r.wpm = doc.n_words / minutes if minutes > 0 else None
    r.fillers_per_min = r.fillers / max(doc.duration / 60, 1 / 60)
    pc = cfg["pace"]
    r.pauses_per_min = r.long_pauses / max(doc.duration / 60, 0.25)
    r.parts = {
        "fillers": _falloff(r.fillers_per_min, fcfg["per_min_good"], fcfg["per_min_bad"]),
        "hedges": _falloff(hedge_pct, hcfg["pct_good"], hcfg["pct_bad"]),
        "pace": _band(
            r.wpm or 0.0, pc["zero_low"], pc["ideal_low"], pc["ideal_high"], pc["zero_high"]
        ),
        "pauses": _falloff(r.pauses_per_min, pcfg["per_min_good"], pcfg["per_min_bad"]),
        "length": _band(
            doc.duration,
            lcfg["zero_low_s"], lcfg["ideal_low_s"], lcfg["ideal_high_s"], lcfg["zero_high_s"],
        ),
    }
    weights = cfg["weights"]
    total_w = sum(float(weights[k]) for k in r.parts)
    score = sum(v * float(weights[k]) for k, v in r.parts.items()) / total_w
    r.score = max(0.0, min(100.0, 100 * score))
    return r
