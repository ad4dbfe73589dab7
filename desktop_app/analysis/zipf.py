"""Cached English word frequencies on the Zipf scale (wordfreq; data bundled, works offline)."""

from __future__ import annotations

from functools import lru_cache

import wordfreq


@lru_cache(maxsize=65536)
def zipf(word: str) -> float:
    """log10 occurrences per billion words; 0.0 for unknown words."""
    try:
        return float(wordfreq.zipf_frequency(word, "en"))
    except Exception:  # odd Unicode must never break scoring
        return 0.0


def warm_up() -> None:
    """Load wordfreq's English list now (about 0.3 s) rather than on the first answer."""
    zipf("the")
