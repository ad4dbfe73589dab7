"""Features of one clause unit for the STAR labeller (star_model.py), with reasons a person can
read: which lexicon fired (assets/analysis/star.toml [cues] and [lexicon]), who the subject is
(I / we / someone else), the verb's form (past, present habit, "would", "had to"), position,
numbers and change verbs. Every feature is a name with value 1.0 (counts are clipped)."""

from __future__ import annotations

from collections import Counter

from desktop_app.analysis.doc import Doc
from desktop_app.analysis.resources import Resources
from desktop_app.analysis.specificity import Quantity
from desktop_app.analysis.text import (
    STATIVE_PAST,
    find_phrases,
    first_person_verb,
    is_past_tense,
)

_OTHER_PEOPLE = frozenset(
    "he she they client customer customers manager director boss owner team company clients "
    "partner supplier user users guest guests patient patients student students pupil pupils "
    "parent parents council teacher doctor nurse".split()
)
_INTERJECTIONS = frozenset("yes yeah sure okay ok well right um uh hmm so".split())
CHANGE_VERBS = frozenset(
    "reduced increased improved decreased doubled halved tripled saved cut dropped fell grew rose "
    "went brought raised lowered shortened sped boosted climbed lifted".split()
)


def _subject(lows: list[str]) -> str:
    """Who the clause is about: i, we, my (possessive), other, it, there, or none."""
    for w in lows[:5]:
        if w in ("i", "i'm", "i've", "i'd", "i'll", "me", "myself"):
            return "i"
        if w in ("we", "we're", "we've", "we'd", "us"):
            return "we"
        if w in ("my", "our"):
            return "my"
        if w in _OTHER_PEOPLE:
            return "other"
        if w in ("it", "it's", "this", "that"):
            return "it"
        if w in ("there", "there's"):
            return "there"
    return "none"


def _verb_form(lows: list[str]) -> set[str]:
    """Coarse tense and modality of the clause's verbs."""
    out: set[str] = set()
    for i, w in enumerate(lows):
        if w in ("would", "i'd", "we'd", "you'd") and i + 1 < len(lows):
            out.add("would_have" if lows[i + 1] in ("have", "been") else "would")
        elif w in ("will", "i'll", "we'll"):
            out.add("will")
        elif w in ("had", "needed", "wanted") and i + 1 < len(lows) and lows[i + 1] == "to":
            out.add("had_to")
        elif w in ("was", "were") and i + 1 < len(lows) and lows[i + 1].endswith("ing"):
            out.add("past_progressive")
        elif w == "had" and i + 1 < len(lows) and is_past_tense(lows[i + 1]):
            out.add("past_perfect")
        elif w in ("was", "were") and i + 1 < len(lows) and is_past_tense(lows[i + 1]):
            out.add("passive")
        elif is_past_tense(w) and w not in STATIVE_PAST:
            out.add("past_action")
        elif w in ("was", "were", "had"):
            out.add("past_state")
        elif w in ("is", "are", "am", "'s", "'re", "has", "have"):
            out.add("present")
    return out


_SUBORDINATORS = frozenset("when while after before as once since until because if".split())


def main_clause(doc: Doc, tokens: list) -> tuple[str, int]:
    """ "When I took over the team, the queue had 400 tickets": the subordinator ("when") and
    where the main clause starts (after the first comma), or ("", 0) when the unit opens with
    its main clause. Subject and verb features are read from the main clause only."""
    if len(tokens) < 4 or tokens[0].low not in _SUBORDINATORS:
        return "", 0
    for i in range(1, len(tokens) - 1):
        if "," in doc.text[tokens[i - 1].char_end : tokens[i].char_start]:
            return tokens[0].low, i
    return "", 0


def unit_features(
    doc: Doc, res: Resources, quantities: list[Quantity], stuffing: float
) -> list[list[str]]:
    """Feature names for every unit of ``doc`` (in order)."""
    units = doc.units
    n = len(units)
    q_units = Counter(q.sent for q in quantities)
    seen: Counter[str] = Counter()
    max_rep = int(res.star["emission"]["max_repeats"])
    coherent = doc.unit_coherent
    out: list[list[str]] = []
    for k, u in enumerate(units):
        all_lows = [t.low for t in u.tokens]
        lead, start = main_clause(doc, u.tokens)
        cut_after = k + 1 < n and doc.unit_sentence[k + 1] == doc.unit_sentence[k]
        if not lead and all_lows and all_lows[0] in _SUBORDINATORS and cut_after:
            # "When our kitchen lost power," | "I moved…": the unit is only the leading clause
            lead, start = all_lows[0], len(all_lows)
            f0 = ["lead_only"]
        else:
            f0 = []
        lows = all_lows[start:]
        f = ["bias", *f0]
        if lead:
            f.append(f"lead:{lead}")
        for lab, groups in res.star_cues.items():
            for weight, pattern in groups:
                hits = 0
                for phrase, a, _b in find_phrases(u, pattern):
                    if a < start:
                        continue  # a cue inside the leading "when I…" clause
                    seen[phrase] += 1
                    hits += seen[phrase] <= max_rep
                if hits:
                    f.append(f"cue:{lab}{weight:g}")
                    if hits > 1:
                        f.append(f"cue:{lab}{weight:g}x2")
        for name, pattern in res.star_lexicon.items():
            if find_phrases(u, pattern):
                f.append(f"lex:{name}")
        subj = _subject(lows)
        f.append(f"subj:{subj}")
        for form in sorted(_verb_form(lows)):
            f.append(f"verb:{form}")
            f.append(f"subjverb:{subj}_{form}")
        fp = first_person_verb(lows)
        if fp:
            f.append(f"fp:{lows[0] if lows[0] in ('i', 'we') else 'x'}_{fp}")
            f.append(f"fpverb:{fp}")
        first = all_lows[0] if all_lows else ""
        f.append(f"w0:{first}")
        if len(all_lows) > 1:
            f.append(f"w01:{first}_{all_lows[1]}")
        cont = k > 0 and doc.unit_sentence[k] == doc.unit_sentence[k - 1]
        if cont:
            f.append("continuation")
            f.append(f"cont:{first}")
        if q_units.get(k):
            f.append("number")
            if any(w in CHANGE_VERBS for w in lows):
                f.append("number_change")
        if any(w in CHANGE_VERBS for w in lows):
            f.append("change_verb")
        if find_phrases(u, res.hypothetical):
            f.append("hypothetical_phrase")
        if find_phrases(u, res.lesson):
            f.append("lesson_phrase")
        if sum(1 for w in lows if w in res.meta_words) >= 2:
            f.append("meta_sentence")
        if not coherent[k]:
            f.append("incoherent")
        if stuffing > 0.3:
            f.append("stuffed_answer")
        pos = k / (n - 1) if n > 1 else 0.0
        f.append("pos:first" if k == 0 else "pos:last" if k == n - 1 else "pos:mid")
        f.append(f"pos:q{min(3, int(pos * 4))}")
        if n <= 3:
            f.append("short_answer")
        if all_lows and first in _INTERJECTIONS and len(all_lows) <= 8 and (k in (0, n - 1)):
            f.append("edge_interjection")
        ln = len(all_lows)
        f.append("len:1-4" if ln <= 4 else "len:5-9" if ln <= 9 else "len:10+")
        out.append(f)
    return out
