"""Realistic practice history, made through the app's own storage API (tests, bench, shots).

A pool of real analyses is made once by the real Analyzer from the spoken-answer fixtures in
``tests/fixtures/answers`` and weaker variants of them (the result cut off, fillers and hedges
added, a hurried pace), with word times at a speaking pace. Attempts spread over ``weeks``, a few
days a week, at questions of the bank; later attempts draw stronger variants, so the trend rises
as a candidate's would. Every attempt goes through ``Repository.add_attempt`` (inside one write
transaction, so 10,000 take seconds, not minutes).
"""

from __future__ import annotations

import json
import random
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from desktop_app.domain import Attempt, Question, Segment, Transcript, Word
from desktop_app.storage.db import write_transaction

ANSWERS = Path(__file__).parent / "fixtures" / "answers"
_FILLERS = ("um", "uh", "like", "you know")
_HEDGES = ("I think", "maybe", "sort of", "probably")


@dataclass(frozen=True)
class Pooled:
    transcript: Transcript
    analysis_json: str
    scores: dict[str, float]
    duration_s: float


def timed(text: str, wpm: float, rng: random.Random) -> Transcript:
    """``text`` as a transcript with word times at about ``wpm``, a pause after sentences."""
    words, t = [], 0.4
    for token in text.split():
        length = 60.0 / wpm * rng.uniform(0.7, 1.3)
        words.append(Word(token, round(t, 2), round(t + length * 0.85, 2), 0.93))
        t += length + (0.6 if token.endswith((".", "?", "!")) else 0.0)
    segments, run = [], []
    for w in words:
        run.append(w)
        if w.text.endswith((".", "?", "!")):
            segments.append(Segment(" ".join(x.text for x in run), run[0].start, run[-1].end,
                                    tuple(run)))
            run = []
    if run:
        segments.append(Segment(" ".join(x.text for x in run), run[0].start, run[-1].end,
                                tuple(run)))
    return Transcript(text=" ".join(w.text for w in words), segments=segments,
                      model="tiny.en", duration=round(t + 0.5, 2))


def _variants(text: str, rng: random.Random) -> list[tuple[str, float]]:
    """(text, wpm) versions of one answer, weakest first."""
    sentences = text.replace("\n", " ").split(". ")
    half = ". ".join(sentences[: max(2, len(sentences) // 2)]) + "."
    words = text.split()
    messy = []
    for i, w in enumerate(words):
        if i % 9 == 4:
            messy.append(rng.choice(_FILLERS) + ",")
        if i % 23 == 11:
            messy.append(rng.choice(_HEDGES))
        messy.append(w)
    return [(half, 195.0), (" ".join(messy), 185.0), (" ".join(messy[: len(messy) * 2 // 3]),
                                                       120.0), (text, 150.0)]


def analysis_pool(bank_questions: list[Question], seed: int = 7) -> list[Pooled]:
    """Real analyses, weakest (by overall score) first."""
    from desktop_app.analysis import Analyzer

    rng = random.Random(seed)
    analyzer = Analyzer()
    behavioural = [q for q in bank_questions if q.kind == "behavioural"] or bank_questions
    pool = []
    for i, path in enumerate(sorted(ANSWERS.glob("*.txt"))):
        for text, wpm in _variants(path.read_text(encoding="utf-8"), rng):
            transcript = timed(text, wpm, rng)
            analysis = analyzer.analyze(transcript, behavioural[i % len(behavioural)])
            scores = {k: v for k, v in analysis.scores.items() if v is not None}
            pool.append(Pooled(transcript, json.dumps(analysis.to_dict()), scores,
                               transcript.duration))
    pool.sort(key=lambda p: p.scores.get("overall", 0.0))
    return pool


def make_history(repo, questions: list[Question], n: int, *, weeks: int = 6,
                 end: datetime | None = None, seed: int = 1,
                 pool: list[Pooled] | None = None) -> list[int]:
    """``n`` scored attempts over the last ``weeks`` weeks before ``end`` (now), oldest first.
    Returns their ids. ``questions``: the bank's questions (a few are left unpractised)."""
    rng = random.Random(seed)
    pool = pool or analysis_pool(questions)
    end = end or datetime.now(timezone.utc)
    start = end - timedelta(weeks=weeks)
    practised = [q for q in questions if zlib.crc32(q.competency.encode()) % 5 != 0] or questions
    days = sorted(rng.sample(range(weeks * 7), k=max(1, min(weeks * 7, weeks * 4))))
    ids: list[int] = []
    with write_transaction(repo.db):
        for i in range(n):
            progress = i / max(1, n - 1)
            day = days[min(len(days) - 1, int(progress * len(days)))]
            at = start + timedelta(days=day, hours=rng.uniform(8, 21), seconds=i % 60)
            centre = progress * (len(pool) - 1)
            k = int(min(len(pool) - 1, max(0, rng.gauss(centre, len(pool) / 5))))
            p = pool[k]
            q = practised[rng.randrange(len(practised))]
            ids.append(repo.add_attempt(Attempt(
                id=None, question_id=q.id,
                started_at=at.isoformat(timespec="seconds"),
                ended_at=(at + timedelta(seconds=p.duration_s)).isoformat(timespec="seconds"),
                duration_s=p.duration_s, model="tiny.en", status="scored",
                transcript_text=p.transcript.text,
                words_json=json.dumps(p.transcript.to_dict()),
                analysis_json=p.analysis_json, scores=p.scores)))
    return ids
