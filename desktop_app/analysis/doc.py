"""The analysed document (text, tokens, sentences, coherence) and the Finding type."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from desktop_app.analysis.clauses import split_units
from desktop_app.analysis.text import (
    AUXILIARIES,
    STOPWORDS,
    SUBJECT_PRONOUNS,
    Sentence,
    Token,
    attach_times,
    is_past_tense,
    split_sentences,
    tokenize,
)
from desktop_app.domain import Transcript


class FromDict:
    """``from_dict`` for a result dataclass whose ``to_dict`` keeps every field under its name.
    A field missing from ``d`` (an analysis stored by an older version) takes its default."""

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Any:
        return cls(**{f.name: d[f.name] for f in fields(cls) if f.name in d})  # type: ignore[arg-type]


@dataclass(frozen=True)
class Finding(FromDict):
    """Evidence in the answer: ``text`` is ``Analysis.text[char_start:char_end]``."""

    kind: str
    text: str
    char_start: int
    char_end: int
    start: float | None = None
    end: float | None = None
    message: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Doc:
    """Everything the scorers share about one answer."""

    text: str
    tokens: list[Token]
    sentences: list[Sentence]
    has_timing: bool
    duration: float | None
    coherent: list[bool]
    lowercase_only: bool
    units: list[Sentence] = field(default_factory=list)  # clause units (clauses.py)
    unit_sentence: list[int] = field(default_factory=list)  # sentence index of each unit
    uncertain_below: float = 0.0  # Word.probability below this: the transcriber was unsure

    def uncertain(self, t: Token) -> bool:
        """Was the transcriber unsure of this word? Unsure words never count as jargon or names."""
        return t.probability is not None and t.probability < self.uncertain_below

    def uncertain_findings(self) -> list[Finding]:
        """One "uncertain" finding per run of unsure words (for the transcript to mark)."""
        out: list[Finding] = []
        run: list[Token] = []
        for t in [*self.tokens, None]:
            if t is not None and self.uncertain(t):
                run.append(t)
                continue
            if run:
                low = min(x.probability or 0.0 for x in run)
                out.append(self.finding(
                    "uncertain", run, f"The transcriber was unsure of this (confidence {low:.0%})."
                ))
                run = []
        return out

    @property
    def unit_coherent(self) -> list[bool]:
        return [self.coherent[i] for i in self.unit_sentence]

    @property
    def n_words(self) -> int:
        return len(self.tokens)

    def finding(self, kind: str, toks: Sequence[Token], message: str = "") -> Finding:
        a, b = toks[0], toks[-1]
        return Finding(
            kind,
            self.text[a.char_start : b.char_end],
            a.char_start,
            b.char_end,
            a.start,
            b.end if b.end is not None else a.end,
            message,
        )


def _coherent(sent: Sentence, meta_words: frozenset[str]) -> bool:
    """A real clause: enough words, a finite verb, some content, not a string of STAR labels."""
    words = [t for t in sent.tokens if not t.is_number]
    if len(words) < 4:
        return False
    lows = [t.low for t in words]
    meta = sum(1 for w in lows if w in meta_words)
    if meta / len(lows) > 0.2:
        return False
    content = {w for w in lows if w not in STOPWORDS and w not in meta_words and len(w) > 2}
    if len(content) < 2:
        return False
    for i, w in enumerate(lows):
        if w in AUXILIARIES or is_past_tense(w):
            return True
        if w in SUBJECT_PRONOUNS and i + 1 < len(lows) and lows[i + 1] not in STOPWORDS:
            return True
    return False


def build_doc(
    transcript: Transcript | str, meta_words: frozenset[str], uncertain_below: float = 0.0
) -> Doc:
    """Tokenise, attach word times and split into sentences."""
    if isinstance(transcript, str):
        transcript = Transcript.from_text(transcript)
    words = transcript.words
    text = transcript.text or ""
    if not text.strip() and words:
        text = "".join(w.text for w in words).strip()
    tokens = tokenize(text)
    has_timing = bool(words) and attach_times(tokens, words) > 0
    duration: float | None = None
    if has_timing:
        duration = max(words[-1].end - words[0].start, 0.0)
    sentences = split_sentences(text, tokens)
    letters = [c for c in text if c.isalpha()]
    lowercase_only = bool(letters) and not any(c.isupper() for c in letters)
    coherent = [_coherent(s, meta_words) for s in sentences]
    units, parent = split_units(text, sentences)
    return Doc(
        text, tokens, sentences, has_timing, duration, coherent, lowercase_only, units, parent,
        uncertain_below,
    )
