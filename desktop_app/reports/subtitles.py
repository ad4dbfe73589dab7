"""Subtitles from the transcript's word times: SRT and WebVTT, and a plain-text transcript.

Words are grouped into cues that end at a sentence's end, at a pause of ``PAUSE_S`` or more, or
when a cue reaches ``MAX_WORDS`` words or ``MAX_CUE_S`` seconds, so each cue reads in one glance
and shows while those words are spoken.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from desktop_app.domain import Word

MAX_WORDS = 10
MAX_CUE_S = 4.0
PAUSE_S = 0.8
_ENDS = (".", "?", "!")


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str


def cues(words: Sequence[Word]) -> list[Cue]:
    out: list[Cue] = []
    run: list[Word] = []

    def close() -> None:
        if run:
            text = " ".join(w.text.strip() for w in run if w.text.strip())
            out.append(Cue(run[0].start, max(run[-1].end, run[0].start), text))
            run.clear()

    for w in words:
        if run and (w.start - run[-1].end >= PAUSE_S or len(run) >= MAX_WORDS
                    or w.end - run[0].start > MAX_CUE_S):
            close()
        run.append(w)
        if w.text.strip().endswith(_ENDS):
            close()
    close()
    return [c for c in out if c.text]


def _stamp(seconds: float, sep: str) -> str:
    ms = max(0, round(seconds * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def to_srt(words: Sequence[Word]) -> str:
    blocks = [f"{i}\n{_stamp(c.start, ',')} --> {_stamp(c.end, ',')}\n{c.text}\n"
              for i, c in enumerate(cues(words), 1)]
    return "\n".join(blocks)


def to_vtt(words: Sequence[Word]) -> str:
    blocks = [f"{_stamp(c.start, '.')} --> {_stamp(c.end, '.')}\n{c.text}\n"
              for c in cues(words)]
    return "WEBVTT\n\n" + "\n".join(blocks)
