"""A transcript corrected by hand: the candidate's text, with Whisper's timing kept.

The new text is aligned with the old words (difflib over normalised words): unchanged words keep
their times and confidence; a replaced run takes the time span of the words it replaces, and an
inserted word sits at the time of its neighbour. Every word the candidate typed counts as
certain (probability 1.0): they confirmed it, so it is no longer marked as uncertain and counts
for jargon and names like any other word. Segments keep their boundaries where they can.
"""

from __future__ import annotations

import difflib
import re

from desktop_app.domain import Segment, Transcript, Word


def _norm(word: str) -> str:
    return re.sub(r"[^\w']+", "", word.lower())


def edited_transcript(old: Transcript, new_text: str) -> Transcript:
    """``old`` with its text replaced by ``new_text`` (marked ``edited``)."""
    new_words = new_text.split()
    old_words = old.words
    owner = [i for i, seg in enumerate(old.segments) for _ in seg.words]
    if not old_words:  # no timing to keep: typed text
        out = Transcript.from_text(new_text)
        out.edited, out.model, out.duration = True, old.model, old.duration
        return out
    matcher = difflib.SequenceMatcher(
        a=[_norm(w.text) for w in old_words], b=[_norm(w) for w in new_words], autojunk=False
    )
    placed: list[tuple[int, Word]] = []  # (segment index, word)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            for k in range(i2 - i1):
                w = old_words[i1 + k]
                text = new_words[j1 + k]
                same = text == w.text.strip()
                placed.append((owner[i1 + k], Word(f" {text}", w.start, w.end,
                                                   w.probability if same else 1.0)))
            continue
        if j2 == j1:  # deleted words
            continue
        if i2 > i1:
            t0, t1, seg = old_words[i1].start, old_words[i2 - 1].end, owner[i1]
        else:  # inserted: at the neighbour's time
            ref = old_words[i1 - 1] if i1 > 0 else old_words[0]
            t0 = t1 = ref.end if i1 > 0 else ref.start
            seg = owner[i1 - 1] if i1 > 0 else 0
        n = j2 - j1
        for k in range(n):
            a = t0 + (t1 - t0) * k / n
            b = t0 + (t1 - t0) * (k + 1) / n
            placed.append((seg, Word(f" {new_words[j1 + k]}", round(a, 3), round(b, 3), 1.0)))
    segments: list[Segment] = []
    for i, old_seg in enumerate(old.segments):
        words = tuple(w for s, w in placed if s == i)
        if words:
            text = " ".join(w.text.strip() for w in words)
            segments.append(Segment(text, words[0].start, words[-1].end, words,
                                    old_seg.no_speech_prob))  # fmt: skip
    return Transcript(
        text=" ".join(new_words), segments=segments, language=old.language, model=old.model,
        duration=old.duration, edited=True,
    )  # fmt: skip
