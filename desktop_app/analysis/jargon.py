"""Jargon: De-Jargonizer-style frequency bands, unexplained acronyms, buzzwords; audience-aware."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop_app.analysis.doc import Doc, Finding, FromDict
from desktop_app.analysis.resources import Resources
from desktop_app.analysis.text import STOPWORDS, Token, find_phrases
from desktop_app.analysis.zipf import zipf

_EXPANSION_CUES = ("(", "stands for", "which is", "meaning", "i.e", "that is", "short for", "—")
_SKIP_INITIALS = frozenset({"of", "and", "for", "the", "&", "to", "in", "on", "a"})


@dataclass
class JargonResult(FromDict):
    score: float = 100.0
    audience: str = "interviewer"
    common: int = 0
    mid: int = 0
    rare: int = 0
    mid_pct: float = 0.0
    rare_pct: float = 0.0
    terms: list[str] = field(default_factory=list)  # rare words (unique, in order)
    mid_terms: list[str] = field(default_factory=list)
    unfamiliar: list[str] = field(default_factory=list)  # rare and not allow-listed here
    acronyms: list[str] = field(default_factory=list)  # unexplained acronyms
    explained_acronyms: list[str] = field(default_factory=list)
    buzzwords: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["score"] = round(self.score, 1)
        for k in ("mid_pct", "rare_pct"):
            d[k] = round(d[k], 2)
        return d


def word_zipf(low: str) -> float:
    """Zipf frequency, forgiving British -ise spellings (wordfreq favours -ize)."""
    z = zipf(low)
    if "is" in low and z < 4.0:
        for a, b in (
            ("isation", "ization"),
            ("ising", "izing"),
            ("ised", "ized"),
            ("ise", "ize"),
            ("ises", "izes"),
        ):
            if low.endswith(a):
                z = max(z, zipf(low[: -len(a)] + b))
                break
    return z


def audience_of(question: Any) -> str:
    if question is None:
        return "interviewer"
    aud = getattr(question, "audience", "interviewer") or "interviewer"
    if aud == "interviewer" and getattr(question, "kind", "") == "technical-reasoning":
        return "technical"
    return aud if aud in ("interviewer", "technical", "non-technical") else "interviewer"


def _is_acronym(t: Token) -> bool:
    core = t.text[:-1] if t.text.endswith("s") and len(t.text) > 2 else t.text
    return 2 <= len(core) <= 6 and core.isalpha() and core.isupper()


def _expanded(doc: Doc, tokens: list[Token], i: int, window: int) -> bool:
    t = tokens[i]
    letters = (t.text[:-1] if t.text.endswith("s") and not t.text[-2].islower() else t.text).lower()
    after = doc.text[t.char_end : t.char_end + 30].lower()
    if any(after.lstrip(" ,").startswith(c) for c in _EXPANSION_CUES):
        return True
    before = doc.text[max(0, t.char_start - 2) : t.char_start]
    if "(" in before:
        return True
    lo, hi = max(0, i - window), min(len(tokens), i + window)
    words = [w.low for w in tokens[lo:hi] if w.low not in _SKIP_INITIALS and not w.is_number]
    initials = "".join(w[0] for w in words)
    return len(letters) >= 2 and letters in initials


def analyse_jargon(
    doc: Doc, res: Resources, question: Any, findings: list[Finding]
) -> JargonResult:
    cfg = res.jargon
    aud = audience_of(question)
    r = JargonResult(audience=aud)
    allow_factor = float(cfg["allowlisted_factor"][aud])
    mid_w, rare_w = 0.0, 0.0
    seen_rare: set[str] = set()
    seen_mid: set[str] = set()
    seen_acro: set[str] = set()
    total = 0
    tokens = doc.tokens
    for sent in doc.sentences:
        for k, t in enumerate(sent.tokens):
            if t.is_number:
                continue
            total += 1
            if doc.uncertain(t) or t.text.lower() in res.placeholders:
                r.common += 1  # unsure or a placeholder ("XYZ Ltd"): never jargon or an acronym
                continue
            if _is_acronym(t) and t.text not in ("I", "OK", "A"):
                key = t.text.rstrip("s") if t.text[-1] == "s" else t.text
                if key in seen_acro or word_zipf(key.lower()) >= cfg["acronym_common_zipf"]:
                    continue
                seen_acro.add(key)
                if _expanded(doc, tokens, t.index, int(cfg["expansion_window"])):
                    r.explained_acronyms.append(key)
                else:
                    r.acronyms.append(key)
                    findings.append(
                        doc.finding(
                            "acronym", [t], f"Say what {key} stands for the first time you use it."
                        )
                    )
                continue
            low = t.low
            if len(low) < cfg["min_word_len"] or low in STOPWORDS or not low[0].isalpha():
                r.common += 1
                continue
            tech = low in res.tech_terms
            if k > 0 and t.text[0].isupper() and not tech:
                r.common += 1  # a proper name, not jargon
                continue
            z = word_zipf(low)
            weight = allow_factor if tech else 1.0
            if z >= cfg["common_zipf"]:
                r.common += 1
            elif z >= cfg["rare_zipf"]:
                r.mid += 1
                mid_w += weight
                if low not in seen_mid:
                    seen_mid.add(low)
                    r.mid_terms.append(low)
            else:
                r.rare += 1
                rare_w += weight
                if low not in seen_rare:
                    seen_rare.add(low)
                    r.terms.append(low)
                    if weight >= 0.5:
                        r.unfamiliar.append(low)
                        findings.append(
                            doc.finding("jargon", [t], "A rare word: a listener may not know it.")
                        )
    for sent in doc.sentences:
        for phrase, a, b in find_phrases(sent, res.buzzwords):
            r.buzzwords.append(phrase)
            findings.append(
                doc.finding("buzzword", sent.tokens[a:b], "A buzzword: say it plainly.")
            )
    if total:
        r.mid_pct = 100 * r.mid / total
        r.rare_pct = 100 * r.rare / total
        weighted = 100 * (cfg["mid_weight"] * mid_w + cfg["rare_weight"] * rare_w) / total
    else:
        weighted = 0.0
    penalty = (
        cfg["strictness"][aud] * weighted
        + cfg["acronym_penalty"][aud] * len(r.acronyms)
        + cfg["buzzword_penalty"] * min(len(r.buzzwords), 6)
    )
    r.score = max(0.0, min(100.0, 100.0 - penalty))
    return r
