"""Cached English word frequencies on the Zipf scale (wordfreq; data bundled, works offline).

wordfreq (and the ftfy/regex/msgpack it brings, about 0.4 s) is imported at the first lookup, not
with this module: the analysis package is imported on the window's start-up path, the analyzer is
built (and ``warm_up`` called) later on a worker thread.
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """log10 occurrences per billion words; 0.0 for unknown words."""
    import wordfreq  # after the first call, a dictionary lookup

    try:
        return float(wordfreq.zipf_frequency(word, "en"))
    except Exception:  # odd Unicode must never break scoring
        return 0.0


def warm_up() -> None:
    """Load wordfreq's English list now (about 0.3 s) rather than on the first answer."""
    zipf("the")
