"""Turn the sub-results into at most three plain-language tips, a follow-up question and notes."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from typing import Any

from desktop_app.analysis.delivery import DeliveryResult
from desktop_app.analysis.doc import Doc, Finding
from desktop_app.analysis.jargon import JargonResult
from desktop_app.analysis.reasoning import ReasoningResult
from desktop_app.analysis.resources import Resources
from desktop_app.analysis.specificity import SpecificityResult
from desktop_app.analysis.star import StarResult


@dataclass
class Parts:
    doc: Doc
    star: StarResult
    spec: SpecificityResult
    jargon: JargonResult
    delivery: DeliveryResult
    reasoning: ReasoningResult
    findings: list[Finding]


def _examples(items: list[str], n: int = 3) -> str:
    seen: list[str] = []
    for x in items:
        if x not in seen:
            seen.append(x)
    return ", ".join(f'"{x}"' for x in seen[:n])


def _duration(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m} min {s:02d} s" if m else f"{s} s"


def lacks(p: Parts, min_words: int) -> dict[str, tuple[float, dict[str, Any]]]:
    """Every shortfall found, as key -> (severity 0..1+, template values)."""
    out: dict[str, tuple[float, dict[str, Any]]] = {}
    words = p.doc.n_words
    st, sp, jg, dl = p.star, p.spec, p.jargon, p.delivery
    if words >= 8 and (st.stuffing > 0.3 or st.coherence < 0.5):
        out["stuffing"] = (1.0, {})
    if words < min_words:
        out["too_short"] = (1.0, {"words": words})
    m = sum(p.doc.coherent)
    if sp.hypothetical:
        out["hypothetical"] = (1.0, {"n": max(1, round(sp.hypothetical_share * m)), "m": m})
    if not st.present["A"]:
        out["no_action"] = (1.0, {})
    if not st.present["R"]:
        out["no_result"] = (1.0, {})
    elif not st.result_measured:
        out["result_no_number"] = (1.0, {})
    elif not st.lesson:
        out["no_lesson"] = (1.0, {})
    s_share = st.balance.get("S", 0.0)
    if st.present["S"] and s_share > 0.35:
        out["long_situation"] = (min(1.5, 0.6 + s_share), {"pct": round(100 * s_share)})
    a_share = st.balance.get("A", 0.0)
    if st.present["A"] and a_share < 0.30:
        out["thin_action"] = (1.0, {"pct": round(100 * a_share)})
    if sp.i_ratio is not None and sp.i_ratio < 0.5 and sp.we_count >= 2:
        out["mostly_we"] = (1.0, {"we": sp.we_count, "i": sp.i_count})
    if not st.present["T"] and st.present["A"]:
        out["no_task"] = (1.0, {})
    if words >= 30 and sp.quantities + sp.named <= words / 60:
        out["few_specifics"] = (1.0, {"n": sp.quantities + sp.named, "words": words})
    if sp.vague >= 2:
        vague = [f.text.lower() for f in p.findings if f.kind == "vague"]
        out["vague"] = (min(1.5, sp.vague / 3), {"examples": _examples(vague)})
    if len(jg.unfamiliar) >= 3:
        out["jargon"] = (
            min(1.5, jg.rare_pct / 4 + 0.3),
            {"n": len(jg.unfamiliar), "examples": _examples(jg.unfamiliar)},
        )
    if jg.acronyms:
        out["acronyms"] = (
            min(1.5, 0.6 + 0.2 * len(jg.acronyms)),
            {"examples": ", ".join(jg.acronyms[:3])},
        )
    if jg.buzzwords:
        out["buzzwords"] = (
            min(1.5, 0.5 + 0.25 * len(jg.buzzwords)),
            {"examples": _examples(jg.buzzwords)},
        )
    if dl.fillers_per_min is not None and dl.fillers_per_min > 5:
        out["fillers"] = (
            min(1.5, dl.fillers_per_min / 10),
            {"n": dl.fillers, "rate": f"{dl.fillers_per_min:.0f} a minute"},
        )
    elif dl.fillers_per_min is None and dl.filler_pct > 3:
        out["fillers"] = (
            min(1.5, dl.filler_pct / 6),
            {"n": dl.fillers, "rate": f"{dl.filler_pct:.0f} % of your words"},
        )
    if dl.hedges >= 3 and 100 * dl.hedges / max(words, 1) > 1.5:
        out["hedges"] = (1.0, {"n": dl.hedges, "examples": _examples(dl.hedge_terms)})
    if dl.wpm is not None and dl.wpm > 180:
        out["fast"] = (1.0, {"wpm": round(dl.wpm)})
    elif dl.wpm is not None and dl.wpm < 110:
        out["slow"] = (1.0, {"wpm": round(dl.wpm)})
    if dl.long_pauses >= 2:
        out["long_pauses"] = (1.0, {"n": dl.long_pauses, "secs": 1})
    length = dl.duration_s if dl.duration_s is not None else dl.estimated_duration_s
    if length > 200:
        out["too_long"] = (1.0, {"duration": _duration(length)})
    if p.reasoning.weighted and not p.reasoning.tradeoff:
        out["no_tradeoff"] = (1.0, {})
    return out


def choose_tips(res: Resources, found: dict[str, tuple[float, dict[str, Any]]]) -> list[str]:
    tips_cfg = res.feedback["tips"]
    ranked = sorted(
        (k for k in found if k in tips_cfg),
        key=lambda k: -float(tips_cfg[k]["priority"]) * found[k][0],
    )
    if "stuffing" in found or "too_short" in found:
        ranked = [k for k in ranked if k not in ("no_task", "no_lesson", "thin_action")]
    out = []
    for k in ranked[:3]:
        try:
            out.append(str(tips_cfg[k]["text"]).format(**found[k][1]))
        except (KeyError, IndexError, ValueError):
            out.append(str(tips_cfg[k]["text"]))
    return out


_FOLLOW_UP_ORDER = (
    "hypothetical",
    "no_result",
    "no_action",
    "mostly_we",
    "result_no_number",
    "no_tradeoff",
)


def choose_follow_up(
    res: Resources, found: dict[str, tuple[float, dict[str, Any]]], question: Any, text: str
) -> str | None:
    fu = res.feedback["follow_ups"]
    for key in _FOLLOW_UP_ORDER:
        if key in found and key in fu:
            return str(fu[key])
    probes = tuple(getattr(question, "follow_ups", ()) or ())
    if probes:
        return str(probes[zlib.crc32(text.encode("utf-8")) % len(probes)])
    if "no_lesson" in found:
        return str(fu["no_lesson"])
    return str(fu.get("default")) if fu.get("default") else None


def notes_for(res: Resources, p: Parts, min_words: int) -> list[str]:
    n = res.feedback["notes"]
    out = []
    if not p.doc.has_timing:
        out.append(str(n["no_timing"]))
    elif p.delivery.fillers_per_min is not None and p.delivery.fillers_per_min < 3:
        out.append(str(n["fillers_may_be_low"]))
    if p.doc.lowercase_only:
        out.append(str(n["lowercase"]))
    if p.doc.n_words < min_words:
        out.append(str(n["short"]))
    return out
