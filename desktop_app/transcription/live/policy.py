"""Chunk policy: where the live stream is cut and how each chunk is committed.

Pending audio is cut at a pause near ``target_s`` (never mid-word, never past ``max_s``); a
chunk without speech is skipped (Whisper invents "Thank you." on silence); a chunk is committed
with the speculative pieces that heard it when they did (no Whisper call), else transcribed with
its start on the recording's timeline as ``time_offset``. Whisper's output is cleaned against the
voice-activity decisions (:mod:`..cleanup`) before it joins the transcript. At "stop" the tail
is committed, reusing the speculative chain for the speech it heard.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
from collections.abc import Callable

import numpy as np

from desktop_app.domain import Segment, Transcript
from desktop_app.transcription.cleanup import Cleaner
from desktop_app.transcription.live.chain import Piece, SpeculativeChain
from desktop_app.transcription.live.config import ChunkInfo, TranscribeFn
from desktop_app.transcription.live.load import LoadMeter
from desktop_app.transcription.live.refine import Committed, Refiner
from desktop_app.transcription.live.stream import AudioStream
from desktop_app.transcription.vad import FRAME_LEN, FRAME_S, SAMPLE_RATE, find_cut

log = logging.getLogger(__name__)


class ChunkPolicy:
    """Commits the stream chunk by chunk into ``parts`` (cleaned segments per spoken chunk) and
    ``chunks`` (worker thread; readers copy them under ``lock``), and hands each committed chunk
    to the ``refiner`` for an idle-time beam re-decode."""

    def __init__(
        self, stream: AudioStream, chain: SpeculativeChain, transcribe: TranscribeFn,
        cleaner: Cleaner, meter: LoadMeter, refiner: Refiner, *, lock: threading.Lock,
        set_state: Callable[[str], None], on_committed: Callable[[], None],
        cancelled: Callable[[], bool],
    ) -> None:  # fmt: skip
        self.stream = stream
        self.chain = chain
        self.config = stream.config
        self._transcribe = transcribe
        self.cleaner = cleaner
        self.meter = meter
        self.refiner = refiner
        self.lock = lock
        self._set_state = set_state
        self._on_committed = on_committed
        self._cancelled = cancelled
        self.parts: dict[int, list[Segment]] = {}  # chunk index -> its segments
        self.chunks: list[ChunkInfo] = []
        self.language, self.model = "en", ""
        self.busy_to = 0  # end of the chunk in Whisper (sample), or 0
        self.working = False  # a chunk went to Whisper since the worker last caught up

    @property
    def segments(self) -> list[Segment]:
        """The committed segments in order (call under ``lock``)."""
        return [seg for part in self.parts.values() for seg in part]

    def _due_in_s(self) -> float:
        return self.config.target_s + self.config.lookahead_s - self.stream.pending_s

    def refine(self) -> None:
        """Start an idle-time re-decode if nothing else needs the engine, not even "stop": the
        speculative chain covers the tail (or the tail holds no speech)."""
        r, s, chain = self.refiner, self.stream, self.chain
        if not r.enabled or not r.queue or r.job is not None or chain.job is not None:
            return
        speech = s.decisions()
        if s.speech_span(s.p0, s.total, speech) is not None and not chain.covers(s.total, speech):
            return
        r.maybe_start(self._due_in_s())

    def take_refined(self) -> None:
        """Take a finished re-decode into the transcript (if it is better)."""
        taken = self.refiner.take()
        if taken is None:
            return
        index, segments = taken
        with self.lock:
            self.parts[index] = segments
            info = self.chunks[index]
            self.chunks[index] = dataclasses.replace(
                info, words=sum(len(seg.words) for seg in segments), refined=True
            )
        self._on_committed()

    def _idle_state(self) -> None:
        self._set_state("transcribing" if self.chain.job is not None else "listening")

    def speculate(self, speech: np.ndarray | None = None, *, due: bool = False) -> bool:
        """Start a speculative pass if the tail calls for one and the worker can afford it
        (``due``: a chunk is due, which the pass may stand for); True if one started."""
        s = self.stream
        if self.chain.job is not None or s.pending_s > self.config.max_s:
            return False
        due_in = None if due else self._due_in_s()

        def allow(audio_s: float) -> bool:
            return self.meter.allows(audio_s, due_in)

        if self.chain.speculate(s.decisions() if speech is None else speech, allow):
            self._set_state("transcribing")
            return True
        return False

    def process(self, final: bool) -> None:
        """Commit every chunk that is due (all of them when ``final``)."""
        c, s, chain = self.config, self.stream, self.chain
        while not self._cancelled():
            pending_s = s.pending_s
            if pending_s <= 0:
                return
            if final and pending_s <= c.max_s:
                self.finish_tail(s.decisions())
                return
            if not final and pending_s < c.target_s + c.lookahead_s:
                self._idle_state()
                return
            speech = s.decisions()
            if not final and pending_s < c.max_s and chain.new_speech(speech) is not None:
                if self.speculate(speech, due=True):  # the chain may cover the chunk
                    return
            if not chain.free_pieces(speech) and chain.job is not None:
                self._await()  # it may give one (and Whisper takes one call at a time)
                speech = s.decisions()
            free = chain.free_pieces(speech)
            if free:  # speculative pieces heard a chunk's worth: commit them as they are
                for piece in free:
                    self._commit(piece.cut, speech, piece)
                    speech = s.decisions()
                continue
            cut = find_cut(
                speech,
                c.target_s,
                earliest_s=c.min_s,
                latest_s=c.max_s,
                min_pause_s=c.min_pause_s,
                long_pause_s=c.long_pause_s,
                distance_weight=c.distance_weight,
                energy_db=s.energy_db(),
                force=final or pending_s >= c.max_s,
            )
            if cut is None:
                self._idle_state()
                return
            end = s.p0 + max(1, int(round(cut / FRAME_S))) * FRAME_LEN
            self._chunk(end, speech, final=final)

    def finish_tail(self, speech: np.ndarray) -> None:
        """At "stop": commit the tail, reusing the speculative chain for the speech it heard.

        A pass still running is waited for only if the chain does not cover all the speech."""
        s, chain = self.stream, self.chain
        end = s.total
        if log.isEnabledFor(logging.DEBUG):  # covers() walks the chain: only when tracing
            log.debug("stop: tail %.1f-%.1f s, %d pieces, pass running %s, covered %s",
                      s.p0 / SAMPLE_RATE, end / SAMPLE_RATE, len(chain.pieces),
                      chain.job is not None, chain.covers(end, speech))
        if chain.job is not None and not chain.covers(end, speech):
            self._await()
            speech = s.decisions()
        chain.drop_stale(speech)
        pieces = list(chain.pieces)
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            if last and chain.heard_all(piece, end, speech):
                self._commit(end, speech, piece)
                return
            if piece.cut >= end or not chain.heard_all(piece, piece.cut, speech):
                break
            self._commit(piece.cut, speech, piece)
            speech = s.decisions()
        self._chunk(end, speech, final=True)

    def _chunk(self, end: int, speech: np.ndarray, *, final: bool) -> None:
        """Transcribe (or skip) [p0, end) and advance p0 to end."""
        s, chain = self.stream, self.chain
        start = s.p0
        region = speech[: min(speech.size, (end - start) // FRAME_LEN)]
        span = s.speech_span(start, end, region)
        if span is None:
            t0, t1 = start / SAMPLE_RATE, end / SAMPLE_RATE
            with self.lock:
                self.chunks.append(ChunkInfo(t0, t1, t0, t1, skipped=True))
            self._advance(end)
            return
        if chain.job is not None:  # one Whisper call at a time; the pass may even cover this
            self._await()
            speech = s.decisions()
            region = speech[: min(speech.size, (end - start) // FRAME_LEN)]
        pieces = chain.pieces
        if len(pieces) == 1 and chain.heard_all(pieces[0], end, speech):
            self._commit(end, speech, pieces[0])
            return
        a, b, _v0, _v1 = span
        backlog = (s.total - end) / SAMPLE_RATE
        behind = backlog > self.config.max_s or (final and backlog > 0)
        self._set_state("catching up" if behind else "transcribing")
        clock = self.meter.clock
        began, self.busy_to, self.working = clock(), end, True
        try:
            result = self._transcribe(s.audio(a, b), a / SAMPLE_RATE)
        finally:
            self.busy_to = 0
        took = clock() - began
        self.meter.record((b - a) / SAMPLE_RATE, took)
        self._add(end, region, result, a, b, took, reused=False)

    def _await(self) -> None:
        """Wait for the speculative pass in flight: work is due, so this counts as working."""
        self.working = True
        self.chain.await_job()

    def _commit(self, end: int, speech: np.ndarray, piece: Piece) -> None:
        """Commit [p0, end) with the speculative ``piece`` that heard it (no Whisper call)."""
        accept = getattr(self._transcribe, "accept", None)
        if callable(accept):
            accept(piece.result)
        region = speech[: min(speech.size, (end - self.stream.p0) // FRAME_LEN)]
        self._add(end, region, piece.result, piece.a, piece.b, 0.0, reused=True)

    def _add(
        self, end: int, region: np.ndarray, result: Transcript, a: int, b: int,
        took: float, *, reused: bool,
    ) -> None:  # fmt: skip
        start = self.stream.p0
        kept, dropped = self.cleaner.clean(result.segments, region, start / SAMPLE_RATE)
        info = ChunkInfo(
            start / SAMPLE_RATE, end / SAMPLE_RATE, a / SAMPLE_RATE, b / SAMPLE_RATE,
            skipped=False, words=sum(len(s.words) for s in kept), dropped_segments=dropped,
            seconds=took, reused=reused,
        )  # fmt: skip
        with self.lock:
            index = len(self.chunks)
            before = " ".join(seg.text.strip() for seg in self.segments)
            self.parts[index] = kept
            self.language = result.language or self.language
            self.model = result.model or self.model
            self.chunks.append(info)
        if kept:
            audio = self.stream.audio(a, b).copy()
            self.refiner.add(Committed(index, audio, a, start, region.copy(), before, info.words))
            self._on_committed()
        self._advance(end)

    def _advance(self, end: int) -> None:
        self.stream.advance(end)
        self.chain.advance(end)
