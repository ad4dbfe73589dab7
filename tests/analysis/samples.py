"""Sample answers and a timed-transcript builder for the analysis tests."""

from __future__ import annotations

from desktop_app.domain import Segment, Transcript, Word

STRONG = (
    "At my last job at Brightwave, our checkout service was timing out for about 8% of customers "
    "every Friday evening. My task was to find the cause before the holiday sale, which was three "
    "weeks away. First I pulled the logs from Datadog and saw that the slow requests all hit the "
    "same Postgres query. I suspected a missing index, so I reproduced the load on a staging copy "
    "and confirmed it. Then I added the index, and I wrote a small load test so we would catch it "
    "next time. I also walked the support team through what had happened. As a result, timeouts "
    "dropped from 8% to under 0.5%, and the sale ran with no incidents. I learned to load-test "
    "before every big event."
)


def timed_transcript(
    text: str, wpm: float = 150.0, pauses: dict[int, float] | None = None
) -> Transcript:
    """A transcript whose words are evenly spaced at ``wpm``, with optional extra gaps before
    word indexes given in ``pauses`` (index -> seconds)."""
    pauses = pauses or {}
    step = 60.0 / wpm
    t = 0.0
    words = []
    for i, w in enumerate(text.split()):
        t += pauses.get(i, 0.0)
        words.append(Word(" " + w, round(t, 3), round(t + step * 0.8, 3)))
        t += step
    seg = Segment(text, words[0].start, words[-1].end, tuple(words))
    return Transcript(text=text, segments=[seg], duration=words[-1].end)
