"""Turn the sub-results into up to three plain-language tips, a follow-up question and notes.

Every threshold comes from assets/ (delivery.toml for pace, fillers, hedges, pauses and length,
star.toml for balance, weights.toml for length guards), so a tip fires exactly when its part of
the score loses points. Every tip and follow-up passes ``consistency.consistent`` first. When
fewer than three shortfalls are found, what is strong and one stretch goal fill the list."""

from __future__ import annotations

import zlib
from typing import Any

from desktop_app.analysis.consistency import Parts, consistent
from desktop_app.analysis.resources import Resources
from desktop_app.analysis.specificity import I_FORMS

Found = dict[str, tuple[float, dict[str, Any]]]
_PART_NAMES = {"S": "the situation", "T": "your goal", "A": "what you did", "R": "what came of it"}


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _missing_parts(p: Parts) -> str:
    """The STAR parts an answer lacks, in words ("the situation and what came of it")."""
    names = [name for lab, name in _PART_NAMES.items() if lab != "T" and not p.has(lab)]
    return _and(names) if names else ""


def _examples(items: list[str], n: int = 3) -> str:
    seen: list[str] = []
    for x in items:
        if x not in seen:
            seen.append(x)
    return ", ".join(f'"{x}"' for x in seen[:n])


def _duration(seconds: float) -> str:
    m, s = divmod(int(round(seconds)), 60)
    return f"{m} min {s:02d} s" if m else f"{s} s"


def _star_lacks(p: Parts, out: Found) -> None:
    st, words = p.star, p.doc.n_words
    short = words < p.min_words or len(p.labels) <= 2
    if len(p.labels) <= 2 and words >= p.min_words and _missing_parts(p):
        out["short_structure"] = (1.0, {"missing": _missing_parts(p)})
    if not st.present["A"]:
        out["no_action"] = (1.0, {})
    if not st.present["R"]:
        out["no_result"] = (1.0, {})
    elif not st.result_measured:
        out["result_no_number"] = (1.0, {})
    elif not st.lesson:
        out["no_lesson"] = (1.0, {})
    bal = p.res.star["balance"]
    s_share = st.balance.get("S", 0.0)
    if st.present["S"] and s_share > float(bal["long_situation"]) and not short:
        out["long_situation"] = (min(1.5, 0.6 + s_share), {"pct": round(100 * s_share)})
    a_share = st.balance.get("A", 0.0)
    if st.present["A"] and a_share < float(bal["thin_action"]) and not short:
        out["thin_action"] = (1.0, {"pct": round(100 * a_share)})
    if not st.present["T"] and st.present["A"] and not short:
        out["no_task"] = (1.0, {})
    if not st.present["S"] and st.present["A"] and not short:
        out["no_situation"] = (1.0, {})


def _delivery_lacks(p: Parts, out: Found) -> None:
    dl, cfg, words = p.delivery, p.res.delivery, max(p.doc.n_words, 1)
    fc, hc, pc, lc = cfg["fillers"], cfg["hedges"], cfg["pauses"], cfg["length"]
    if dl.fillers_per_min is not None and dl.fillers_per_min > fc["per_min_good"]:
        out["fillers"] = (
            min(1.5, dl.fillers_per_min / 10),
            {"n": dl.fillers, "rate": f"{dl.fillers_per_min:.0f} a minute"},
        )
    elif dl.fillers_per_min is None and dl.filler_pct > fc["pct_good"]:
        out["fillers"] = (
            min(1.5, dl.filler_pct / 6),
            {"n": dl.fillers, "rate": f"{dl.filler_pct:.0f} % of your words"},
        )
    if dl.hedges >= hc["min_count"] and 100 * dl.hedges / words > hc["pct_good"]:
        out["hedges"] = (1.0, {"n": dl.hedges, "examples": _examples(dl.hedge_terms)})
    pace = cfg["pace"]
    rng = {"low": pace["ideal_low"], "high": pace["ideal_high"]}
    if dl.wpm is not None and dl.wpm > pace["ideal_high"]:
        out["fast"] = (1.0, {"wpm": round(dl.wpm), **rng})
    elif dl.wpm is not None and dl.wpm < pace["ideal_low"]:
        out["slow"] = (1.0, {"wpm": round(dl.wpm), **rng})
    if (dl.pauses_per_min or 0.0) > pc["per_min_good"] and dl.long_pauses >= pc["min_count"]:
        out["long_pauses"] = (1.0, {"n": dl.long_pauses, "secs": f"{pc['long_pause_s']:g}"})
    length = dl.duration_s if dl.duration_s is not None else dl.estimated_duration_s
    if length > lc["ideal_high_s"]:
        out["too_long"] = (1.0, {
            "duration": _duration(length),
            "low": _duration(lc["ideal_low_s"]), "high": _duration(lc["ideal_high_s"]),
        })


def lacks(p: Parts) -> Found:
    """Every shortfall found, as key -> (severity 0..1+, template values)."""
    out: Found = {}
    words = p.doc.n_words
    st, sp, jg = p.star, p.spec, p.jargon
    if words >= 8 and (st.stuffing > 0.3 or st.coherence < 0.5):
        out["stuffing"] = (1.0, {})
    elif p.claims > 0.5:
        out["claim_list"] = (1.0, {})
    if words < p.min_words:
        missing = _missing_parts(p)
        narrow = p.focus is not None and not p.focus.full_star
        key = "too_short" if missing and not narrow else "too_short_complete"
        out[key] = (1.0, {"words": words, "missing": missing})
    m = sum(p.doc.coherent)
    hyp_ok = p.focus is not None and p.focus.hypothetical_ok
    if sp.hypothetical and not hyp_ok:
        out["hypothetical"] = (1.0, {"n": max(1, round(sp.hypothetical_share * m)), "m": m})
    if p.focus is not None and not p.focus.full_star:
        for need in p.focus.missing:
            out[f"focus_{need}"] = (1.2, {"label": p.focus.label})
    else:
        _star_lacks(p, out)
    if sp.i_ratio is not None and sp.i_ratio < 0.5 and sp.we_count >= 2:
        out["mostly_we"] = (1.0, {"we": sp.we_count, "i": sp.i_count})
    if words >= 30 and sp.quantities + sp.named <= words / 60:
        out["few_specifics"] = (1.0, {"n": sp.quantities + sp.named, "words": words})
    if sp.vague >= 2:
        out["vague"] = (min(1.5, sp.vague / 3), {"examples": _examples(p.vague_terms())})
    if len(jg.unfamiliar) >= 3:
        out["jargon"] = (
            min(1.5, jg.rare_pct / 4 + 0.3),
            {"n": len(jg.unfamiliar), "examples": _examples(jg.unfamiliar)},
        )
    if jg.acronyms:
        out["acronyms"] = (
            min(1.5, 0.6 + 0.2 * len(jg.acronyms)),
            {"examples": _and(jg.acronyms[:3]), "them": "it" if len(jg.acronyms) == 1 else "them"},
        )
    if jg.buzzwords:
        out["buzzwords"] = (
            min(1.5, 0.5 + 0.25 * len(jg.buzzwords)), {"examples": _examples(jg.buzzwords)}
        )
    _delivery_lacks(p, out)
    if p.reasoning.weighted and not p.reasoning.tradeoff:
        out["no_tradeoff"] = (1.0, {})
    return out


def _strengths(p: Parts) -> list[tuple[str, dict[str, Any]]]:
    out: list[tuple[str, dict[str, Any]]] = []
    if p.focus is not None and not p.focus.missing:
        out.append(("focused", {"label": p.focus.label}))
    if p.result_has_number():
        rq = [q for q in p.quantities if p.labels[q.sent] == "R" and q.kind != "date"]
        q = max(rq, key=lambda q: (q.kind in ("percent", "money"), q.b - q.a, -q.sent))
        toks = p.doc.units[q.sent].tokens[q.a : q.b]
        example = p.doc.text[toks[0].char_start : toks[-1].char_end]
        out.append(("measured_result", {"example": example}))
    if p.focus is None or p.focus.full_star:
        out.append(("clear_structure", {}))
    i = sum(1 for u, lab in zip(p.doc.units, p.labels, strict=False) if lab == "A"
            for t in u.tokens if t.low in I_FORMS)
    out.append(("ownership", {"i": i}))
    n = p.spec.quantities + p.spec.named
    if n >= 3:
        out.append(("specific", {"n": n}))
    out.append(("lesson", {}))
    return out


def _stretches(p: Parts) -> list[str]:
    out = ["stretch_lesson", "stretch_tradeoff"]
    dl = p.delivery
    if (dl.duration_s or dl.estimated_duration_s) > 150:
        out.insert(0, "stretch_shorter")
    if not any(q.kind != "date" for q in p.quantities):
        out.insert(0, "stretch_number")
    return [*out, "stretch_follow_up"]


def _fill(text: str, values: dict[str, Any]) -> str:
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError):
        return text


def choose_tips(res: Resources, p: Parts, found: Found) -> list[tuple[str, str]]:
    """Up to three (key, text) tips: shortfalls first, then strengths, then one stretch goal."""
    cfg = res.feedback
    tips_cfg = cfg["tips"]
    focus_tips = res.focus["tips"]
    for k in found:
        if k.startswith("focus_"):
            tips_cfg = {**tips_cfg, k: {"priority": 8.0, "text": focus_tips[k[6:]]}}
    ranked = sorted(
        (k for k in found if k in tips_cfg),
        key=lambda k: (-float(tips_cfg[k]["priority"]) * found[k][0], k),
    )
    if {"stuffing", "claim_list", "too_short", "too_short_complete"} & set(found):
        ranked = [k for k in ranked if k not in ("no_task", "no_lesson", "thin_action",
                                                 "no_situation")]
    if {"short_structure", "too_short"} & set(found):
        ranked = [k for k in ranked if k not in ("no_action", "no_result", "result_no_number")]
    out = [(k, _fill(str(tips_cfg[k]["text"]), found[k][1])) for k in ranked if consistent(k, p)]
    out = out[:3]
    if len(out) < 3 and not {"stuffing", "claim_list"} & set(found):
        for key, values in _strengths(p):
            if len(out) >= 3:
                break
            if consistent(key, p):
                out.append((key, _fill(str(cfg["strengths"][key]["text"]), values)))
        # Stretch goals fill what is left (one for a strong answer; more for a short one).
        for key in _stretches(p):
            if len(out) >= 3:
                break
            name = key[len("stretch_"):]
            if consistent(key, p) and not any(k == name for k, _ in out):
                out.append((key, str(cfg["stretch"][name]["text"])))
    return out


_FOLLOW_UP_ORDER = (
    "hypothetical", "no_result", "no_action", "mostly_we", "result_no_number", "no_tradeoff",
)


def choose_follow_up(
    res: Resources, p: Parts, found: Found, question: Any, text: str
) -> str | None:
    """The next question: the most pressing gap, else the focus's next probe (for a follow-up
    answer), else one of the question's own probes, else a default that fits the answer."""
    fu = res.feedback["follow_ups"]
    if p.focus is not None and not p.focus.full_star:
        if "hypothetical" in found:
            return str(fu["hypothetical"])
        cfg = res.focus[p.focus.kind]
        return str(cfg["next_missing"] if p.focus.missing else cfg["next_answered"])
    for key in _FOLLOW_UP_ORDER:
        if key in found and key in fu and consistent(key, p):
            return str(fu[key])
    probes = tuple(getattr(question, "follow_ups", ()) or ())
    if probes:
        return str(probes[zlib.crc32(text.encode("utf-8")) % len(probes)])
    if p.said_lesson():
        return str(fu["after_lesson"])
    return str(fu["default"]) if fu.get("default") else None


def notes_for(res: Resources, p: Parts) -> list[str]:
    n = res.feedback["notes"]
    out = []
    low = float(res.delivery["fillers"]["low_note_per_min"])
    if p.delivery.fillers_per_min is not None and p.delivery.fillers_per_min < low:
        out.append(str(n["fillers_may_be_low"]))
    if p.doc.lowercase_only:
        out.append(str(n["lowercase"]))
    if p.doc.n_words < p.min_words:
        out.append(str(n["short"]))
    if any(p.doc.uncertain(t) for t in p.doc.tokens):
        out.append(str(n["uncertain"]))
    if p.focus is not None and not p.focus.full_star:
        out.append(_fill(str(n["follow_up"]), {"label": p.focus.label}))
    return out
