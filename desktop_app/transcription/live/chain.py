"""The speculative tail: uncommitted transcriptions of the speech after the commit point.

When the worker is idle and the untranscribed tail ends in a pause after new speech (people
pause before pressing Stop), the tail is transcribed on a helper thread without committing it,
as a chain of pieces: the first pass covers the tail from the last cut; when more speech
follows, only the new speech is transcribed (a short, cheap pass, prompted with the text before
it), and when the worker is free again the chain is transcribed once more as a whole. The chunk
policy commits pieces that heard a chunk's worth, and at "stop" reuses the chain for the speech
it heard. One pass at a time; it needs a transcribe callable with ``preview`` and ``accept``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from desktop_app.domain import Segment, Transcript
from desktop_app.transcription.cleanup import Cleaner
from desktop_app.transcription.live.config import LiveConfig
from desktop_app.transcription.live.load import LoadMeter
from desktop_app.transcription.live.stream import AudioStream
from desktop_app.transcription.vad import FRAME_LEN, SAMPLE_RATE

log = logging.getLogger(__name__)


def can_speculate(fn: object) -> bool:
    return callable(getattr(fn, "preview", None)) and callable(getattr(fn, "accept", None))


@dataclass(frozen=True)
class Span:
    """Where a speculative pass listens (sample indices on the recording)."""

    start: int  # where its span begins: p0, or the cut after the piece before it
    a: int  # audio sent to Whisper: [a, b)
    b: int
    v0: int  # the detected speech inside: [v0, v1)
    v1: int
    cut: int  # where its span ends: a frame boundary in the pause after v1 (may be before b)


@dataclass(frozen=True)
class Piece(Span):
    """An uncommitted transcription of the span [start, cut): one piece of the chain."""

    result: Transcript
    segments: tuple[Segment, ...]  # cleaned, for the preview
    seconds: float


@dataclass(frozen=True)
class _Job:
    """A speculative pass on the helper thread, replacing ``replaces`` pieces."""

    span: Span
    replaces: int  # chain pieces it stands for (0: it extends the chain)
    region: np.ndarray  # speech decisions from ``span.start`` on, for cleaning its result
    future: Future


class SpeculativeChain:
    """The chain of speculative pieces from the stream's commit point on, and the pass running.

    Worker-thread owned, except ``pieces`` which readers copy under ``lock``; ``on_done`` is
    called (on the helper thread) when a pass finishes, ``on_change`` when the chain changed."""

    def __init__(
        self, stream: AudioStream, transcribe: object, cleaner: Cleaner, meter: LoadMeter, *,
        lock: threading.Lock, on_done: Callable[[], None], on_change: Callable[[], None],
    ) -> None:  # fmt: skip
        self.stream = stream
        self.meter = meter
        self.config: LiveConfig = stream.config
        self._fn = transcribe
        self.enabled = self.config.spec_pause_s > 0 and can_speculate(transcribe)
        self.cleaner = cleaner
        self.lock = lock
        self._on_done = on_done
        self._on_change = on_change
        self.pieces: list[Piece] = []
        self.job: _Job | None = None
        self._helper: ThreadPoolExecutor | None = None
        self.passes = 0  # speculative Whisper calls made
        self.seconds = 0.0  # and the time they took

    @property
    def job_done(self) -> bool:
        return self.job is not None and self.job.future.done()

    def shutdown(self) -> None:
        """Let the helper go: a pass still running is not waited for, queued ones never run."""
        if self._helper is not None:
            self._helper.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------------ starting passes
    def speculate(self, speech: np.ndarray, allow: Callable[[float], bool]) -> bool:
        """Start a pass if the tail calls for one and ``allow(audio seconds)``; True if started.

        New speech ending in a pause after the chain: transcribe just that (the whole tail when
        the chain is empty). No new speech but several pieces: transcribe them again as one.
        """
        s = self.stream
        if s.pending_s > self.config.max_s:
            return False
        new = self.new_speech(speech)
        pieces = self.pieces
        if new is not None:
            start, a, b, v0, v1 = new
            # the span ends mid-pause (the pause is at least spec_pause_s): a frame boundary
            mid = v1 + int(self.config.spec_pause_s / 2 * SAMPLE_RATE)
            cut = start + -(-(mid - start) // FRAME_LEN) * FRAME_LEN
            after = " ".join(p.result.text.strip() for p in pieces) if pieces else None
            if not allow((b - a) / SAMPLE_RATE):
                log.debug("speculation skipped: %.1f s of new speech (busy)", (b - a) / SAMPLE_RATE)
                return False
            log.debug("speculate %.1f-%.1f s (%d pieces before)", a / SAMPLE_RATE, b / SAMPLE_RATE,
                      len(pieces))
            self._submit(Span(start, a, b, v0, v1, cut), 0, speech, after)
            return True
        if len(pieces) > 1:  # their span is all in the past: no need to wait for a pause
            first, last = pieces[0], pieces[-1]
            if not allow((last.b - first.a) / SAMPLE_RATE):
                return False
            span = Span(s.p0, first.a, last.b, first.v0, last.v1, last.cut)
            self._submit(span, len(pieces), speech, None)
            return True
        return False

    def new_speech(self, speech: np.ndarray) -> tuple[int, int, int, int, int] | None:
        """(start, a, b, v0, v1) of speech after the chain that ends in a pause, if speculation
        is on and no pass is running (it drops chain pieces the VAD no longer agrees with)."""
        s = self.stream
        if not self.enabled or self.job is not None or s.total <= s.p0:
            return None
        self.drop_stale(speech)
        origin = self.pieces[-1].cut if self.pieces else s.p0
        span = s.speech_span(origin, s.total, speech, s.p0)
        if span is None or span[1] >= s.total:
            return None
        if (s.total - span[3]) / SAMPLE_RATE < self.config.spec_pause_s:
            return None  # still talking (or the pause is shorter than the trim pad)
        return (origin, *span)

    def _submit(self, span: Span, replaces: int, speech: np.ndarray, after: str | None) -> None:
        preview = self._fn.preview  # type: ignore[attr-defined]
        a = span.a
        audio = self.stream.audio(a, span.b)
        kwargs = {} if after is None else {"after": after}

        clock = self.meter.clock

        def run() -> tuple[Transcript, float]:
            began = clock()
            result = preview(audio, a / SAMPLE_RATE, **kwargs)
            return result, clock() - began

        region = speech[(span.start - self.stream.p0) // FRAME_LEN :].copy()
        self.job = _Job(span, replaces, region, self.run_on_helper(run))

    def run_on_helper(self, fn: Callable[[], tuple[Transcript, float]]) -> Future:
        """Run ``fn`` on the helper thread (one at a time); ``on_done`` when it ends."""
        if self._helper is None:
            self._helper = ThreadPoolExecutor(1, thread_name_prefix="live-speculative")
        future = self._helper.submit(fn)
        future.add_done_callback(lambda _f: self._on_done())
        return future

    # ------------------------------------------------------------------ finished passes
    def integrate(self) -> None:
        """Take the finished pass into the chain (if the chain still fits it)."""
        job, self.job = self.job, None
        assert job is not None
        result, took = job.future.result()  # a failed pass raises: reported through finish()
        self.passes += 1
        self.seconds += took
        pieces, span, p0 = self.pieces, job.span, self.stream.p0
        self.meter.record((span.b - span.a) / SAMPLE_RATE, took)
        if job.replaces:
            fits = len(pieces) >= job.replaces and pieces[0].start == span.start == p0
            fits = fits and pieces[job.replaces - 1].b == span.b
        else:
            fits = span.start == (pieces[-1].cut if pieces else p0)
        log.debug("pass %.1f-%.1f s took %.2f s, %s", span.a / SAMPLE_RATE, span.b / SAMPLE_RATE,
                  took, "kept" if fits else "stale")
        if not fits:
            return
        region = job.region[: (span.cut - span.start) // FRAME_LEN]
        kept, _dropped = self.cleaner.clean(result.segments, region, span.start / SAMPLE_RATE)
        piece = Piece(**vars(span), result=result, segments=tuple(kept), seconds=took)
        with self.lock:
            if job.replaces:
                self.pieces[: job.replaces] = [piece]
            else:
                self.pieces.append(piece)
        self._on_change()

    def await_job(self) -> None:
        """Wait for the pass in flight (before a Whisper call of the worker's own)."""
        if self.job is not None:
            try:
                self.job.future.exception()  # waits
            finally:
                self.integrate()

    # ------------------------------------------------------------------ what the chain heard
    def drop_stale(self, speech: np.ndarray) -> None:
        """Forget pieces whose span no longer holds only the speech they heard (the VAD's view
        of earlier frames can change as the noise floor adapts)."""
        keep, start = 0, self.stream.p0
        for piece in self.pieces:
            if piece.start != start or not self.heard_all(piece, piece.cut, speech):
                break
            keep, start = keep + 1, piece.cut
        if keep < len(self.pieces):
            log.debug("dropped %d stale pieces", len(self.pieces) - keep)
            with self.lock:
                del self.pieces[keep:]

    def heard_all(self, piece: Piece, end: int, speech: np.ndarray) -> bool:
        """Did ``piece`` hear all the speech in [piece.start, end), with none at ``end`` nor
        in the audio it heard past ``end``? (``speech``: decisions from p0 on)"""
        p0 = self.stream.p0
        span = self.stream.speech_span(piece.start, end, speech, p0)
        if span is None or not (piece.a <= span[2] and span[3] <= piece.b):
            return False
        at = (end - p0) // FRAME_LEN
        heard_to = -(-(piece.b - p0) // FRAME_LEN)
        return at >= speech.size or not speech[max(0, at - 1) : max(at + 1, heard_to)].any()

    def free_pieces(self, speech: np.ndarray) -> list[Piece]:
        """Pieces from p0 on that can be committed as they are: the first piece if it ends
        between min_s and max_s on, else the fewest that reach min_s (within max_s); each heard
        all the speech in its span and ends in a pause."""
        c, p0 = self.config, self.stream.p0
        start, chosen = p0, []
        for piece in self.pieces:
            length = (piece.cut - p0) / SAMPLE_RATE
            if piece.start != start or length > c.max_s:
                break
            if not self.heard_all(piece, piece.cut, speech):
                break
            chosen.append(piece)
            if length >= c.min_s:
                return chosen
            start = piece.cut
        return []

    def covers(self, end: int, speech: np.ndarray) -> bool:
        """Does the chain hear all the speech from p0 to ``end``?"""
        pieces, p0 = self.pieces, self.stream.p0
        if not pieces or pieces[0].start != p0:
            return False
        for i, piece in enumerate(pieces):
            stop = end if i == len(pieces) - 1 else piece.cut
            if piece.start != (pieces[i - 1].cut if i else p0):
                return False
            if not self.heard_all(piece, stop, speech):
                return False
        return True

    def advance(self, end: int) -> None:
        """The commit point moved to ``end``: pieces before it are used up or stale."""
        with self.lock:
            while self.pieces and self.pieces[0].start < end:
                self.pieces.pop(0)
            if self.pieces and self.pieces[0].start != end:
                self.pieces.clear()
