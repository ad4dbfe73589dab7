"""Tokens with character spans and times, sentence splitting, phrase matching."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import regex

from desktop_app.domain import Word

_TOKEN_RE = regex.compile(
    r"[$£€]?\d+(?:[.,:]\d+)*(?:%|k\b|m\b|x\b|ms\b|s\b|h\b)?"  # numbers, money, percentages
    r"|\p{L}[\p{L}\p{M}\d]*(?:['’\-]\p{L}[\p{L}\p{M}\d]*)*"  # words, contractions, hyphenated
    r"|['’]\p{L}+"  # a detached contraction ("'s")
)
_SENT_END_RE = regex.compile(r"[.!?…]+[\"'’”)\]]*(?=\s|$)|\n\s*\n|\n")
_ABBREV = frozenset(
    "mr mrs ms dr prof st vs etc e.g i.e eg ie inc ltd co jr sr no approx dept est fig".split()
)
_NORM_RE = regex.compile(r"[^\p{L}\p{N}]+")

STOPWORDS = frozenset(
    """a an the and or but so if then than that this these those there here it its it's of in on at
    to for from by with about as into over after before under up down out off again also just very
    i me my mine myself we us our ours ourselves you your yours he him his she her they them their
    is am are was were be been being have has had do does did doing will would can could should may
    might must shall not no nor only own same too s t don't didn't i'm i've i'd i'll we're we've
    we'd we'll you're they're that's what which who whom whose when where why how all any both each
    few more most other some such one get got going go went make made really well yeah okay ok
    like""".split()
)

PAST_IRREGULAR = frozenset(
    """went made took built wrote ran led found gave told spoke met sent brought began chose saw got
    set put kept thought knew held paid left felt bought taught caught fought sought won lost became
    came did said understood drew grew fell rose broke spent stood sat hit cut let shut split spread
    began drove flew forgot hid hung lay lent meant overcame rewrote undertook upheld withdrew
    dealt sold shot struck swept threw woke wore""".split()
)
STATIVE_PAST = frozenset(
    "was were had did could would should might must needed wanted felt thought knew seemed "
    "hoped liked loved".split()
)
AUXILIARIES = frozenset(
    """is am are was were be been being have has had do does did will would can could should may
    might must shall 's 're 've 'd 'll i'm i've i'd i'll we're we've we'd we'll you're they're it's
    that's there's he's she's isn't wasn't weren't aren't don't didn't doesn't won't wouldn't
    couldn't shouldn't hasn't haven't hadn't can't""".split()
)
_ED_EXCEPTIONS = frozenset(
    "need feed speed red bed indeed seed hundred shed bleed breed greed deed weed embed".split()
)
SUBJECT_PRONOUNS = frozenset("i we they he she you it".split())


@dataclass(slots=True)
class Token:
    """One word or number: its text, lowercase form, char span in the text and optional times."""

    text: str
    low: str
    char_start: int
    char_end: int
    index: int
    is_number: bool = False
    start: float | None = None
    end: float | None = None
    sent: int = 0
    probability: float | None = None  # Whisper's confidence in the word, when transcribed


@dataclass(slots=True)
class Sentence:
    """A run of tokens; ``low`` is the lowercase text with single spaces between tokens."""

    index: int
    char_start: int
    char_end: int
    tokens: list[Token] = field(default_factory=list)
    low: str = ""
    offsets: list[int] = field(default_factory=list)  # start of each token in ``low``

    @property
    def start(self) -> float | None:
        times = [t.start for t in self.tokens if t.start is not None]
        return min(times) if times else None

    @property
    def end(self) -> float | None:
        times = [t.end for t in self.tokens if t.end is not None]
        return max(times) if times else None

    def token_at(self, low_offset: int) -> int:
        """Index (within the sentence) of the token that starts at or covers ``low_offset``."""
        lo, hi = 0, len(self.offsets) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if self.offsets[mid] <= low_offset:
                lo = mid
            else:
                hi = mid - 1
        return lo


def normalise(s: str) -> str:
    return _NORM_RE.sub("", s.lower().replace("’", "'"))


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into word/number tokens with character spans."""
    out: list[Token] = []
    for i, m in enumerate(_TOKEN_RE.finditer(text)):
        t = m.group()
        low = t.lower().replace("’", "'")
        is_num = t[0].isdigit() or (t[0] in "$£€" and len(t) > 1)
        out.append(Token(t, low, m.start(), m.end(), i, is_num))
    return out


def is_past_tense(low: str) -> bool:
    if low in PAST_IRREGULAR:
        return True
    return len(low) > 4 and low.endswith("ed") and low not in _ED_EXCEPTIONS


def attach_times(tokens: Sequence[Token], words: Sequence[Word]) -> int:
    """Copy word times onto matching tokens (in order); returns how many tokens got times."""
    j, n, hits = 0, len(tokens), 0
    for w in words:
        target = normalise(w.text)
        if not target:
            continue
        for look in range(j, min(j + 6, n)):
            acc, k = "", look
            while k < n and len(acc) < len(target):
                acc += normalise(tokens[k].text)
                k += 1
            if acc == target or (acc.startswith(target) and k - look == 1):
                for t in tokens[look:k]:
                    t.start, t.end = float(w.start), float(w.end)
                    t.probability = float(w.probability)
                    hits += 1
                j = k
                break
    return hits


def _sentence_spans(text: str, tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """Token index ranges split at sentence-final punctuation (not after abbreviations)."""
    cuts: list[int] = []
    for m in _SENT_END_RE.finditer(text):
        pos = m.start()
        prev = text[max(0, pos - 6) : pos].split()
        if prev and m.group().startswith(".") and prev[-1].lower().strip(".") in _ABBREV:
            continue
        cuts.append(m.end())
    spans, start, ci = [], 0, 0
    for i, t in enumerate(tokens):
        while ci < len(cuts) and cuts[ci] <= t.char_start:
            if i > start:
                spans.append((start, i))
                start = i
            ci += 1
    if start < len(tokens):
        spans.append((start, len(tokens)))
    return spans


def _split_run_on(
    tokens: Sequence[Token],
    lo: int,
    hi: int,
    markers: Iterable[tuple[str, ...]],
    max_words: int,
    min_words: int,
    pause_s: float,
) -> list[tuple[int, int]]:
    """Break an over-long sentence at pauses, discourse markers and new first-person clauses."""
    if hi - lo <= max_words:
        return [(lo, hi)]
    marks = list(markers)
    out, start = [], lo
    for i in range(lo + 1, hi):
        if i - start < min_words or hi - i < 3:
            continue
        prev, cur = tokens[i - 1], tokens[i]
        gap = cur.start - prev.end if cur.start is not None and prev.end is not None else 0.0
        marker = any(tuple(t.low for t in tokens[i : i + len(m)]) == m for m in marks)
        if gap >= pause_s or marker or _clause_start(tokens, i, hi) or i - start >= 2 * max_words:
            out.append((start, i))
            start = i
    out.append((start, hi))
    return out


def _clause_start(tokens: Sequence[Token], i: int, hi: int) -> bool:
    """ "... in september | I decided ...": a subject pronoun plus a verb after a content word."""
    cur, prev = tokens[i].low, tokens[i - 1].low
    if cur not in _CLAUSE_SUBJECTS or prev in STOPWORDS:
        return False
    if i + 1 >= hi:
        return False
    nxt = tokens[i + 1].low
    return (
        nxt in AUXILIARIES
        or is_past_tense(nxt)
        or nxt in _ADVERB_STARTS
        and i + 2 < hi
        and (is_past_tense(tokens[i + 2].low) or tokens[i + 2].low in AUXILIARIES)
    )


_CLAUSE_SUBJECTS = frozenset("i we she he they".split())
_ADVERB_STARTS = frozenset("then also just finally eventually really actually".split())


DISCOURSE_MARKERS: tuple[tuple[str, ...], ...] = tuple(
    tuple(m.split())
    for m in (
        "so i",
        "so we",
        "and then",
        "then i",
        "then we",
        "after that",
        "as a result",
        "in the end",
        "eventually",
        "finally",
        "first i",
        "first we",
        "next i",
        "next we",
        "the result",
        "because of that",
        "at the end",
        "but",
        "so the",
        "which meant",
        "my job",
        "my task",
        "i was asked",
        "what i did",
        "one day",
        "back then",
        "at the time",
        "since then",
        "i learned",
        "so yeah",
        "and i",
        "and we",
        "so",
        "i mean so",
        "we learned",
        "afterwards",
        "the next",
    )
)


def split_sentences(
    text: str,
    tokens: Sequence[Token],
    *,
    max_words: int = 38,
    min_words: int = 6,
    pause_s: float = 0.6,
) -> list[Sentence]:
    """Sentences from punctuation; long run-ons are split at pauses and discourse markers."""
    spans: list[tuple[int, int]] = []
    for lo, hi in _sentence_spans(text, tokens):
        spans.extend(
            _split_run_on(tokens, lo, hi, DISCOURSE_MARKERS, max_words, min_words, pause_s)
        )
    sents: list[Sentence] = []
    for si, (lo, hi) in enumerate(spans):
        toks = list(tokens[lo:hi])
        offsets, parts, pos = [], [], 0
        for t in toks:
            t.sent = si
            offsets.append(pos)
            parts.append(t.low)
            pos += len(t.low) + 1
        sents.append(
            Sentence(si, toks[0].char_start, toks[-1].char_end, toks, " ".join(parts), offsets)
        )
    return sents


def sentence_char_end(text: str, sent: Sentence) -> int:
    """Extend a sentence's end over trailing punctuation (for display spans)."""
    end = sent.char_end
    while end < len(text) and text[end] in ".!?…,;:\"'’”)]":
        end += 1
    return end


_NUM = (
    r"(?:[$£€]?\d[\d.,:]*(?:%|k|m|x|ms|s|h)?|a|an|one|two|three|four|five|six|seven|eight|nine"
    r"|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|a few"
    r"|a couple of)"
)


def phrase_regex(phrases: Iterable[str]) -> regex.Pattern[str]:
    """One alternation regex over lowercase phrases; '#' stands for a number token."""
    alts = []
    for p in sorted({p.strip().lower() for p in phrases if p.strip()}, key=len, reverse=True):
        p = regex.sub(r"[,;:.!?]", "", p)
        esc = regex.escape(p).replace(r"\ ", " ").replace(" ", r"\s+")
        alts.append(esc.replace(r"\#", _NUM).replace("#", _NUM))
    if not alts:
        return regex.compile(r"(?!x)x")
    return regex.compile(r"(?<![\p{L}\p{N}'])(?:" + "|".join(alts) + r")(?![\p{L}\p{N}'])")


def find_phrases(sent: Sentence, pattern: regex.Pattern[str]) -> list[tuple[str, int, int]]:
    """Matches of ``pattern`` in a sentence as (phrase, first token, last token + 1)."""
    out = []
    for m in pattern.finditer(sent.low):
        a = sent.token_at(m.start())
        b = sent.token_at(max(m.start(), m.end() - 1)) + 1
        out.append((m.group(), a, b))
    return out


_SKIP_ADVERBS = frozenset(
    "then also first quickly immediately personally eventually finally just actually really "
    "still later carefully directly always usually normally generally often sometimes never "
    "now basically even only".split()
)
_MODALS = frozenset("would will 'd i'd we'd could can should might must".split())


def first_person_verb(lows: list[str]) -> str | None:
    """The verb after "I"/"we" (adverbs skipped): past, modal, or present (a habit)."""
    for i, w in enumerate(lows):
        if w not in ("i", "we"):
            continue
        for nxt in lows[i + 1 : i + 4]:
            if nxt in _SKIP_ADVERBS:
                continue
            if nxt in _MODALS:
                return "modal"
            if is_past_tense(nxt):
                return "stative" if nxt in STATIVE_PAST else "past"
            if nxt in AUXILIARIES:
                return "aux"
            return "present"
        return None
    return None
