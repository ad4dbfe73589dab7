"""Word timings are checked where they enter: NaN or infinite seconds never reach the analysis,
the JSON or the database."""

from __future__ import annotations

import json
import math

import pytest

from desktop_app.analysis import Analyzer
from desktop_app.domain import Segment, Transcript, Word

BAD = [math.nan, math.inf, -math.inf]


@pytest.mark.parametrize("bad", BAD)
@pytest.mark.parametrize("field", ["start", "end", "probability"])
def test_a_word_with_a_non_finite_value_is_refused(bad, field):
    values = {"start": 0.5, "end": 0.9, "probability": 0.8, field: bad}
    with pytest.raises(ValueError, match=f"word 'deadline': {field} must be a finite number"):
        Word("deadline", **values)


@pytest.mark.parametrize("bad", BAD)
def test_segments_and_transcripts_refuse_non_finite_times(bad):
    with pytest.raises(ValueError, match="segment: end"):
        Segment("We shipped.", 0.0, bad)
    with pytest.raises(ValueError, match="transcript: duration"):
        Transcript("We shipped.", duration=bad)


def test_stored_json_with_nan_or_infinity_is_refused_as_a_whole():
    # json.loads accepts NaN and Infinity, so a hand-edited or damaged words_json can hold them
    for raw in ('{"text": "We shipped", "words": [{"text": "We", "start": NaN, "end": 0.2}]}',
                '{"text": "We", "duration": Infinity}'):
        with pytest.raises(ValueError):
            Transcript.from_dict(json.loads(raw))


def test_good_timings_still_analyse_to_strict_json():
    words = (Word("We", 0.0, 0.2), Word("shipped", 0.25, 0.7), Word("on", 0.75, 0.9),
             Word("time.", 0.95, 1.3))
    transcript = Transcript("We shipped on time.", [Segment("We shipped on time.", 0.0, 1.3,
                                                             words)], duration=1.3)
    analysis = Analyzer().analyze(transcript, None)
    json.dumps(analysis.to_dict(), allow_nan=False)  # raises on a bare NaN
