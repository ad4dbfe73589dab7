"""Clean Whisper's output for one chunk against the voice-activity detector's view of it.

Whisper invents text where there is no speech, above all stock phrases from subtitled videos
("Thank you.", "Thanks for watching", "I'm sorry."). A bag of such phrases (with de-looping, done
in :mod:`.decoding`) is the remedy measured by Barański et al., "Investigation of Whisper ASR
Hallucinations Induced by Non-Speech Audio" (ICASSP 2025); the phrases live in
``assets/hallucinations.txt``. :class:`Cleaner` drops, per segment:

1. by Whisper's own silence rule: ``no_speech_prob`` above the threshold with low word confidence;
2. garbled text: Whisper's own anomaly score (improbable, too short or too long words, as in its
   ``hallucination_silence_threshold`` logic) flags it and the words are not confident;
3. stock phrases not backed by speech: a segment that is nothing but stock phrases is kept only if
   most of it lies in detected speech, its words are confident and not anomalous;
4. words nowhere near detected speech; the rest get times clamped to the speech.

No Qt, no torch: pure functions on domain objects and a boolean speech mask (one per 30 ms frame).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from desktop_app.domain import Segment, Word
from desktop_app.paths import assets_dir
from desktop_app.transcription.vad import FRAME_S

log = logging.getLogger(__name__)
_SYLLABLE_S = 0.133  # Whisper's own "too short for a word" in its anomaly score
_NON_WORD = re.compile(r"[^a-z0-9' ]+")


def normalise(text: str) -> str:
    """Lower case, punctuation gone, single spaces: how phrases are compared."""
    return " ".join(_NON_WORD.sub(" ", text.lower().replace("’", "'")).split())


def load_phrases(path: Path | None = None) -> frozenset[str]:
    """The stock phrases of ``assets/hallucinations.txt`` (one a line, ``#`` comments)."""
    path = path or assets_dir() / "hallucinations.txt"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return frozenset({"thank you", "thanks for watching", "i'm sorry", "you"})
    return frozenset(
        normalise(ln) for ln in lines if ln.strip() and not ln.lstrip().startswith("#")
    )


def anomaly_score(words: Sequence[Word]) -> tuple[float, int]:
    """Whisper's word anomaly score over the first 8 words (transcribe.py, ``word_anomaly_score``):
    +1 per word under 0.15 probability, more for words under 0.133 s or over 2 s."""
    score, counted = 0.0, 0
    for w in words[:8]:
        duration = w.end - w.start
        counted += 1
        if w.probability < 0.15:
            score += 1.0
        if duration < 0.133:
            score += (0.133 - duration) * 15
        if duration > 2.0:
            score += duration - 2.0
    return score, counted


def is_anomalous(words: Sequence[Word]) -> bool:
    score, n = anomaly_score(words)
    return n > 0 and (score >= 3 or score + 0.01 >= n)


class Cleaner:
    """Drops what Whisper heard in non-speech from one chunk's segments (see the module)."""

    def __init__(
        self,
        *,
        word_tolerance_s: float = 0.3,
        no_speech_prob: float = 0.6,
        low_word_probability: float = 0.5,
        min_speech_share: float = 0.5,
        phrases: frozenset[str] | None = None,
    ) -> None:
        self.tolerance = word_tolerance_s
        self.no_speech_prob = no_speech_prob
        self.low_word_probability = low_word_probability
        self.min_speech_share = min_speech_share
        self.phrases = load_phrases() if phrases is None else phrases
        # what was dropped so far, by rule (benches and logs read it)
        self.counts = {"silent": 0, "garbled": 0, "stock": 0, "off_speech": 0,
                       "off_speech_words": 0}  # fmt: skip

    def clean(
        self, segments: Sequence[Segment], speech: np.ndarray, base_s: float
    ) -> tuple[list[Segment], int]:
        """(kept segments, number dropped); ``speech[i]`` is frame i from ``base_s`` on."""
        region = _Region(np.asarray(speech, dtype=bool), base_s)
        kept: list[Segment] = []
        dropped = 0
        for seg in segments:
            words = self._in_speech(seg, region) if seg.words else None
            rules = (("silent", self._silent), ("garbled", self._garbled), ("stock", self._stock))
            reason = next((name for name, rule in rules if rule(seg, region)), "")
            if not reason and words is None:  # no word timings: keep it if it is near speech
                tol = self.tolerance
                if region.span(seg.start - tol, seg.end + tol) is None:
                    reason = "off_speech"
            elif not reason and not words:
                reason = "off_speech"
            if reason:
                self.counts[reason] += 1
                dropped += 1
                log.debug("dropped %s segment %.2f-%.2f s: %r", reason, seg.start, seg.end,
                          seg.text)
                continue
            if words is not None:
                self.counts["off_speech_words"] += len(seg.words) - len(words)
            kept.append(seg if words is None else _rebuilt(seg, words))
        return kept, dropped

    def _silent(self, seg: Segment, _region: _Region) -> bool:
        """Whisper's rule: likely no speech in the window, and the words are not confident."""
        return seg.no_speech_prob > self.no_speech_prob and self._unsure(seg)

    def _garbled(self, seg: Segment, _region: _Region) -> bool:
        """Words Whisper could not place in time (anomalous by its own score, most of them
        shorter than a syllable) and is unsure of. Misheard real speech has word-sized times:
        it stays (bench/accuracy.py: a 2.9 s misheard sentence was dropped without the
        duration test)."""
        if not seg.words or not is_anomalous(seg.words) or not self._unsure(seg):
            return False
        short = sum(1 for w in seg.words if w.end - w.start < _SYLLABLE_S)
        return short * 2 >= len(seg.words)

    def _unsure(self, seg: Segment) -> bool:
        probs = [w.probability for w in seg.words]
        return not probs or float(np.mean(probs)) < self.low_word_probability

    def _stock(self, seg: Segment, region: _Region) -> bool:
        """Nothing but stock phrases, and not backed by speech."""
        if not _only_phrases(normalise(seg.text), self.phrases):
            return False
        if not seg.words:
            return True
        return (
            is_anomalous(seg.words)
            or self._unsure(seg)
            or region.share(seg.words[0].start, seg.words[-1].end) < self.min_speech_share
        )

    def _in_speech(self, seg: Segment, region: _Region) -> list[Word]:
        """The segment's words that lie near detected speech, times clamped to it."""
        words: list[Word] = []
        for w in seg.words:
            end = max(w.end, w.start + FRAME_S)
            span = region.span(w.start, end)
            if span is not None:  # tighten the word's times to the speech it overlaps
                ws, we = max(w.start, span[0]), min(w.end, span[1])
                w = Word(w.text, round(ws, 3), round(max(ws, we), 3), w.probability)
            elif region.span(w.start - self.tolerance, end + self.tolerance) is None:
                continue  # nowhere near speech: heard in silence
            words.append(w)
        return words


class _Region:
    """Speech decisions per frame from ``base`` seconds on."""

    def __init__(self, speech: np.ndarray, base: float) -> None:
        self.speech, self.base = speech, base

    def _frames(self, t0: float, t1: float) -> tuple[int, int]:
        i0 = max(0, int(np.floor((t0 - self.base) / FRAME_S)))
        return i0, min(self.speech.size, int(np.ceil((t1 - self.base) / FRAME_S)))

    def span(self, t0: float, t1: float) -> tuple[float, float] | None:
        """First and last speech time within [t0, t1], or None."""
        i0, i1 = self._frames(t0, t1)
        hits = np.flatnonzero(self.speech[i0:i1]) if i1 > i0 else np.zeros(0, dtype=int)
        if hits.size == 0:
            return None
        return self.base + (i0 + hits[0]) * FRAME_S, self.base + (i0 + hits[-1] + 1) * FRAME_S

    def share(self, t0: float, t1: float) -> float:
        """The share of [t0, t1] (at least one frame) that is speech."""
        i0, i1 = self._frames(t0, max(t1, t0 + FRAME_S))
        return float(self.speech[i0:i1].mean()) if i1 > i0 else 0.0


def _only_phrases(text: str, phrases: frozenset[str]) -> bool:
    """Is ``text`` one or more stock phrases in a row (and nothing else)?"""
    if not text:
        return False
    words = text.split()
    can_end = [True] + [False] * len(words)  # can_end[i]: words[:i] splits into phrases
    for i in range(len(words)):
        if can_end[i]:
            for j in range(i + 1, min(len(words), i + 12) + 1):
                if " ".join(words[i:j]) in phrases:
                    can_end[j] = True
    return can_end[-1]


def _rebuilt(seg: Segment, words: Sequence[Word]) -> Segment:
    """``seg`` with only ``words`` (its text rebuilt from them if any went)."""
    text = seg.text.strip() if len(words) == len(seg.words) else " ".join(w.text for w in words)
    return Segment(text, words[0].start, words[-1].end, tuple(words), seg.no_speech_prob)
