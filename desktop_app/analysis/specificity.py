"""Specificity: quantities, names, ownership ("I" vs "we"), real vs hypothetical, vagueness."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from desktop_app.analysis.doc import Doc, Finding, FromDict
from desktop_app.analysis.resources import Resources
from desktop_app.analysis.text import (
    STOPWORDS,
    Sentence,
    find_phrases,
    first_person_verb,
    is_past_tense,
)
from desktop_app.analysis.zipf import zipf

NUMBER_WORDS = frozenset(
    """two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen
    seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety hundred
    hundreds thousand thousands million millions billion billions dozen dozens half twice triple
    quadruple""".split()
)
UNITS = frozenset(
    """percent per cent % dollars dollar pounds euros k seconds second secs minutes minute mins
    hours hour hrs days day weeks week months month years year quarters people users customers
    engineers developers clients tickets requests times x ms bugs calls teams members percentage
    points gb mb tb lines sprints releases""".split()
)
MONTHS = frozenset(
    "january february march april may june july august september october november december".split()
)
PERIODS = frozenset("week month quarter year spring summer autumn fall winter sprint".split())
I_FORMS = frozenset("i me my mine myself i'm i've i'd i'll".split())
WE_FORMS = frozenset("we us our ours ourselves we're we've we'd we'll".split())
_MONEY = ("$", "£", "€")


@dataclass
class Quantity:
    sent: int
    a: int
    b: int
    kind: str  # number | percent | money | duration | date


@dataclass
class SpecificityResult(FromDict):
    score: float = 0.0
    quantities: int = 0
    named: int = 0
    named_terms: list[str] = field(default_factory=list)
    i_count: int = 0
    we_count: int = 0
    i_ratio: float | None = None
    hypothetical: bool = False
    hypothetical_share: float = 0.0
    past_share: float = 0.0
    vague: int = 0

    def to_dict(self) -> dict[str, Any]:
        d = dict(self.__dict__)
        d["score"] = round(self.score, 1)
        d["hypothetical_share"] = round(self.hypothetical_share, 3)
        d["past_share"] = round(self.past_share, 3)
        d["i_ratio"] = None if self.i_ratio is None else round(self.i_ratio, 3)
        return d


def _kind(lows: list[str]) -> str:
    joined = " ".join(lows)
    if "%" in joined or "percent" in joined or "cent" in lows:
        return "percent"
    if joined[:1] in _MONEY or any(w in lows for w in ("dollars", "pounds", "euros", "k")):
        return "money"
    if any(
        w.rstrip("s")
        in {
            "second",
            "sec",
            "minute",
            "min",
            "hour",
            "hr",
            "day",
            "week",
            "month",
            "year",
            "quarter",
            "sprint",
        }
        for w in lows
    ):
        return "duration"
    return "number"


_DIGIT_WORDS = frozenset("one two three four five six seven eight nine".split())


def _number_word(low: str) -> bool:
    """ "forty", "twenty-six", "ninety-five": a spelled-out number (not "one" alone)."""
    if low in NUMBER_WORDS:
        return True
    parts = low.split("-")
    return len(parts) == 2 and parts[0] in NUMBER_WORDS and parts[1] in _DIGIT_WORDS


def sentence_quantities(sent: Sentence) -> list[Quantity]:
    """Numbers (digits or words, with a following unit), money, percentages, dates."""
    toks = sent.tokens
    out: list[Quantity] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        low = t.low
        if (
            t.is_number
            or _number_word(low)
            or (low == "one" and i + 1 < len(toks) and toks[i + 1].low in UNITS)
        ):
            j = i + 1
            while j < len(toks) and (
                toks[j].is_number
                or _number_word(toks[j].low)
                or toks[j].low in {"and", "a", "point"}
                and j + 1 < len(toks)
                and (toks[j + 1].low in NUMBER_WORDS or toks[j + 1].is_number)
            ):
                j += 1
            if j < len(toks) and toks[j].low in UNITS:
                j += 1
                if j < len(toks) and toks[j - 1].low == "per" and toks[j].low == "cent":
                    j += 1
            kind = _kind([x.low for x in toks[i:j]])
            if t.is_number and len(low) == 4 and low.isdigit() and 1950 <= int(low) <= 2099:
                kind = "date"
            out.append(Quantity(sent.index, i, j, kind))
            i = j
            continue
        if low in MONTHS and (t.text[0].isupper() and (low != "may" or i > 0)):
            out.append(Quantity(sent.index, i, i + 1, "date"))
        elif len(low) == 2 and low[0] == "q" and low[1] in "1234":
            out.append(Quantity(sent.index, i, i + 1, "date"))
        elif low in {"last", "next", "that"} and i + 1 < len(toks) and toks[i + 1].low in PERIODS:
            out.append(Quantity(sent.index, i, i + 2, "date"))
            i += 2
            continue
        i += 1
    return out


def _named(doc: Doc, res: Resources) -> list[tuple[Sentence, int, int]]:
    """Names of people, teams, tools and systems: mid-sentence capitals, acronyms, tech terms."""
    out: list[tuple[Sentence, int, int]] = []
    for sent in doc.sentences:
        toks = sent.tokens
        i = 0
        while i < len(toks):
            t = toks[i]
            first = t.text[:1]
            is_cap = first.isupper() and t.text not in res.not_named and t.low not in MONTHS
            is_acro = len(t.text) >= 2 and t.text.isupper() and t.text.isalpha()
            has_digit = not t.is_number and any(c.isdigit() for c in t.text)
            tech = t.low in res.tech_terms and zipf(t.low) < 3.3
            if i == 0 and is_cap and not is_acro and not tech:
                is_cap = zipf(t.low) < 2.8 and t.low not in STOPWORDS
            if is_cap or is_acro or has_digit or tech:
                j = i + 1
                while (
                    j < len(toks)
                    and toks[j].text[:1].isupper()
                    and toks[j].text not in res.not_named
                ):
                    j += 1
                out.append((sent, i, j))
                i = j
                continue
            i += 1
    return out


_REPORTING = frozenset(
    "knew thought said told realised realized felt decided promised warned guessed expected "
    "worried hoped was were".split()
)


def _future_in_past(lows: list[str], a: int, phrase: str) -> bool:
    """ "I knew I would miss the date": "would" after a past reporting verb, with no "if",
    is the future seen from the past, not a hypothetical."""
    if not (phrase.endswith("would") or phrase.endswith("'d")):
        return False
    before = lows[max(0, a - 6) : a]
    return "if" not in before and any(w in _REPORTING for w in before)


def _habitual_present(lows: list[str]) -> bool:
    """ "I start by making a list": a first-person present-tense verb and no past tense."""
    return first_person_verb(lows) == "present" and not any(is_past_tense(w) for w in lows)


def analyse_specificity(
    doc: Doc,
    res: Resources,
    labels: list[str],
    quantities: list[Quantity],
    findings: list[Finding],
) -> SpecificityResult:
    cfg = res.specificity["score"]
    r = SpecificityResult()
    coherent = doc.coherent
    unit_ok = doc.unit_coherent
    r.quantities = sum(1 for q in quantities if unit_ok[q.sent])
    for q in quantities:
        toks = doc.units[q.sent].tokens[q.a : q.b]
        findings.append(doc.finding("number", toks, f"A {q.kind}: specific and checkable."))

    seen: dict[str, int] = {}
    for sent, a, b in _named(doc, res):
        toks = sent.tokens[a:b]
        if any(doc.uncertain(t) or t.text.lower() in res.placeholders for t in toks):
            continue  # a misheard fragment or "XYZ Ltd" is not a concrete name
        key = " ".join(t.low for t in toks)
        if key in seen:
            continue
        seen[key] = sent.index
        findings.append(doc.finding("named", toks, "A named person, team, tool or system."))
    r.named_terms = list(seen)
    r.named = sum(1 for si in seen.values() if coherent[si])

    action = [u for u, lab in zip(doc.units, labels, strict=False) if lab == "A"]
    scope = action or doc.units
    for s in scope:
        for t in s.tokens:
            if t.low in I_FORMS:
                r.i_count += 1
            elif t.low in WE_FORMS:
                r.we_count += 1
    if r.i_count + r.we_count:
        r.i_ratio = r.i_count / (r.i_count + r.we_count)
    if r.i_ratio is not None and r.i_ratio < cfg["i_ratio_good"]:
        for s in scope:
            for t in s.tokens:
                if t.low in WE_FORMS and t.low not in {"us", "our", "ours"}:
                    findings.append(doc.finding("we", [t], "Whose action? Say what you did."))

    not_after = set(res.specificity["not_hypothetical_after_id"])
    hyp_sents, past_sents, n_sents = 0, 0, 0
    for s, ok in zip(doc.sentences, coherent, strict=False):
        if not ok:
            continue
        n_sents += 1
        lows = [t.low for t in s.tokens]
        hits = [
            (a, b) for phrase, a, b in find_phrases(s, res.hypothetical)
            if not (phrase.endswith("'d") and b < len(lows) and lows[b] in not_after)
            and not _future_in_past(lows, a, phrase)
        ]
        lesson = bool(find_phrases(s, res.lesson))
        if not hits and not lesson and _habitual_present(lows):
            i = next(k for k, w in enumerate(lows) if w in ("i", "we"))
            hits.append((i, min(i + 2, len(lows))))
        for a, b in hits:
            findings.append(
                doc.finding(
                    "hypothetical",
                    s.tokens[a:b],
                    "Sounds habitual or hypothetical, not one real time.",
                )
            )
        hyp_sents += bool(hits)
        past_sents += any(is_past_tense(w) for w in lows)
    if n_sents:
        r.hypothetical_share = hyp_sents / n_sents
        r.past_share = past_sents / n_sents
    r.hypothetical = n_sents > 0 and (
        r.hypothetical_share >= 0.3 or (r.past_share < 0.25 and n_sents >= 3)
    )

    for s in doc.sentences:
        for _phrase, a, b in find_phrases(s, res.vague):
            r.vague += 1
            findings.append(doc.finding("vague", s.tokens[a:b], "Vague: name the actual thing."))

    words = max(doc.n_words, 1)
    q_need = max(2.0, words / cfg["words_per_quantity"])
    n_need = max(1.5, words / cfg["words_per_named"])
    q_score = min(1.0, r.quantities / q_need)
    n_score = min(1.0, r.named / n_need)
    if r.i_ratio is None:
        own = 0.3
    else:
        own = min(1.0, 0.2 + 0.8 * r.i_ratio / cfg["i_ratio_good"])
    real = min(1.0, r.past_share / 0.5) * max(0.0, 1.0 - 1.6 * r.hypothetical_share)
    base = (
        cfg["quantity_weight"] * q_score
        + cfg["named_weight"] * n_score
        + cfg["ownership_weight"] * own
        + cfg["real_event_weight"] * real
    )
    vague_pen = min(
        cfg["vague_penalty_cap"],
        cfg["vague_penalty_per_100_words"] * r.vague * 100 / max(words, 50),
    )
    r.score = max(0.0, min(100.0, 100 * base - vague_pen))
    return r
