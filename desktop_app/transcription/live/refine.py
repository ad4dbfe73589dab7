"""Accuracy from idle time: committed chunks decoded again with beam search in the background.

Live chunks are decoded greedily (fast enough to keep up on a busy laptop); beam search cut
tiny.en's WER by about 3 points on our espeak answers (bench/accuracy.py). While the candidate
talks the worker is idle most of the time, so each committed chunk is queued here and, when the
worker can afford it, decoded again on the helper thread with the whole-file beam, prompted with
the committed text before it. A finished re-decode replaces the chunk's greedy text, after the
same cleaning against voice activity, unless it lost words (a beam that skipped speech). The
best version finished at "stop" wins: a pass still running then is not waited for.

A pass starts only when (a) no speculative pass runs, (b) the speculative chain already covers
the tail, so that "stop" now would need no Whisper call, (c) the LoadMeter allows it with extra
headroom, and (d) it is predicted to take at most ``refine_max_pass_s``. It runs on a thread of
its own at the engine host's idle priority, so any other request (a speculative pass on new
speech, a committed chunk, the tail at "stop") interrupts it within one decoder step; the chunk
then waits in the queue for the next idle moment. On a busy machine re-decodes are the first
optional work to go.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass

import numpy as np

from desktop_app.domain import Segment, Transcript
from desktop_app.transcription.cleanup import Cleaner
from desktop_app.transcription.engines import DecodeCancelled
from desktop_app.transcription.live.config import LiveConfig
from desktop_app.transcription.live.load import LoadMeter
from desktop_app.transcription.vad import SAMPLE_RATE


def can_refine(fn: object) -> bool:
    return callable(getattr(fn, "refine", None)) and getattr(fn, "purpose", "") == "live"


@dataclass(frozen=True)
class Committed:
    """A committed chunk that may be decoded again (what its cleaning needs, too)."""

    index: int  # position in the policy's list of spoken chunks
    audio: np.ndarray  # the audio sent to Whisper
    a: int  # its first sample on the recording
    start: int  # the chunk's span start (the cleaning region's origin)
    region: np.ndarray  # speech decisions from ``start`` on
    before: str  # committed text before the chunk (the prompt)
    words: int  # words the greedy decode kept


class Refiner:
    """Queue of committed chunks and the re-decode in flight (worker-thread owned)."""

    def __init__(
        self, fn: object, config: LiveConfig, cleaner: Cleaner, meter: LoadMeter,
        submit: Callable[[Callable[[], tuple[Transcript, float]]], Future],
    ) -> None:  # fmt: skip
        self._fn = fn
        self.config = config
        self.enabled = config.refine_max_pass_s > 0 and can_refine(fn)
        self.cleaner = cleaner
        self.meter = meter
        self._submit = submit
        self.queue: list[Committed] = []
        self.job: tuple[Committed, Future] | None = None
        self.passes = 0  # re-decodes finished
        self.used = 0  # and taken into the transcript
        self.interrupted = 0  # re-decodes that gave way to other work (queued again)
        self.seconds = 0.0

    @property
    def job_done(self) -> bool:
        return self.job is not None and self.job[1].done()

    def add(self, item: Committed) -> None:
        if self.enabled:
            self.queue.append(item)

    def maybe_start(self, due_in_s: float) -> bool:
        """Start re-decoding the oldest queued chunk if the budget allows; True if started."""
        if not self.queue or self.job is not None:
            return False
        item = self.queue[0]
        audio_s = item.audio.size / SAMPLE_RATE
        c = self.config
        if self.meter.rtf is None:
            return False  # measure greedy calls first
        if self.meter.predict(audio_s) * c.beam_cost > c.refine_max_pass_s:
            return False
        if not self.meter.allows(audio_s * c.beam_cost, due_in_s, share=c.refine_share):
            return False
        self.queue.pop(0)
        refine, clock = self._fn.refine, self.meter.clock  # type: ignore[attr-defined]

        def run() -> tuple[Transcript, float]:
            began = clock()
            result = refine(item.audio, item.a / SAMPLE_RATE, before=item.before)
            return result, clock() - began

        self.job = (item, self._submit(run))
        return True

    def take(self) -> tuple[int, list[Segment]] | None:
        """The finished re-decode as (chunk index, cleaned segments), or None if it is not
        better (it lost words); a failed pass is dropped (the greedy text stays), one that gave
        way to other work goes back to the front of the queue."""
        assert self.job is not None
        (item, future), self.job = self.job, None
        try:
            result, took = future.result()
        except DecodeCancelled:
            self.queue.insert(0, item)
            self.interrupted += 1
            return None
        except Exception:  # noqa: BLE001 - optional work: the committed text stands
            return None
        self.passes += 1
        self.seconds += took
        self.meter.record(item.audio.size / SAMPLE_RATE * self.config.beam_cost, took)
        kept, _dropped = self.cleaner.clean(result.segments, item.region,
                                            item.start / SAMPLE_RATE)  # fmt: skip
        words = sum(len(s.words) for s in kept)
        if words < self.config.refine_min_words * item.words:
            return None
        self.used += 1
        return item.index, kept
