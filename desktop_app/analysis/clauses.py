"""Clause units: a sentence that carries two STAR parts ("I rebuilt the plan, which lifted output
to 95 %") is cut where a new clause starts, so each part can get its own label.

Cuts are made only where a clause plainly starts: after a comma, semicolon or dash before a
connective ("which", "so", "and she…"), at the comma closing a leading "When …," clause, or, in
unpunctuated speech, before a connective followed by a subject ("so I…", "and the client…",
"which meant…"). Both sides keep at least
``min_words`` words. The STAR labeller then labels units; neighbouring units of one sentence that
get the same label are merged again for display (star.py)."""

from __future__ import annotations

from collections.abc import Sequence

from desktop_app.analysis.text import AUXILIARIES, Sentence, Token, is_past_tense

# A connective after a comma/semicolon/dash that starts a new clause.
_AFTER_PUNCT = frozenset(
    "which so and but meaning resulting leading then while whereas after until because".split()
)
# In unpunctuated speech a connective only counts when a subject or verb follows it.
_SPOKEN_CONNECTIVES = frozenset("so and but then which".split())
_SUBJECTS = frozenset("i we she he they it you".split())
_DETERMINERS = frozenset("the our my his her their this that every all".split())
_NEVER_AFTER = frozenset("of to a an the in on at for with by from into and or".split())
# A sentence opening with one of these carries a leading clause ("When the queue hit 400, I…"):
# the first comma after it is a clause boundary.
_LEADING = frozenset("when while after before once since until because as".split())


def _gap(text: str, a: Token, b: Token) -> str:
    return text[a.char_end : b.char_start]


def _starts_clause(tokens: Sequence[Token], i: int, hi: int) -> bool:
    """Does a clause (subject + verb, or "which meant") start at ``tokens[i]``?"""
    cur = tokens[i].low
    nxt = tokens[i + 1].low if i + 1 < hi else ""
    nxt2 = tokens[i + 2].low if i + 2 < hi else ""
    if cur == "which":
        return nxt in ("meant", "means", "led", "cut", "saved", "brought", "made", "gave") or (
            is_past_tense(nxt) and nxt not in ("was", "were", "had")
        )
    if cur == "then":
        return nxt in _SUBJECTS
    if nxt in _SUBJECTS:
        return nxt2 in AUXILIARIES or is_past_tense(nxt2) or nxt2 in ("now", "still", "also")
    if nxt in _DETERMINERS:
        # "and the backlog was gone", "so the client renewed"
        for t in tokens[i + 2 : min(hi, i + 5)]:
            if t.low in AUXILIARIES or is_past_tense(t.low):
                return True
        return False
    return nxt in ("since", "now", "after", "within", "by") and cur in ("and", "so")


def clause_cuts(text: str, sent: Sentence, min_words: int = 3) -> list[int]:
    """Token indexes (within ``sent``) where a new clause unit starts."""
    toks = sent.tokens
    n = len(toks)
    cuts: list[int] = []
    last = 0
    leading = n > 0 and toks[0].low in _LEADING
    for i in range(1, n):
        if i - last < min_words or n - i < min_words:
            continue
        prev, cur = toks[i - 1], toks[i]
        gap = _gap(text, prev, cur)
        punct = any(c in gap for c in ",;:—–") or " - " in gap
        if prev.low in _NEVER_AFTER:
            continue
        if punct and ";" in gap:
            ok = True
        elif punct and leading and not cuts and "," in gap:
            ok = True  # the end of a leading "When …," clause
        elif punct and cur.low in _AFTER_PUNCT:
            ok = cur.low in ("which", "meaning", "resulting", "leading") or _starts_clause(
                toks, i, n
            ) or cur.low in ("so", "then") and i + 1 < n and toks[i + 1].low in _SUBJECTS
        elif not punct and cur.low in _SPOKEN_CONNECTIVES:
            ok = _starts_clause(toks, i, n)
        else:
            ok = False
        if ok:
            cuts.append(i)
            last = i
    return cuts


def _unit(index: int, toks: list[Token]) -> Sentence:
    offsets, parts, pos = [], [], 0
    for t in toks:
        offsets.append(pos)
        parts.append(t.low)
        pos += len(t.low) + 1
    return Sentence(index, toks[0].char_start, toks[-1].char_end, toks, " ".join(parts), offsets)


def split_units(text: str, sentences: Sequence[Sentence]) -> tuple[list[Sentence], list[int]]:
    """Clause units in order, and for each the index of the sentence it came from."""
    units: list[Sentence] = []
    parent: list[int] = []
    for s in sentences:
        bounds = [0, *clause_cuts(text, s), len(s.tokens)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            units.append(_unit(len(units), list(s.tokens[a:b])))
            parent.append(s.index)
    return units, parent
