"""Play an attempt's recording from a moment (a clicked finding), shared by Practice and History."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from desktop_app.audio.wavio import read_audio

LEAD_IN_S = 0.3  # start a little early, so the word is heard whole


def play_from(player: Any, path: Path, when: float) -> None:
    """Play ``path`` from ``when`` seconds (the whole file when ``when`` <= 0). Raises the
    reader's or the player's error (UnreadableAudio, PlaybackError) for the view to show."""
    if when <= 0:
        player.play_file(path)
        return
    samples, rate = read_audio(path)
    player.play(samples[int(max(0.0, when - LEAD_IN_S) * rate):], rate)
